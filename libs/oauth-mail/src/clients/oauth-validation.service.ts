import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AuthorizationCodeFlow, idTokenRefusal, providerErrorOf } from '../authorization/authorization-code.flow.js';
import { OAuthClient } from '../entities/oauth-client.entity.js';
import { clientRefusal } from './oauth-client.usability.js';
import { ValidationStatus } from '../entities/oauth-client.enums.js';
import type { ErrorCode } from '../errors/error-codes.js';
import { OAuthProviderRegistry } from '../providers/oauth-provider.registry.js';
import { identityFromClaims, idTokenClaims } from '../tokens/token-set.js';
import { TokenService } from '../tokens/token.service.js';

/** The result of a Validate callback: expected failures are values. */
export type ValidationOutcome =
  | { ok: true; clientId: string; identity: string | null }
  /** `recorded`: the message was also stored as the client's lastError. */
  | { ok: false; clientId: string | null; code: ErrorCode; message: string; recorded: boolean };

/**
 * Validate and Copy URL: the authorization-code flow that obtains and stores a
 * client's tokens. The state record binds the callback to its client and
 * initiating admin, so Copy URL works from a private window.
 */
@Injectable()
export class OAuthValidationService {
  constructor(
    @InjectRepository(OAuthClient) private readonly clients: Repository<OAuthClient>,
    private readonly flow: AuthorizationCodeFlow,
    private readonly providers: OAuthProviderRegistry,
    private readonly tokens: TokenService,
  ) {}

  /** Builds the provider's authorization URL for a client, recording the pending transaction. */
  async start(clientId: string, initiatedBy: string | null): Promise<{ ok: true; authorizeUrl: string } | { ok: false; code: ErrorCode; message: string }> {
    const client = await this.clients.findOneBy({ id: clientId });
    const refused = clientRefusal(client, 'validate');
    if (refused) return { ok: false, ...refused };
    return this.flow.start(client!, { purpose: 'validate', initiatedBy });
  }

  /**
   * Completes a callback. `sessionAdminId` is the admin of the browser's
   * session, or null in a private window (Copy URL).
   */
  async complete(clientId: string, query: Readonly<Record<string, unknown>>, sessionAdminId: string | null): Promise<ValidationOutcome> {
    const checked = await this.flow.consume(
      clientId,
      query,
      'validate',
      // Copy URL: a browser without a session completes on the record alone; another admin's session is refused.
      (tx) => (sessionAdminId && tx.initiatedBy && sessionAdminId !== tx.initiatedBy
        ? 'This validation was started by another admin. Open the link in a private window, or click Validate yourself.'
        : null),
      'Click Validate again.',
    );
    if (!checked.ok) {
      return checked.code === 'ISSUER_MISMATCH'
        ? this.failed(clientId, 'ISSUER_MISMATCH', `${checked.message} Check Url Authorize, then Validate again.`)
        : { ...checked, recorded: false };
    }
    const { tx, params } = checked;
    const client = await this.clients.findOneBy({ id: clientId });
    if (!client) return { ok: false, clientId: null, code: 'NOT_FOUND', message: 'This OAuth client does not exist any more.', recorded: false };
    if (params.error) {
      const { denied, description, hint, error } = providerErrorOf(params, this.providers.hintFor(client.provider));
      return denied
        ? this.failed(clientId, 'CONSENT_DENIED', `The consent was refused or cancelled at the provider${description ? ` (${description})` : ''}. Click Validate and accept the requested permissions.`, false)
        : this.failed(clientId, 'PROVIDER_ERROR', hint ?? `The provider answered ${error}${description ? `: ${description}` : ''}.`);
    }
    if (!params.code) return { ok: false, clientId, code: 'INVALID_STATE', message: 'The answer carries no authorization code. Click Validate again.', recorded: false };
    const unusable = clientRefusal(client, 'validate');
    if (unusable) return this.failed(clientId, unusable.code, unusable.message, false);

    const redeemed = await this.flow.redeem(client, tx, params.code);
    if (!redeemed.ok) return this.failed(clientId, redeemed.code, redeemed.message);
    const { tokens } = redeemed;
    const claims = idTokenClaims(tokens.idToken);
    const refused = claims ? idTokenRefusal(claims, client.clientId, tx) : tokens.idToken ? { code: 'PROVIDER_ERROR' as const, message: 'The provider returned an ID token that cannot be read; the answer was refused.' } : null;
    if (refused) return this.failed(clientId, refused.code, refused.message);
    if (client.type === 'mailbox' && !tokens.refreshToken) {
      return this.failed(clientId, 'PROVIDER_ERROR',
        'The provider returned no refresh token, so mail access would stop within the hour. Add offline_access to Scope (Google: its defaults ask for offline access), then Validate again.');
    }
    const identity = identityFromClaims(claims);
    await this.tokens.saveValidation(client, tokens, identity);
    return { ok: true, clientId, identity };
  }

  /** Records the failure on the client (never a secret) and returns it. A valid client keeps its tokens and status. */
  private async failed(clientId: string, code: ErrorCode, message: string, setErrorStatus = true): Promise<ValidationOutcome> {
    await this.clients.update({ id: clientId }, { lastError: message });
    if (setErrorStatus) {
      await this.clients.update({ id: clientId, validationStatus: ValidationStatus.NotValidated }, { validationStatus: ValidationStatus.Error });
    }
    return { ok: false, clientId, code, message, recorded: true };
  }
}
