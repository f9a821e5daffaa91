import type { ErrorCode } from './error-codes.js';

/**
 * Base class of every error the library throws. Messages never contain a
 * secret; the underlying error, if any, is kept as `cause`.
 */
export class OAuthMailError extends Error {
  /** For a retryable error: the earliest time a retry can succeed, when the library knows it (a provider's Retry-After, a backoff). */
  readonly retryAfter: Date | null;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryable = false,
    options?: { cause?: unknown; retryAfter?: Date | null },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.retryAfter = options?.retryAfter ?? null;
  }
}

/** Invalid module options or environment; raised at boot so the app refuses to start. */
export class ConfigurationError extends OAuthMailError {
  constructor(message: string) {
    super('CONFIGURATION_INVALID', message);
  }
}

/** A stored secret could not be decrypted. Never falls back to reading the value as plain text. */
export class SecretDecryptError extends OAuthMailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SECRET_DECRYPT_FAILED', message, false, options);
  }
}

/** Field name → message an admin can act on. */
export type FieldErrors = Record<string, string>;
