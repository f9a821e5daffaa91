import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { Repository } from 'typeorm';
import { OAuthClientService } from '../clients/oauth-client.service.js';
import { consumeAuthorizationResponse, issuerRefusal, requiredIssuer } from '../clients/authorization-response.js';
import { safeOrigin } from '../clients/issuer-metadata.js';
import { SecretVault } from '../crypto/secret-vault.js';
import { OAuthClient } from '../entities/oauth-client.entity.js';
import { OAuthTransaction } from '../entities/oauth-transaction.entity.js';
import type { ErrorCode } from '../errors/error-codes.js';
import { OAuthMailError } from '../errors/oauth-mail.error.js';
import { cleanProviderText, providerHint } from '../errors/provider-hints.js';
import { runStrategy } from '../passport/run-strategy.js';
import { strategyForClient } from '../clients/client-strategy.js';
import { hashState, TransactionStateStore } from '../passport/transaction-state.store.js';
import { startAzureSignIn, completeAzureSignIn, type AzureSignInSettings } from '../providers/azure/azure-sign-in.js';
import { isLoopbackHost } from '../validation/field-rules.js';
import { TokenEndpointClient } from '../tokens/token-endpoint.client.js';
import { EgressPolicy } from '../egress/egress-policy.js';
import { proxyUrl } from '../tokens/proxy-agent.js';
import type { TokenSet } from '../tokens/token-set.js';

/** The person a User-type client signed in, keyed on the provider's stable subject. */
export interface SignedInIdentity {
  issuer: string;
  subject: string;
  /** From Username Attribute (default `email`). */
  username: string | null;
  claims: Record<string, unknown>;
}

export type SignInOutcome =
  | { ok: true; client: OAuthClient; identity: SignedInIdentity }
  | { ok: false; code: ErrorCode; message: string };

/** A sign-in button of the admin login page. */
export interface SignInButton {
  clientId: string;
  caption: string;
  icon: string | null;
}

/** What every sign-in transaction is bound to. */
type SignInBinding = { clientId: string; initiatedBy: string; redirectUri: string; purpose: 'sign_in' };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const TIMEOUT_MS = 10_000;

/**
 * Sign-in (SSO) through a User-type client: authorization code with state,
 * PKCE and a nonce, bound to the browser session; the ID token is verified
 * (signature through the issuer's JWKS, iss, aud, exp, nonce), or the user
 * data comes from Endpoint User Data.
 */
@Injectable()
export class OAuthSignInService {
  constructor(
    @InjectRepository(OAuthClient) private readonly clients: Repository<OAuthClient>,
    @InjectRepository(OAuthTransaction) private readonly transactions: Repository<OAuthTransaction>,
    private readonly clientService: OAuthClientService,
    private readonly vault: SecretVault,
    private readonly endpoint: TokenEndpointClient,
    private readonly egress: EgressPolicy,
  ) {}

  /** Sign-in needs the app on https (loopback excepted): session cookies and codes must not cross the network in clear. */
  get available(): boolean {
    const url = new URL(this.clientService.redirectUri('x'));
    return url.protocol === 'https:' || isLoopbackHost(url.hostname);
  }

  async buttons(): Promise<SignInButton[]> {
    if (!this.available) return [];
    const clients = await this.clients.find({ where: { type: 'user', status: 'enabled' }, order: { name: 'ASC' } });
    return clients.map((c) => ({ clientId: c.id, caption: c.loginButtonCaption ?? `Sign in with ${c.name}`, icon: c.loginButtonIcon }));
  }

  /** Whether an authorization response belongs to a sign-in (rather than a Validate). */
  async isSignInResponse(query: Readonly<Record<string, unknown>>): Promise<boolean> {
    if (typeof query.state !== 'string') return false;
    const tx = await this.transactions.findOne({ where: { stateHash: hashState(query.state) }, select: ['id', 'purpose'] });
    return tx?.purpose === 'sign_in';
  }

  /** The provider's authorization URL; `sessionBinding` identifies the browser session that must come back. */
  async start(clientId: string, sessionBinding: string): Promise<{ ok: true; authorizeUrl: string } | { ok: false; code: ErrorCode; message: string }> {
    const client = await this.clients.findOneBy({ id: clientId, type: 'user' });
    if (!client || client.status !== 'enabled') return { ok: false, code: 'CLIENT_DISABLED', message: 'This sign-in option is not available.' };
    if (!this.available) return { ok: false, code: 'CONFIGURATION_INVALID', message: 'Sign-in with a provider works only when this app is reached over https. Ask an administrator to set its public URL to https.' };
    const binding = { clientId: client.id, initiatedBy: sessionBinding, redirectUri: this.clientService.redirectUri(client.id), purpose: 'sign_in' as const };
    if (client.provider === 'azure') return this.startAzure(client, binding);
    const nonce = randomBytes(32).toString('base64url');
    const { authorizeUrl } = this.clientService.settings(client);
    const store = new TransactionStateStore(this.transactions, this.vault, {
      ...binding,
      expectedIssuerOrigin: new URL(authorizeUrl).origin,
      expectedIssuer: await requiredIssuer(authorizeUrl, this.egress, client.proxy),
      nonceHash: sha256(nonce),
    });
    const outcome = await runStrategy(this.strategy(client, store, { nonce }), { query: {} });
    return outcome.kind === 'redirect'
      ? { ok: true, authorizeUrl: outcome.url }
      : { ok: false, code: 'PROVIDER_ERROR', message: 'The sign-in request could not be built.' };
  }

  async complete(clientId: string, query: Readonly<Record<string, unknown>>, sessionBinding: string | null): Promise<SignInOutcome> {
    const checked = await consumeAuthorizationResponse(
      this.transactions,
      clientId,
      query,
      'sign_in',
      (tx) => (sessionBinding && tx.initiatedBy === sessionBinding ? null : 'This sign-in was started in another browser session. Start again from the login page.'),
      'Start again from the login page.',
    );
    if (!checked.ok) return checked;
    const { tx, params } = checked;
    const fail = (code: ErrorCode, message: string): SignInOutcome => ({ ok: false, code, message });
    const refusal = issuerRefusal(tx, params);
    if (refusal) return fail('ISSUER_MISMATCH', refusal);
    if (params.error) {
      const description = cleanProviderText(params.error_description);
      return params.error === 'access_denied'
        ? fail('CONSENT_DENIED', 'The sign-in was cancelled at the provider.')
        : fail('PROVIDER_ERROR', providerHint(params.error, description) ?? `The provider refused the sign-in (${cleanProviderText(params.error, 60)}).`);
    }
    if (!params.code) return fail('INVALID_STATE', 'The answer carries no authorization code. Start again from the login page.');
    const client = await this.clients.findOneBy({ id: clientId, type: 'user' });
    if (!client || client.status !== 'enabled') return fail('CLIENT_DISABLED', 'This sign-in option is not available any more.');

    const verifier = this.vault.open(OAuthTransaction, tx, 'codeVerifierEncrypted')!;
    if (client.provider === 'azure') return this.completeAzure(client, tx, params, verifier);
    const store = new TransactionStateStore(this.transactions, this.vault, { ...tx }, verifier);
    const outcome = await runStrategy(this.strategy(client, store), { query: { code: params.code, state: params.state } });
    if (outcome.kind !== 'success') {
      const error = outcome.kind === 'error' ? ((outcome.error as { oauthError?: unknown }).oauthError ?? outcome.error) : null;
      return fail(error instanceof OAuthMailError ? error.code : 'PROVIDER_ERROR', error instanceof OAuthMailError ? error.message : 'The provider\'s answer could not be processed.');
    }
    try {
      const identity = await this.identity(client, tx, outcome.user as TokenSet);
      if (!allowed(client, identity)) return fail('CONSENT_DENIED', 'Your organisation is not allowed to sign in here. Ask an administrator for access.');
      return { ok: true, client, identity };
    } catch (error) {
      return fail('PROVIDER_ERROR', error instanceof OAuthMailError ? error.message : 'The identity from the provider could not be verified, so the sign-in was refused.');
    }
  }

  private async identity(client: OAuthClient, tx: OAuthTransaction, tokens: TokenSet): Promise<SignedInIdentity> {
    const settings = this.clientService.settings(client);
    const attribute = usernameAttribute(client);
    if (client.userDataSource === 'endpoint') {
      if (!settings.userDataEndpoint) throw new OAuthMailError('PROVIDER_ERROR', 'Endpoint User Data is not set for this client.');
      await this.reachable(settings.userDataEndpoint);
      const res = await fetch(settings.userDataEndpoint, { headers: { authorization: `Bearer ${tokens.accessToken}`, accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
      const claims = (await res.json().catch(() => null)) as Record<string, unknown> | null;
      const subject = claims?.sub ?? claims?.id;
      if (!res.ok || !claims || typeof claims !== 'object' || (typeof subject !== 'string' && typeof subject !== 'number')) {
        throw new OAuthMailError('PROVIDER_ERROR', 'Endpoint User Data did not return the signed-in user (an object with sub or id).');
      }
      return { issuer: tx.expectedIssuerOrigin, subject: String(subject), username: usernameClaim(claims, attribute), claims };
    }
    if (!tokens.idToken) throw new OAuthMailError('PROVIDER_ERROR', 'The provider returned no ID token: add openid to Scope, or use Endpoint User Data.');
    const unverified = decodeJwt(tokens.idToken);
    const issuer = typeof unverified.iss === 'string' ? unverified.iss : '';
    // The issuer must be the one the request went to (mix-up defense), and its metadata must say so too (RFC 8414 §3.3).
    if (safeOrigin(issuer) !== tx.expectedIssuerOrigin) throw new OAuthMailError('ISSUER_MISMATCH', 'The ID token comes from another issuer; the sign-in was refused.');
    await this.reachable(issuer);
    const metadata = (await (await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) })).json()) as { issuer?: string; jwks_uri?: string };
    if (metadata.issuer !== issuer || !metadata.jwks_uri || safeOrigin(metadata.jwks_uri) !== safeOrigin(issuer)) {
      throw new OAuthMailError('ISSUER_MISMATCH', 'The issuer\'s metadata does not match the ID token; the sign-in was refused.');
    }
    const { payload } = await jwtVerify(tokens.idToken, createRemoteJWKSet(new URL(metadata.jwks_uri), { timeoutDuration: TIMEOUT_MS }), {
      issuer,
      audience: client.clientId,
      clockTolerance: 60,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    if (typeof payload.nonce !== 'string' || sha256(payload.nonce) !== tx.nonceHash) throw new OAuthMailError('INVALID_STATE', 'The ID token does not answer this sign-in (nonce mismatch); it was refused.');
    const claims = payload as Record<string, unknown>;
    return { issuer, subject: String(payload.sub), username: usernameClaim(claims, attribute), claims };
  }

  /** Refuses (as the sign-in's error) a URL whose host is in a blocked network or does not resolve. */
  private async reachable(url: string): Promise<void> {
    const refused = await this.egress.refusal(new URL(url).hostname);
    if (refused) throw new OAuthMailError(refused.reason === 'blocked' ? 'EGRESS_BLOCKED' : 'PROVIDER_UNAVAILABLE', `The sign-in was refused: ${refused.message}`);
  }

  /** Azure: passport-azure-ad builds the request (its own state and nonce, kept in our transaction); we add PKCE. */
  private async startAzure(client: OAuthClient, binding: SignInBinding): Promise<{ ok: true; authorizeUrl: string } | { ok: false; code: ErrorCode; message: string }> {
    const proxyRefused = client.proxy ? await this.egress.refusal(proxyUrl(client.proxy).hostname) : null;
    if (proxyRefused) return { ok: false, code: 'EGRESS_BLOCKED', message: `The sign-in could not start: ${proxyRefused.message}` };
    const verifier = randomBytes(32).toString('base64url');
    const started = await startAzureSignIn(this.azureSettings(client), createHash('sha256').update(verifier).digest('base64url'));
    if (!started.ok) return { ok: false, code: 'PROVIDER_ERROR', message: started.message };
    const { authorizeUrl, state, nonce } = started.value;
    const endpoint = new URL(authorizeUrl);
    endpoint.search = '';
    const expectedIssuer = await requiredIssuer(endpoint.toString(), this.egress, client.proxy);
    const store = new TransactionStateStore(this.transactions, this.vault, { ...binding, expectedIssuerOrigin: endpoint.origin, expectedIssuer, nonceHash: sha256(nonce) });
    await store.insert(state, verifier, nonce);
    return { ok: true, authorizeUrl };
  }

  /** Azure: passport-azure-ad redeems the code and validates the ID token; (tid, oid) is the stable key. */
  private async completeAzure(client: OAuthClient, tx: OAuthTransaction, params: Record<string, string>, verifier: string): Promise<SignInOutcome> {
    const fail = (code: ErrorCode, message: string): SignInOutcome => ({ ok: false, code, message });
    const nonce = this.vault.open(OAuthTransaction, tx, 'nonceEncrypted');
    if (!nonce) return fail('INVALID_STATE', 'This sign-in was not started for Microsoft. Start again from the login page.');
    const settings = this.azureSettings(client);
    const done = await completeAzureSignIn(settings, { code: params.code, state: params.state }, { state: params.state, nonce }, verifier);
    if (!done.ok) return fail('PROVIDER_ERROR', done.message);
    const claims = done.value;
    const { tid, oid, iss } = claims;
    if (typeof tid !== 'string' || typeof oid !== 'string' || typeof iss !== 'string') return fail('PROVIDER_ERROR', 'The Microsoft ID token has no tenant or object id (tid, oid), so the person cannot be identified.');
    // Multi-tenant metadata names no single issuer: it must be the person's own tenant at the same host.
    if (settings.multiTenant && (safeOrigin(iss) !== tx.expectedIssuerOrigin || new URL(iss).pathname.replace(/\/$/, '') !== `/${tid}/v2.0`)) {
      return fail('ISSUER_MISMATCH', 'The ID token names another issuer than its tenant; the sign-in was refused.');
    }
    const identity: SignedInIdentity = { issuer: iss, subject: `${tid}:${oid}`, username: usernameClaim(claims, usernameAttribute(client)), claims };
    if (!allowed(client, identity)) return fail('CONSENT_DENIED', 'Your organisation is not allowed to sign in here. Ask an administrator for access.');
    return { ok: true, client, identity };
  }

  private azureSettings(client: OAuthClient): AzureSignInSettings {
    const settings = this.clientService.settings(client);
    const redirectUri = this.clientService.redirectUri(client.id);
    return {
      clientId: client.clientId,
      clientSecret: this.vault.open(OAuthClient, client, 'clientSecretEncrypted') ?? '',
      discoveryUrl: settings.discoveryUrl ?? '',
      redirectUri,
      scopes: settings.scopes,
      multiTenant: ['organizations', 'common', 'consumers'].includes((client.tenantId ?? '').toLowerCase()),
      allowHttpRedirect: isLoopbackHost(new URL(redirectUri).hostname),
      proxy: client.proxy ? proxyUrl(client.proxy).toString() : undefined,
    };
  }

  private strategy(client: OAuthClient, store: TransactionStateStore, extra: Record<string, string> = {}) {
    return strategyForClient(client, store, { clientService: this.clientService, vault: this.vault, endpoint: this.endpoint }, extra);
  }

}

/** The client's allowlist: Entra tenant (tid), Google hosted domain (hd, verified e-mail only), or e-mail domain. */
function allowed(client: OAuthClient, identity: SignedInIdentity): boolean {
  const list = client.allowedDomains;
  if (!list?.length) return true;
  const c = identity.claims;
  if (client.provider === 'azure') return typeof c.tid === 'string' && list.includes(c.tid.toLowerCase());
  if (client.provider === 'google') return c.email_verified === true && typeof c.hd === 'string' && list.includes(c.hd.toLowerCase());
  const domain = identity.username?.split('@')[1]?.toLowerCase();
  return !!domain && list.includes(domain);
}

/** The claim that names the person (Username Attribute): Entra's preferred_username, elsewhere email. */
export const usernameAttribute = (client: Pick<OAuthClient, 'provider' | 'usernameAttribute'>) =>
  client.usernameAttribute ?? (client.provider === 'azure' ? 'preferred_username' : 'email');

/**
 * The username claim; an e-mail the provider says is not verified is no
 * username at all: it could be anyone's, and directories are searched by it.
 */
export function usernameClaim(claims: Record<string, unknown>, name: string): string | null {
  const value = Object.hasOwn(claims, name) ? claims[name] : undefined;
  if (name === 'email' && claims.email_verified !== undefined && claims.email_verified !== true) return null;
  return typeof value === 'string' && value ? value.slice(0, 320) : null;
}
