import { randomUUID } from 'node:crypto';
import { ValidationError, type ActionContext, type ActionRequest, type BaseRecord, type PropertyErrors } from 'adminjs';
import type { FieldErrors, Validated } from '@app/oauth-mail';
import type { AuditedContext } from '../audit/audit-trail.js';
import { withoutSecrets } from './secret-params.js';

interface SaveHookOptions<Row extends { id: string }> {
  /** The fields a form may write; anything else in the payload is dropped. */
  editable: readonly string[];
  /** The stored row, secrets included, for an edit. */
  load(id: string): Promise<Row | null>;
  /** The library's validation: column values to write, or field errors. */
  prepare(input: Record<string, unknown>, existing: Row | null, id: string, context: ActionContext): Validated<object> | Promise<Validated<object>>;
}

/**
 * A `before` hook for `new` and `edit`: the library validates the form and
 * encrypts its secrets, and only then does the adapter write, so bad input
 * never reaches the database. A new row gets its id here because secrets are
 * bound to it.
 */
export function saveHook<Row extends { id: string }>(options: SaveHookOptions<Row>) {
  return async (request: ActionRequest, context: ActionContext): Promise<ActionRequest> => {
    if (request.method !== 'post') return request;
    const payload = request.payload ?? {};
    const input = Object.fromEntries(options.editable.filter((f) => f in payload).map((f) => [f, payload[f]]));
    const existingId = context.record?.id();
    const existing = existingId ? await options.load(String(existingId)) : null;
    const id = existing?.id ?? randomUUID();
    const result = await options.prepare(input, existing, id, context);
    if (!result.ok) {
      // AdminJS answers a thrown ValidationError with `context.record`, and the form lays its params over
      // what the admin typed: so that record must be the one as typed, or the next save would store the old values.
      context.record = asTyped(payload, options.editable, context);
      throw new ValidationError(toPropertyErrors(result.errors), {
        message: 'Some fields need attention: see the messages under them.',
        type: 'validation',
      });
    }
    // For the audit trail (audit/audit-trail.ts): which columns this save writes anew, never their values.
    const before = (existing ?? {}) as Record<string, unknown>;
    (context as AuditedContext).auditChanges = Object.entries(result.value)
      .filter(([column, value]) => JSON.stringify(before[column] ?? null) !== JSON.stringify(value ?? null))
      .map(([column]) => column.replace(/Encrypted$/, ''))
      .sort();
    return { ...request, payload: { ...result.value, ...(existing ? {} : { id }) } };
  };
}

/**
 * The record as the admin typed it: the stored one (edit) or a new one, with the
 * typed editable fields laid over it. Typed secrets are left out: they are never
 * echoed back, and the form keeps its own copy.
 */
function asTyped(payload: Record<string, unknown>, editable: readonly string[], context: ActionContext): BaseRecord {
  const typed = withoutSecrets(Object.fromEntries(Object.entries(payload).filter(([key]) => editable.includes(key.split('.')[0]))));
  if (!context.record) return context.resource.build(typed);
  context.record.storeParams(typed);
  return context.record;
}

function toPropertyErrors(errors: FieldErrors): PropertyErrors {
  return Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, { message, type: 'invalid' }]));
}

/** A `before` hook for `delete` that refuses, with a notice, when `refusal` gives a reason. */
export function deleteGuard(refusal: (id: string, context: ActionContext) => string | null | Promise<string | null>) {
  return async (request: ActionRequest, context: ActionContext): Promise<ActionRequest> => {
    if (request.method !== 'post') return request;
    const reason = await refusal(String(context.record?.id()), context);
    if (reason) throw new ValidationError({}, { message: reason, type: 'forbidden' });
    return request;
  };
}
