/**
 * Names of record params that hold secrets, in any form: ciphertext columns and
 * the write-only fields typed in forms. They never leave the server.
 */
const SECRET_PARAM = /(Encrypted$|^clientSecret$|^password$|^bindPassword$|^passwordHash$|^accessToken$|^refreshToken$|^originalAccessToken$)/;

export const isSecretParam = (key: string): boolean => SECRET_PARAM.test(key.split('.')[0]);

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
export async function scrubActionResponse<R extends { record?: RecordJsonLike; records?: RecordJsonLike[] }>(response: R): Promise<R> {
  scrubRecordJson(response?.record);
  response?.records?.forEach(scrubRecordJson);
  return response;
}
