/**
 * The wait an HTTP `Retry-After` header asks for (RFC 9110 §10.2.3), in ms from `now`:
 * delay-seconds or an HTTP date. Null when it is absent or says neither; a date in the
 * past is no wait. The caller caps it: a server does not get to stop refreshes for days.
 */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | null {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Only the date forms HTTP allows: a bare number or other text that Date.parse accepts is no date here.
  if (!/^[A-Za-z]{3,9},? /.test(value)) return null;
  // asctime's form carries no zone, and means GMT.
  const at = Date.parse(/\d{4}$/.test(value) ? `${value} GMT` : value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
