import { Logger } from '@nestjs/common';
import type { ActionContext, ActionRequest, ActionResponse, ResourceWithOptions } from 'adminjs';
import type { Repository } from 'typeorm';
import type { AuditEvent } from './audit-event.entity.js';

/** The columns a save writes anew, left on the context by the save hook. */
export type AuditedContext = ActionContext & { auditChanges?: string[] };

const logger = new Logger('Audit');
const VERBS: Record<string, string> = { new: 'created', edit: 'changed', delete: 'deleted', bulkDelete: 'deleted' };

/**
 * Records who created, changed or deleted which record, and which fields a
 * change touched (names only: values such as secrets are never kept), in the
 * audit_event table (the panel's Audit log) and the app log. Changes to
 * sign-in rules (User Create Expression, User Fields) are thereby traceable.
 */
export function withAuditTrail(events: Repository<AuditEvent>) {
  return (resource: ResourceWithOptions): ResourceWithOptions => {
    const actions = { ...(resource.options.actions ?? {}) } as Record<string, Record<string, unknown>>;
    for (const name of Object.keys(VERBS)) {
      const action = actions[name] ?? {};
      const after = action.after ? [action.after].flat() : [];
      actions[name] = { ...action, after: [...after, audit(name, events)] };
    }
    return { ...resource, options: { ...resource.options, actions } };
  };
}

function audit(action: string, events: Repository<AuditEvent>) {
  return async (response: ActionResponse, request: ActionRequest, context: AuditedContext): Promise<ActionResponse> => {
    const failed = response.notice?.type === 'error' || Object.keys((response.record as { errors?: object } | undefined)?.errors ?? {}).length > 0;
    if (request.method !== 'post' || failed) return response;
    const records = (response.records ?? [response.record]) as ({ id?: string | number; title?: string } | undefined)[];
    const event = {
      actor: String(context.currentAdmin?.email ?? 'unknown'),
      action: VERBS[action],
      resource: context.resource.id(),
      records: records.map((r) => String(r?.title || r?.id || '?')).join(', ').slice(0, 2000),
      recordIds: records.map((r) => String(r?.id ?? '?')).join(', ').slice(0, 2000),
      fields: action === 'edit' || action === 'new' ? (context.auditChanges ?? []).join(', ').slice(0, 2000) || null : null,
    };
    try {
      await events.insert(events.create(event));
    } catch (error) {
      // The change itself is saved: report the lost audit entry to the log rather than failing the admin's action.
      logger.error(`Could not store the audit entry (${(error as Error).name}); the entry follows.`);
    }
    logger.log(`${event.actor} ${event.action} ${event.resource} ${event.recordIds}${event.fields === null ? '' : `: ${event.fields || 'nothing changed'}`}`);
    return response;
  };
}
