import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { SecretVault } from '../crypto/secret-vault.js';
import { OAuthClient } from '../entities/oauth-client.entity.js';
import { ValidationStatus } from '../entities/oauth-client.enums.js';
import { OAuthTransaction } from '../entities/oauth-transaction.entity.js';
import type { ErrorCode } from '../errors/error-codes.js';
import { OAuthMailError } from '../errors/oauth-mail.error.js';
import { cleanProviderText, providerHint } from '../errors/provider-hints.js';
import { runStrategy } from '../passport/run-strategy.js';
import { strategyForClient } from './client-strategy.js';
import { TransactionStateStore } from '../passport/transaction-state.store.js';
import { consumeAuthorizationResponse, issuerRefusal, requiredIssuer } from './authorization-response.js';
import { TokenEndpointClient } from '../tokens/token-endpoint.client.js';
import { identityFromClaims, idTokenClaims, type TokenSet } from '../tokens/token-set.js';
import { TokenService } from '../tokens/token.service.js';
import { EgressPolicy } from '../egress/egress-policy.js';
import { OAuthClientService } from './oauth-client.service.js';

/** The result of a Validate callback: expected failures are values. */
export type ValidationOutcome =
  | { ok: true; clientId: string; identity: string | null }
  /** `recorded`: the message was also stored as the client's lastError. */
  | { ok: false; clientId: string | null; code: ErrorCode; message: string; recorded: boolean };


/**
 * Validate: the authorization-code flow (state, PKCE S256, iss check) that
 * obtains and stores a client's tokens. The state record binds the callback
 * to its client and initiating admin, so Copy URL works from a private window.
 */
@Injectable()
export class OAuthValidationService {
  constructor(
    @InjectRepository(OAuthClient) private readonly clients: Repository<OAuthClient>,
    @InjectRepository(OAuthTransaction) private readonly transactions: Repository<OAuthTransaction>,
    private readonly clientService: OAuthClientService,
    private readonly vault: SecretVault,
    private readonly endpoint: TokenEndpointClient,
    private readonly tokens: TokenService,
    private readonly egress: EgressPolicy,
  ) {}

  /** Builds the provider's authorization URL for a client, recording the pending transaction. */
  async start(clientId: string, initiatedBy: string | null): Promise<{ ok: true; authorizeUrl: string } | { ok: false; code: ErrorCode; message: string }> {
    const client = await this.clients.findOneBy({ id: clientId });
    if (!client) return { ok: false, code: 'NOT_FOUND', message: 'This OAuth client does not exist any more.' };
    if (client.status === 'disabled') return { ok: false, code: 'CLIENT_DISABLED', message: 'This client is disabled. Set its Status to enabled, save, then Validate.' };
    const settings = this.clientService.settings(client);
    const redirectUri = this.clientService.redirectUri(client.id);
    const store = new TransactionStateStore(this.transactions, this.vault, {
      clientId: client.id,
      initiatedBy,
      redirectUri,
      expectedIssuerOrigin: new URL(settings.authorizeUrl).origin,
      expectedIssuer: await requiredIssuer(settings.authorizeUrl, this.egress, client.proxy),
    });
    const outcome = await runStrategy(this.strategy(client, store), { query: {} });
    if (outcome.kind === 'redirect') return { ok: true, authorizeUrl: outcome.url };
    return { ok: false, code: 'PROVIDER_ERROR', message: 'The authorization request could not be built. Check Url Authorize and Scope.' };
  }

  /**
   * Completes a callback. `sessionAdminId` is the admin of the browser's
   * session, or null in a private window (Copy URL).
   */
  async complete(clientId: string, query: Readonly<Record<string, unknown>>, sessionAdminId: string | null): Promise<ValidationOutcome> {
    const fail = (code: ErrorCode, message: string, id: string | null = null): ValidationOutcome => ({ ok: false, clientId: id, code, message, recorded: false });
    const checked = await consumeAuthorizationResponse(
      this.transactions,
      clientId,
      query,
      'validate',
      // Copy URL: a browser without a session completes on the record alone; another admin's session is refused.
      (tx) => (sessionAdminId && tx.initiatedBy && sessionAdminId !== tx.initiatedBy
        ? 'This validation was started by another admin. Open the link in a private window, or click Validate yourself.'
        : null),
      'Click Validate again.',
    );
    if (!checked.ok) return { ...checked, recorded: false };
    const { tx, params } = checked;
    const refusal = issuerRefusal(tx, params);
    if (refusal) return this.failed(clientId, 'ISSUER_MISMATCH', `${refusal} Check Url Authorize, then Validate again.`);
    if (params.error) {
      const description = cleanProviderText(params.error_description);
      const hint = providerHint(params.error, description);
      return params.error === 'access_denied'
        ? this.failed(clientId, 'CONSENT_DENIED', `The consent was refused or cancelled at the provider${description ? ` (${description})` : ''}. Click Validate and accept the requested permissions.`, false)
        : this.failed(clientId, 'PROVIDER_ERROR', hint ?? `The provider answered ${cleanProviderText(params.error, 60)}${description ? `: ${description}` : ''}.`);
    }
    if (!params.code) return fail('INVALID_STATE', 'The answer carries no authorization code. Click Validate again.', clientId);

    const client = await this.clients.findOneBy({ id: clientId });
    if (!client) return fail('NOT_FOUND', 'This OAuth client does not exist any more.');
    if (client.status === 'disabled') return this.failed(clientId, 'CLIENT_DISABLED', 'This client was disabled meanwhile. Enable it, then Validate again.', false);

    const verifier = this.vault.open(OAuthTransaction, tx, 'codeVerifierEncrypted')!;
    const store = new TransactionStateStore(this.transactions, this.vault, { ...tx }, verifier);
    const outcome = await runStrategy(this.strategy(client, store), { query: { code: params.code, state: params.state } });
    if (outcome.kind !== 'success') {
      const error = outcome.kind === 'error' ? unwrap(outcome.error) : null;
      if (error instanceof OAuthMailError) return this.failed(clientId, error.code, error.message);
      return this.failed(clientId, 'PROVIDER_ERROR', 'The provider\'s answer could not be processed. Click Validate again.');
    }
    const tokens = outcome.user as TokenSet;
    if (client.type === 'mailbox' && !tokens.refreshToken) {
      return this.failed(clientId, 'PROVIDER_ERROR',
        'The provider returned no refresh token, so mail access would stop within the hour. Add offline_access to Scope (Google: the preset asks for offline access), then Validate again.');
    }
    const claims = idTokenClaims(tokens.idToken);
    if (claims && !audienceIncludes(claims.aud, client.clientId)) {
      return this.failed(clientId, 'PROVIDER_ERROR', 'The ID token was issued for another application; the answer was refused.');
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

  private strategy(client: OAuthClient, store: TransactionStateStore) {
    return strategyForClient(client, store, { clientService: this.clientService, vault: this.vault, endpoint: this.endpoint });
  }

}

function audienceIncludes(aud: unknown, clientId: string): boolean {
  return Array.isArray(aud) ? aud.includes(clientId) : aud === clientId;
}

/** passport-oauth2 wraps token errors in InternalOAuthError; the original is in `oauthError`. */
function unwrap(error: unknown): unknown {
  return (error as { oauthError?: unknown })?.oauthError ?? error;
}
