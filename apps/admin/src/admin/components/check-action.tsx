import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, ViewHelpers, type ActionProps, type NoticeMessage } from 'adminjs';
import { Box, Loader, MessageBox, Text } from '@adminjs/design-system';
import { useNavigate } from 'react-router';

const api = new ApiClient();
const h = new ViewHelpers();

/** Check and Test connection: runs the test (POST), announces the outcome and returns to the record page. */
const CheckAction: React.FC<ActionProps> = ({ record, resource, action }) => {
  const addNotice = useNotice();
  const navigate = useNavigate();
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    api
      .recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name, data: {} })
      .then(({ data }: { data: { notice?: NoticeMessage } }) => {
        if (data.notice) addNotice(data.notice);
        navigate(h.recordActionUrl({ resourceId: resource.id, recordId: record!.id, actionName: 'show' }));
      })
      .catch(() => setFailure('The check could not be run. Reload the page and try again.'));
  }, []);
  return (
    <Box variant="container">
      {failure ? <MessageBox variant="danger" message={failure} /> : (
        <Box flex alignItems="center">
          <Loader />
          <Text ml="lg">Connecting to {String(record?.params.host ?? record?.params.url ?? 'the server')}…</Text>
        </Box>
      )}
    </Box>
  );
};

export default CheckAction;
