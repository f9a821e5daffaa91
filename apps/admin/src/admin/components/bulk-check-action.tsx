import React, { useEffect, useMemo, useState } from 'react';
import { ApiClient, ViewHelpers, type ActionProps } from 'adminjs';
import { Badge, Box, H3, Label, MessageBox, Text } from '@adminjs/design-system';
import { useLocation } from 'react-router';
import { runOnce } from './run-once.js';

const api = new ApiClient();
const h = new ViewHelpers();
const POLL_MS = 700;

interface Line {
  mailboxId: string;
  name: string;
  ok: boolean;
  stage: string | null;
  message: string;
}

interface Progress {
  job: string;
  total: number;
  checked: number;
  failed: number;
  remaining: number;
  done: boolean;
  stopped: string | null;
  lines: Line[];
  next: number;
}

type Answer = { progress?: Progress; notice?: { message: string } } | 'failed';

const STAGES: Record<string, string> = {
  config: 'Settings',
  token: 'OAuth token',
  connect: 'Connection',
  tls: 'TLS',
  auth: 'Login',
  open: 'Folder',
};

/**
 * Check all and Check selected: starts one run per click, then shows its progress
 * (checked, failed, remaining) and every mailbox's result as it comes, filterable
 * by where a failed Check stopped.
 */
const BulkCheckAction: React.FC<ActionProps> = ({ resource, action, records }) => {
  const location = useLocation();
  const [progress, setProgress] = useState<Progress | null>(null);
  const [lines, setLines] = useState<Line[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [filter, setFilter] = useState('all');
  const ids = (records ?? []).map((r) => r.id);

  useEffect(() => {
    let mounted = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const call = (data: Record<string, unknown>): Promise<Answer> =>
      (action.actionType === 'bulk'
        ? api.bulkAction({ resourceId: resource.id, recordIds: ids, actionName: action.name, data })
        : api.resourceAction({ resourceId: resource.id, actionName: action.name, data })
      )
        .then(({ data: answer }: { data: { progress?: Progress; notice?: { message: string } } }): Answer => answer)
        .catch((): Answer => 'failed');
    const show = (answer: Answer): Progress | null => {
      if (!mounted) return null;
      if (answer === 'failed' || !answer.progress) {
        setFailure(answer === 'failed' ? 'The check could not be run. Reload the page and try again.' : (answer.notice?.message ?? 'The check could not be run.'));
        return null;
      }
      const next = answer.progress;
      setProgress(next);
      if (next.lines.length) setLines((shown) => [...shown, ...next.lines]);
      return next;
    };
    const poll = (current: Progress) => {
      if (current.done) return;
      timer = setTimeout(() => {
        void call({ job: current.job, since: current.next }).then((answer) => {
          const next = show(answer);
          if (next) poll(next);
        });
      }, POLL_MS);
    };
    const run = runOnce(`${location.key}|${resource.id}|${action.name}`, () => call({}));
    // Each mount shows the shared first answer and polls for itself (an unmounted one stops).
    void run.outcome.then((answer) => {
      const first = show(answer);
      if (first) poll(first);
    });
    return () => {
      mounted = false;
      clearTimeout(timer);
    };
  }, [location.key, resource.id, action.name]);

  const failedStages = useMemo(() => [...new Set(lines.filter((l) => !l.ok && l.stage).map((l) => l.stage!))], [lines]);
  const visible = lines.filter((l) => (filter === 'all' ? true : filter === 'failed' ? !l.ok : l.stage === filter));

  if (failure) return <Box variant="container"><MessageBox variant="danger" message={failure} /></Box>;
  return (
    <Box variant="container">
      <H3>{action.actionType === 'bulk' ? 'Checking the selected mailboxes' : 'Checking every enabled mailbox'}</H3>
      {progress && (
        <>
          <progress value={progress.checked} max={Math.max(progress.total, 1)} aria-label="Mailboxes checked" style={{ width: '100%', height: 16 }} data-testid="bulk-check-progress" />
          <Text mt="default" mb="lg" data-testid="bulk-check-counts" aria-live="polite">
            {progress.checked} of {progress.total} checked · {progress.failed} failed · {progress.remaining} remaining{progress.done ? ' · done' : '…'}
          </Text>
          {progress.stopped && <MessageBox variant="danger" message={progress.stopped} mb="lg" />}
        </>
      )}
      <Box flex alignItems="center" mb="default">
        <Label htmlFor="bulk-check-filter" mb="0" mr="default">Show</Label>
        <select id="bulk-check-filter" value={filter} onChange={(e) => setFilter(e.target.value)}>
          <option value="all">All results</option>
          <option value="failed">Failures only</option>
          {failedStages.map((stage) => <option key={stage} value={stage}>Failed at: {STAGES[stage] ?? stage}</option>)}
        </select>
      </Box>
      <table style={{ width: '100%', borderCollapse: 'collapse' }} data-testid="bulk-check-results">
        <thead>
          <tr><th style={cell}>Mailbox</th><th style={cell}>Result</th><th style={cell}>Stage</th><th style={cell}>Message</th></tr>
        </thead>
        <tbody>
          {visible.map((line) => (
            <tr key={line.mailboxId} data-result={line.ok ? 'ok' : 'failed'}>
              <td style={cell}><a href={h.recordActionUrl({ resourceId: resource.id, recordId: line.mailboxId, actionName: 'show' })}>{line.name}</a></td>
              <td style={cell}><Badge variant={line.ok ? 'success' : 'danger'} size="sm">{line.ok ? 'OK' : 'Failed'}</Badge></td>
              <td style={cell}>{line.stage ? (STAGES[line.stage] ?? line.stage) : '—'}</td>
              <td style={cell}>{line.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Box>
  );
};

const cell: React.CSSProperties = { textAlign: 'left', padding: '6px 8px', borderBottom: '1px solid #eeeeef', verticalAlign: 'top' };

export default BulkCheckAction;
