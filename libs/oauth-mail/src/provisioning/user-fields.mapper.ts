/** Keys that would reach Object.prototype if a mapping ever wrote them onto a plain object. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Applies User Fields (`field = claim`) to the claims of a signed-in person.
 * Only string, number and boolean claims are copied; the result has no prototype.
 */
export function mapUserFields(mapping: Record<string, string> | null, claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [field, claim] of Object.entries(mapping ?? {})) {
    if (FORBIDDEN.has(field)) continue;
    const value = Object.hasOwn(claims, claim) ? claims[claim] : undefined;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[field] = String(value).slice(0, 320);
  }
  return out;
}

export const isForbiddenFieldName = (name: string) => FORBIDDEN.has(name);
