import { Inject, Injectable } from '@nestjs/common';
import { ConfigurationError, type OAuthMailError } from '../errors/oauth-mail.error.js';
import { backoffDelay, type BackoffPolicy } from '../net/backoff.js';
import { OAUTH_MAIL_MODULE_OPTIONS } from '../oauth-mail.module-definition.js';
import type { OAuthMailModuleOptions } from '../oauth-mail.options.js';
import { DatabaseClock } from './database.clock.js';

const DEFAULT_POLICY: BackoffPolicy = { baseMs: 1_000, maxMs: 600_000 };

/** A client's wait: its end (epoch ms on the database's clock, and as this process's time for callers), and the failure that started it. */
export interface Waiting {
  readonly until: number;
  readonly retryAfter: Date;
  readonly cause: OAuthMailError;
}

/**
 * Per client, how long this process leaves the token endpoint alone after a temporary
 * failure: so a provider that throttles (429) or is down (5xx, timeouts, DNS) gets one
 * request per wait from each process instead of one per caller, and its `Retry-After`
 * is honoured up to the cap. Times are on the database's clock, as token freshness is.
 */
@Injectable()
export class RefreshBackoff {
  private readonly failures = new Map<string, Waiting & { attempt: number }>();
  private readonly policy: BackoffPolicy;

  constructor(
    @Inject(OAUTH_MAIL_MODULE_OPTIONS) options: Pick<OAuthMailModuleOptions, 'refreshBackoff'>,
    private readonly clock: DatabaseClock,
  ) {
    this.policy = { ...DEFAULT_POLICY, ...options.refreshBackoff };
    const { baseMs, maxMs } = this.policy;
    if (!(Number.isSafeInteger(baseMs) && baseMs > 0 && Number.isSafeInteger(maxMs) && maxMs >= baseMs)) {
      throw new ConfigurationError(`OAuthMailModule refreshBackoff: baseMs (${baseMs}) and maxMs (${maxMs}) must be whole milliseconds, baseMs above 0 and maxMs at least baseMs.`);
    }
  }

  /** The client's current wait, if its refreshes wait: until when (epoch ms, the database's clock) and after what failure. */
  waiting(clientId: string): Waiting | null {
    const failure = this.failures.get(clientId);
    return failure && failure.until > this.clock.now() ? failure : null;
  }

  /** Records a temporary failure, with the wait the provider asked for (ms, if it did); answers the wait it starts. */
  failed(clientId: string, cause: OAuthMailError, askedMs: number | null): Waiting {
    const attempt = (this.failures.get(clientId)?.attempt ?? -1) + 1;
    const wait = Math.max(backoffDelay(attempt, this.policy), Math.min(askedMs ?? 0, this.policy.maxMs));
    const failure = { attempt, until: this.clock.now() + wait, retryAfter: new Date(Date.now() + wait), cause };
    this.failures.set(clientId, failure);
    return failure;
  }

  /** The client's token endpoint answered, or the client changed: the next failure starts from the base wait again. */
  clear(clientId: string): void {
    this.failures.delete(clientId);
  }
}
