import React, { useMemo } from 'react';
import { New, type ActionProps, type RecordJSON } from 'adminjs';

/**
 * AdminJS's New form, started with the values the server applies when a field
 * is left empty (the action's `custom.defaults`), so the form shows them.
 */
const NewWithDefaults: React.FC<ActionProps> = (props) => {
  const defaults = (props.action.custom?.defaults ?? {}) as Record<string, string>;
  const record = useMemo<RecordJSON>(
    () => ({ id: '', title: '', params: { ...defaults }, populated: {}, errors: {}, recordActions: [], bulkActions: [], baseError: null }),
    [],
  );
  return <New {...props} record={record} />;
};

export default NewWithDefaults;
