import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { SecretVault } from '../crypto/secret-vault.js';
import { EgressPolicy } from '../egress/egress-policy.js';
import { OAuthClient } from '../entities/oauth-client.entity.js';
import { OAuthTransaction } from '../entities/oauth-transaction.entity.js';
import type { ErrorCode } from '../errors/error-codes.js';
import { OAuthMailError } from '../errors/oauth-mail.error.js';
import { cleanProviderText } from '../errors/provider-hints.js';
import { IssuerDiscovery } from '../clients/issuer-metadata.js';
import { OAuthClientService } from '../clients/oauth-client.service.js';
import { OAuthProviderRegistry } from '../providers/oauth-provider.registry.js';
import type { ProviderSignInContext } from '../providers/provider-sign-in.js';
import { TokenEndpointClient } from '../tokens/token-endpoint.client.js';
import { proxyUrl } from '../net/proxy-tunnel.js';
import type { TokenSet } from '../tokens/token-set.js';
import { isLoopbackHost } from '../validation/field-rules.js';
import { consumeAuthorizationResponse, hashState, issuerRefusal, type ResponseRefusal } from './authorization-response.js';

/** Pending requests expire after 10 minutes; expired rows are deleted an hour later (until then "already used" and "expired" can be told apart). */
const TRANSACTION_TTL_MS = 10 * 60 * 1000;
const PURGE_AFTER_MS = 60 * 60 * 1000;
// Discovery happens while a person waits for the provider's page: keep it short.
const DISCOVERY_TIMEOUT_MS = 5000;

const random = () => randomBytes(32).toString('base64url');

export type FlowFailure = { ok: false; code: ErrorCode; message: string };

/** Who may complete a request: Validate binds it to the admin (or none, for Copy URL); sign-in to a browser session. */
export interface FlowStart {
  purpose: OAuthTransaction['purpose'];
  initiatedBy: string | null;
  /** Pre-fills the account at the provider (login_hint). */
  loginHint?: string | null;
}

/** A checked, consumed authorization response. */
export type ConsumedResponse = { ok: true; tx: OAuthTransaction; params: Record<string, string> };

/**
 * The authorization-code flow that Validate, Copy URL and sign-in share:
 * 256-bit state (stored hashed, single use), PKCE S256, a nonce whenever
 * `openid` is asked for, an optional login_hint, and the RFC 9207 `iss`
 * check. The code is exchanged through the token endpoint client; what the
 * tokens mean is the caller's business.
 */
@Injectable()
export class AuthorizationCodeFlow {
  constructor(
    @InjectRepository(OAuthTransaction) private readonly transactions: Repository<OAuthTransaction>,
    private readonly clientService: OAuthClientService,
    private readonly providers: OAuthProviderRegistry,
    private readonly vault: SecretVault,
    private readonly endpoint: TokenEndpointClient,
    private readonly discovery: IssuerDiscovery,
    private readonly egress: EgressPolicy,
  ) {}

  /** Records a pending request and returns the provider's authorization URL. */
  async start(client: OAuthClient, start: FlowStart): Promise<{ ok: true; authorizeUrl: string } | FlowFailure> {
    const proxyRefused = client.proxy ? await this.egress.refusal(proxyUrl(client.proxy).hostname) : null;
    if (proxyRefused) return { ok: false, code: 'EGRESS_BLOCKED', message: `The request could not start: ${proxyRefused.message} Check the Proxy.` };
    await this.transactions.delete({ expiresAt: LessThan(new Date(Date.now() - PURGE_AFTER_MS)) });
    const settings = this.clientService.settings(client);
    const verifier = random();
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const adapter = start.purpose === 'sign_in' ? this.providers.get(client.provider).signIn : undefined;

    let authorizeUrl: string;
    let state: string;
    let nonce: string | null;
    if (adapter) {
      const started = await adapter.start(this.signInContext(client, new URL(settings.authorizeUrl).origin), challenge);
      if (!started.ok) return started;
      ({ authorizeUrl, state, nonce } = started.value);
    } else {
      state = random();
      // OpenID Connect: a nonce binds the ID token to this request, and some servers refuse a request without one.
      nonce = settings.scopes.includes('openid') ? random() : null;
      const url = new URL(settings.authorizeUrl);
      const params = {
        ...settings.authorizeParams,
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: this.clientService.redirectUri(client.id),
        scope: settings.scopes.join(settings.scopeSeparator),
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        ...(nonce ? { nonce } : {}),
        ...(start.loginHint ? { login_hint: start.loginHint } : {}),
      };
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      authorizeUrl = url.toString();
    }
    const endpoint = new URL(authorizeUrl);
    endpoint.search = '';
    // RFC 9207: a server whose metadata promises `iss` in every answer must name itself exactly.
    const metadata = await this.discovery.discover({ authorizeUrl: endpoint.toString(), issuer: settings.issuer, proxy: client.proxy, verifySsl: client.verifySsl, timeoutMs: DISCOVERY_TIMEOUT_MS });
    const id = randomUUID();
    await this.transactions.insert({
      id,
      stateHash: hashState(state),
      clientId: client.id,
      purpose: start.purpose,
      initiatedBy: start.initiatedBy,
      redirectUri: this.clientService.redirectUri(client.id),
      expectedIssuerOrigin: endpoint.origin,
      expectedIssuer: metadata?.answersWithIss ? metadata.issuer : null,
      nonceHash: nonce ? hashState(nonce) : null,
      codeVerifierEncrypted: this.vault.seal(OAuthTransaction, id, 'codeVerifierEncrypted', verifier),
      // Only an adapter that compares the nonce itself needs it back.
      nonceEncrypted: adapter && nonce ? this.vault.seal(OAuthTransaction, id, 'nonceEncrypted', nonce) : null,
      expiresAt: new Date(Date.now() + TRANSACTION_TTL_MS),
      consumedAt: null,
    });
    return { ok: true, authorizeUrl };
  }

  /** The purpose of the pending request an answer belongs to, without consuming it. */
  async purposeOf(query: Readonly<Record<string, unknown>>): Promise<OAuthTransaction['purpose'] | null> {
    if (typeof query.state !== 'string') return null;
    const tx = await this.transactions.findOne({ where: { stateHash: hashState(query.state) }, select: ['id', 'purpose'] });
    return tx?.purpose ?? null;
  }

  /**
   * Checks an answer and consumes its transaction once (before anything is
   * sent to the provider), then applies the RFC 9207 `iss` check. `again`
   * tells the person how to start over.
   */
  async consume(
    clientId: string,
    query: Readonly<Record<string, unknown>>,
    purpose: OAuthTransaction['purpose'],
    binding: (tx: OAuthTransaction) => string | null,
    again: string,
  ): Promise<ConsumedResponse | ResponseRefusal> {
    const checked = await consumeAuthorizationResponse(this.transactions, clientId, query, purpose, binding, again);
    if (!checked.ok) return checked;
    const refusal = issuerRefusal(checked.tx, checked.params);
    if (refusal) return { ok: false, clientId, code: 'ISSUER_MISMATCH', message: refusal };
    return checked;
  }

  /** Exchanges the code with the PKCE verifier of the request it answers. */
  async redeem(client: OAuthClient, tx: OAuthTransaction, code: string): Promise<{ ok: true; tokens: TokenSet } | FlowFailure> {
    try {
      const tokens = await this.endpoint.exchangeCode(
        this.clientService.tokenEndpoint(client),
        code,
        tx.redirectUri,
        this.vault.open(OAuthTransaction, tx, 'codeVerifierEncrypted')!,
      );
      return { ok: true, tokens };
    } catch (error) {
      return error instanceof OAuthMailError
        ? { ok: false, code: error.code, message: error.message }
        : { ok: false, code: 'PROVIDER_ERROR', message: "The provider's answer could not be processed." };
    }
  }

  /** What a provider's own sign-in adapter needs. */
  signInContext(client: OAuthClient, expectedIssuerOrigin: string): ProviderSignInContext {
    const settings = this.clientService.settings(client);
    const redirectUri = this.clientService.redirectUri(client.id);
    return {
      clientId: client.clientId,
      clientSecret: this.vault.open(OAuthClient, client, 'clientSecretEncrypted') ?? '',
      tenantId: client.tenantId,
      discoveryUrl: settings.discoveryUrl ?? '',
      redirectUri,
      scopes: settings.scopes,
      allowHttpRedirect: isLoopbackHost(new URL(redirectUri).hostname),
      proxy: client.proxy ? proxyUrl(client.proxy).toString() : undefined,
      expectedIssuerOrigin,
    };
  }
}

/**
 * Why an ID token received straight from the token endpoint (over TLS, so its
 * signature may go unchecked: OIDC Core §3.1.3.7) does not answer this
 * request: issued for another client, or without the nonce that was sent.
 */
export function idTokenRefusal(claims: Record<string, unknown>, clientId: string, tx: Pick<OAuthTransaction, 'nonceHash'>): FlowFailure | null {
  if (!(Array.isArray(claims.aud) ? claims.aud.includes(clientId) : claims.aud === clientId)) {
    return { ok: false, code: 'PROVIDER_ERROR', message: 'The ID token was issued for another application; the answer was refused.' };
  }
  if (tx.nonceHash && (typeof claims.nonce !== 'string' || hashState(claims.nonce) !== tx.nonceHash)) {
    return { ok: false, code: 'INVALID_STATE', message: 'The ID token does not answer this request (nonce mismatch); it was refused.' };
  }
  return null;
}

/** The provider's error answer (RFC 6749 §4.1.2.1), cleaned for display, with its remedy when one is known. */
export function providerErrorOf(params: Readonly<Record<string, string>>, hint: (error: string, description: string) => string | null) {
  const description = cleanProviderText(params.error_description);
  return { denied: params.error === 'access_denied', description, hint: hint(params.error, description), error: cleanProviderText(params.error, 60) };
}
