import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, ViewHelpers, type ActionProps, type NoticeMessage } from 'adminjs';
import { Box, Loader, MessageBox, Text } from '@adminjs/design-system';
import { useLocation, useNavigate } from 'react-router';
import { runOnce } from './run-once.js';

const api = new ApiClient();
const h = new ViewHelpers();

type Outcome = { notice?: NoticeMessage } | 'failed';

/** Check and Test connection: runs the test (POST) once per click, announces the outcome once and returns to the record page. */
const CheckAction: React.FC<ActionProps> = ({ record, resource, action }) => {
  const addNotice = useNotice();
  const navigate = useNavigate();
  const location = useLocation();
  const [failure, setFailure] = useState<string | null>(null);
  const recordId = record!.id;
  useEffect(() => {
    let mounted = true;
    const run = runOnce(`${location.key}|${resource.id}|${recordId}|${action.name}`, () =>
      api
        .recordAction({ resourceId: resource.id, recordId, actionName: action.name, data: {} })
        .then(({ data }: { data: { notice?: NoticeMessage } }): Outcome => ({ notice: data.notice }))
        .catch((): Outcome => 'failed'),
    );
    void run.outcome.then((outcome) => {
      if (!mounted || run.announced) return;
      run.announced = true;
      if (outcome === 'failed') return setFailure('The check could not be run. Reload the page and try again.');
      if (outcome.notice) addNotice(outcome.notice);
      navigate(h.recordActionUrl({ resourceId: resource.id, recordId, actionName: 'show' }));
    });
    return () => {
      mounted = false;
    };
  }, [location.key, resource.id, recordId, action.name]);
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
