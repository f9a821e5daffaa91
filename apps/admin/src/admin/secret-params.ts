import { SECRET_FIELD_NAMES } from '@app/oauth-mail';

/** The library's secret names, plus the app's own: admins' password hashes. */
const SECRET_NAMES = new Set([...SECRET_FIELD_NAMES, 'passwordHash']);

/**
 * Record params that hold secrets, in any form: ciphertext columns (named
 * `…Encrypted`) and the write-only fields typed in forms. They never leave the server.
 */
export const isSecretParam = (key: string): boolean => {
  const name = key.split('.')[0];
  return name.endsWith('Encrypted') || SECRET_NAMES.has(name);
};

/** Drops secret params from a flattened params object. */
export function withoutSecrets<T extends Record<string, unknown>>(params: T): T {
  return Object.fromEntries(Object.entries(params ?? {}).filter(([key]) => !isSecretParam(key))) as T;
}

interface RecordJsonLike {
  params?: Record<string, unknown>;
  populated?: Record<string, RecordJsonLike | null | undefined>;
}

/** Removes secrets from a record in an action response, populated references included. */
export function scrubRecordJson(record: RecordJsonLike | null | undefined): void {
  if (!record || typeof record !== 'object') return;
  if (record.params) record.params = withoutSecrets(record.params);
  for (const ref of Object.values(record.populated ?? {})) scrubRecordJson(ref);
}

/**
 * An `after` hook for every action: whatever a handler put in its response
 * (a typed secret echoed back with a validation error, say), no secret leaves.
 */
export function scrubActionResponse<R extends { record?: RecordJsonLike; records?: RecordJsonLike[] }>(response: R): R {
  scrubRecordJson(response?.record);
  response?.records?.forEach(scrubRecordJson);
  return response;
}
