import type { ErrorCode } from './error-codes.js';
import { OAuthMailError } from './oauth-mail.error.js';

/**
 * A failed call to a token endpoint. `message` is written for an admin and
 * never holds a token or secret; the provider's own error code and HTTP status
 * are kept for classification.
 */
export class OAuthTokenError extends OAuthMailError {
  /** How long the provider asked to be left alone (its Retry-After, uncapped), from its answer. */
  readonly retryAfterMs: number | null;

  constructor(
    code: ErrorCode,
    message: string,
    readonly providerError: string | null = null,
    readonly status: number | null = null,
    options?: { cause?: unknown; retryAfterMs?: number | null },
  ) {
    super(code, message, code === 'PROVIDER_UNAVAILABLE', options);
    this.retryAfterMs = options?.retryAfterMs ?? null;
  }
}
