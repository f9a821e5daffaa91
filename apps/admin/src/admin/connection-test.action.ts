import type { ActionContext, ActionRequest } from 'adminjs';
import { Components } from './component-loader.js';

/** What a connection test answers: a message for the admin, and where it failed. */
type TestOutcome = { ok: true; message: string } | { ok: false; stage: string; code: string; message: string };

/**
 * A record action that tests a connection (mailbox Check, directory Test
 * connection): POST only, since it reaches out and writes the outcome on the
 * record; the outcome comes back as a notice. `recorded` names the columns the
 * test wrote, so the record answered is current without reading it again.
 */
export function connectionTestAction<R extends TestOutcome>(run: (id: string) => Promise<R>, recorded: (result: R) => Record<string, unknown>) {
  return {
    actionType: 'record' as const,
    icon: 'Activity',
    component: Components.CheckAction,
    handler: async (request: ActionRequest, _res: unknown, { record, currentAdmin }: ActionContext) => {
      if (request.method !== 'post') return { record: record!.toJSON(currentAdmin) };
      const result = await run(String(record!.id()));
      record!.storeParams(recorded(result));
      return {
        record: record!.toJSON(currentAdmin),
        notice: { message: result.message, type: result.ok ? 'success' : 'error' },
        check: result.ok ? { ok: true } : { ok: false, stage: result.stage, code: result.code },
      };
    },
  };
}
