import { Logger } from '@nestjs/common';
import type { ActionContext, ActionRequest, ActionResponse, ResourceWithOptions } from 'adminjs';

/** The columns a save writes anew, left on the context by the save hook. */
export type AuditedContext = ActionContext & { auditChanges?: string[] };

const logger = new Logger('Audit');
const AUDITED = ['new', 'edit', 'delete', 'bulkDelete'];

/**
 * Logs who created, changed or deleted which record, and which fields a change
 * touched (names only: values such as secrets never reach the log). Changes to
 * sign-in rules (User Create Expression, User Fields) are thereby traceable.
 */
export function withAuditTrail(resource: ResourceWithOptions): ResourceWithOptions {
  const actions = { ...(resource.options.actions ?? {}) } as Record<string, Record<string, unknown>>;
  for (const name of AUDITED) {
    const action = actions[name] ?? {};
    const after = action.after ? [action.after].flat() : [];
    actions[name] = { ...action, after: [...after, audit(name)] };
  }
  return { ...resource, options: { ...resource.options, actions } };
}

function audit(action: string) {
  return async (response: ActionResponse, request: ActionRequest, context: AuditedContext): Promise<ActionResponse> => {
    const failed = response.notice?.type === 'error' || Object.keys(response.record?.errors ?? {}).length > 0;
    if (request.method !== 'post' || failed) return response;
    const who = context.currentAdmin?.email ?? 'unknown';
    const resourceId = context.resource.id();
    const ids = (response.records ?? [response.record]).map((r: { id?: unknown; params?: { id?: unknown } } | undefined) => String(r?.id ?? r?.params?.id ?? '?'));
    const fields = action === 'edit' || action === 'new' ? `: ${context.auditChanges?.length ? context.auditChanges.join(', ') : 'nothing changed'}` : '';
    const verb = { new: 'created', edit: 'changed', delete: 'deleted', bulkDelete: 'deleted' }[action];
    logger.log(`${who} ${verb} ${resourceId} ${ids.join(', ')}${fields}`);
    return response;
  };
}
