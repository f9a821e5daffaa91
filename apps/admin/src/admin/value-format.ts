/** `field = claim` lines, as the form's textarea edits a mapping. */
export function formatMapping(value: unknown): string | null {
  if (!value || typeof value !== 'object') return null;
  return Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k} = ${String(v)}`).join('\n') || null;
}

export function formatList(value: unknown): string | null {
  return Array.isArray(value) && value.length ? value.join(', ') : null;
}
