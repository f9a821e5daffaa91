/** How a retry waits longer after each failure, up to a ceiling. */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * The wait before retry number `attempt` (0 for the first retry): exponential, capped, and
 * jittered over its upper half, so processes that failed together do not retry together.
 */
export function backoffDelay(attempt: number, { baseMs, maxMs }: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
