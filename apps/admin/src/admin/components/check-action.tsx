import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, ViewHelpers, type ActionProps, type NoticeMessage } from 'adminjs';
import { Box, Loader, MessageBox, Text } from '@adminjs/design-system';
import { useLocation, useNavigate } from 'react-router';

const api = new ApiClient();
const h = new ViewHelpers();

type Outcome = { notice?: NoticeMessage } | 'failed';
/** One run per click: its answer, and whether a mounted component has announced it. */
interface Run {
  readonly outcome: Promise<Outcome>;
  announced: boolean;
}

/**
 * Runs under way, by click. AdminJS mounts this component twice for one click
 * (with the show page's record, then again after re-fetching it, with a Loader
 * in between, so no state or ref survives): the second mount joins the first
 * one's request instead of sending another, and only a mounted one announces.
 * The key holds the navigation's own key, so the next click runs anew.
 */
const runs = new Map<string, Run>();
const FORGET_AFTER_MS = 60_000;

function runOnce(key: string, post: () => Promise<Outcome>): Run {
  let run = runs.get(key);
  if (!run) {
    const outcome = post();
    run = { outcome, announced: false };
    runs.set(key, run);
    // A run nobody announced (the admin went elsewhere) is dropped after a while.
    void outcome.finally(() => setTimeout(() => runs.delete(key), FORGET_AFTER_MS));
  }
  return run;
}

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
