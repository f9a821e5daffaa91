import type { OAuthClient } from '../entities/oauth-client.entity.js';
import { ValidationStatus } from '../entities/oauth-client.enums.js';
import type { ErrorCode } from '../errors/error-codes.js';

/** What a client is wanted for: to start or finish a Validate, to hand out its tokens, or to sign people in. */
export type ClientUse = 'validate' | 'tokens' | 'sign_in';

/**
 * Why a client cannot serve `use` right now, in words for the person who
 * asked, or null. The one place that decides whether a client is usable.
 */
export function clientRefusal(client: OAuthClient | null, use: ClientUse): { code: ErrorCode; message: string } | null {
  // Sign-in is public: it says no more than that the option is gone.
  if (use === 'sign_in') {
    return client?.type === 'user' && client.status === 'enabled' ? null : { code: 'CLIENT_DISABLED', message: 'This sign-in option is not available.' };
  }
  if (!client) return { code: 'NOT_FOUND', message: 'This OAuth client does not exist any more.' };
  if (client.status === 'disabled') {
    return { code: 'CLIENT_DISABLED', message: `The OAuth client "${client.name}" is disabled. Set its Status to enabled and save${use === 'validate' ? ', then Validate' : ''}.` };
  }
  if (use === 'validate') return null;
  if (client.validationStatus === ValidationStatus.NeedsRevalidation) {
    return { code: 'TOKEN_REVOKED', message: `The OAuth client "${client.name}" must be validated again${client.lastError ? `: ${client.lastError}` : '.'}` };
  }
  if (!client.accessTokenEncrypted) return { code: 'CLIENT_NOT_VALIDATED', message: `The OAuth client "${client.name}" has not been validated yet. Click Validate on the client.` };
  return null;
}
