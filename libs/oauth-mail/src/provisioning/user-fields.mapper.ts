/** Keys that would reach Object.prototype if a mapping ever wrote them onto a plain object. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

// Control characters (CR, LF, NUL…) and invisible or direction-changing marks never reach a user's fields.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

/** A claim value as a field may hold it: single line, visible characters, at most 320 characters. */
export const cleanFieldValue = (value: string | number | boolean) => String(value).replace(UNSAFE, ' ').trim().slice(0, 320);

/**
 * Applies User Fields (`field = claim`) to the claims of a signed-in person.
 * Only string, number and boolean claims are copied, cleaned; the result has no prototype.
 */
export function mapUserFields(mapping: Record<string, string> | null, claims: Record<string, unknown>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [field, claim] of Object.entries(mapping ?? {})) {
    if (FORBIDDEN.has(field)) continue;
    const value = Object.hasOwn(claims, claim) ? claims[claim] : undefined;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[field] = cleanFieldValue(value);
  }
  return out;
}

export const isForbiddenFieldName = (name: string) => FORBIDDEN.has(name);
