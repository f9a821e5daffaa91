import type { Strategy } from 'passport';

/** How a passport strategy ended one `authenticate` call. */
export type StrategyOutcome =
  | { kind: 'redirect'; url: string }
  | { kind: 'success'; user: unknown }
  | { kind: 'fail'; info: unknown }
  | { kind: 'error'; error: unknown };

/**
 * Runs a strategy instance outside Express middleware, the way passport does
 * (a per-call object with redirect/success/fail/error), and answers with a value.
 */
export function runStrategy(strategy: Strategy, req: object, options: object = {}): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    const call = Object.create(strategy) as Strategy & Record<string, unknown>;
    call.redirect = (url: string) => resolve({ kind: 'redirect', url });
    call.success = (user: unknown) => resolve({ kind: 'success', user });
    call.fail = (info: unknown) => resolve({ kind: 'fail', info });
    call.error = (error: unknown) => resolve({ kind: 'error', error });
    call.pass = () => resolve({ kind: 'fail', info: 'pass' });
    try {
      (call as unknown as { authenticate(req: unknown, options: object): void }).authenticate(req, options);
    } catch (error) {
      resolve({ kind: 'error', error });
    }
  });
}
