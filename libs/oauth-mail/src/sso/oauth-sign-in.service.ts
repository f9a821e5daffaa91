import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { decodeJwt, jwtVerify } from 'jose';
import type { Repository } from 'typeorm';
import { AuthorizationCodeFlow, providerErrorOf } from '../authorization/authorization-code.flow.js';
import { hashState } from '../authorization/authorization-response.js';
import { OAuthClientService } from '../clients/oauth-client.service.js';
import { clientRefusal } from '../clients/oauth-client.usability.js';
import { IssuerDiscovery, safeOrigin } from '../clients/issuer-metadata.js';
import { SecretVault } from '../crypto/secret-vault.js';
import { OAuthClient } from '../entities/oauth-client.entity.js';
import { OAuthTransaction } from '../entities/oauth-transaction.entity.js';
import type { ErrorCode } from '../errors/error-codes.js';
import { OAuthMailError } from '../errors/oauth-mail.error.js';
import { OutboundHttpClient } from '../net/outbound-http.client.js';
import { OAuthProviderRegistry } from '../providers/oauth-provider.registry.js';
import type { TokenSet } from '../tokens/token-set.js';
import { isLoopbackHost } from '../validation/field-rules.js';

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

const TIMEOUT_MS = 10_000;
const AGAIN = 'Start again from the login page.';

/**
 * Sign-in (SSO) through a User-type client, on the common authorization-code
 * flow bound to the browser session. The ID token is verified (signature
 * through the issuer's JWKS, iss, aud, exp, nonce), or the user data comes
 * from Endpoint User Data. A provider with a sign-in of its own (Azure) plugs
 * in through its adapter.
 */
@Injectable()
export class OAuthSignInService {
  constructor(
    @InjectRepository(OAuthClient) private readonly clients: Repository<OAuthClient>,
    private readonly clientService: OAuthClientService,
    private readonly providers: OAuthProviderRegistry,
    private readonly flow: AuthorizationCodeFlow,
    private readonly vault: SecretVault,
    private readonly http: OutboundHttpClient,
    private readonly discovery: IssuerDiscovery,
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
    return (await this.flow.purposeOf(query)) === 'sign_in';
  }

  /** The provider's authorization URL; `sessionBinding` identifies the browser session that must come back. */
  async start(clientId: string, sessionBinding: string): Promise<{ ok: true; authorizeUrl: string } | { ok: false; code: ErrorCode; message: string }> {
    const client = await this.clients.findOneBy({ id: clientId });
    const refused = clientRefusal(client, 'sign_in');
    if (refused || !client) return { ok: false, ...refused! };
    if (!this.available) return { ok: false, code: 'CONFIGURATION_INVALID', message: 'Sign-in with a provider works only when this app is reached over https. Ask an administrator to set its public URL to https.' };
    const started = await this.flow.start(client, { purpose: 'sign_in', initiatedBy: sessionBinding });
    return started.ok || started.code === 'EGRESS_BLOCKED' ? started : { ok: false, code: started.code, message: started.message || 'The sign-in request could not be built.' };
  }

  async complete(clientId: string, query: Readonly<Record<string, unknown>>, sessionBinding: string | null): Promise<SignInOutcome> {
    const fail = (code: ErrorCode, message: string): SignInOutcome => ({ ok: false, code, message });
    const checked = await this.flow.consume(
      clientId,
      query,
      'sign_in',
      (tx) => (sessionBinding && tx.initiatedBy === sessionBinding ? null : `This sign-in was started in another browser session. ${AGAIN}`),
      AGAIN,
    );
    if (!checked.ok) return fail(checked.code, checked.message);
    const { tx, params } = checked;
    const client = await this.clients.findOneBy({ id: clientId });
    const refused = clientRefusal(client, 'sign_in');
    if (refused || !client) return { ok: false, ...refused! };
    const provider = this.providers.get(client.provider);
    if (params.error) {
      const { denied, hint, error } = providerErrorOf(params, this.providers.hintFor(client.provider));
      return denied ? fail('CONSENT_DENIED', 'The sign-in was cancelled at the provider.') : fail('PROVIDER_ERROR', hint ?? `The provider refused the sign-in (${error}).`);
    }
    if (!params.code) return fail('INVALID_STATE', `The answer carries no authorization code. ${AGAIN}`);

    let identity: SignedInIdentity;
    if (provider.signIn) {
      const nonce = this.vault.open(OAuthTransaction, tx, 'nonceEncrypted');
      if (!nonce) return fail('INVALID_STATE', `This sign-in was not started for ${provider.label}. ${AGAIN}`);
      const verifier = this.vault.open(OAuthTransaction, tx, 'codeVerifierEncrypted')!;
      const done = await provider.signIn.complete(this.flow.signInContext(client, tx.expectedIssuerOrigin), { code: params.code, state: params.state }, { state: params.state, nonce }, verifier);
      if (!done.ok) return fail(done.code, done.message);
      identity = { ...done.value, username: usernameClaim(done.value.claims, this.providers.usernameAttribute(client)) };
    } else {
      const redeemed = await this.flow.redeem(client, tx, params.code);
      if (!redeemed.ok) return fail(redeemed.code, redeemed.message);
      try {
        identity = await this.identity(client, tx, redeemed.tokens);
      } catch (error) {
        return fail('PROVIDER_ERROR', error instanceof OAuthMailError ? error.message : 'The identity from the provider could not be verified, so the sign-in was refused.');
      }
    }
    if (!this.providers.signInAllowed(client, identity)) return fail('CONSENT_DENIED', 'Your organisation is not allowed to sign in here. Ask an administrator for access.');
    return { ok: true, client, identity };
  }

  private async identity(client: OAuthClient, tx: OAuthTransaction, tokens: TokenSet): Promise<SignedInIdentity> {
    const settings = this.clientService.settings(client);
    const attribute = this.providers.usernameAttribute(client);
    const via = { proxy: client.proxy, verifySsl: client.verifySsl, timeoutMs: TIMEOUT_MS };
    if (client.userDataSource === 'endpoint') {
      if (!settings.userDataEndpoint) throw new OAuthMailError('PROVIDER_ERROR', 'Endpoint User Data is not set for this client.');
      const claims = await this.http.getJson(settings.userDataEndpoint, { ...via, headers: { authorization: `Bearer ${tokens.accessToken}` } }).catch((error: unknown) => {
        if (error instanceof OAuthMailError && error.code === 'EGRESS_BLOCKED') throw new OAuthMailError('EGRESS_BLOCKED', `The sign-in was refused: ${error.message}`);
        return null;
      });
      const subject = claims?.sub ?? claims?.id;
      if (!claims || (typeof subject !== 'string' && typeof subject !== 'number')) {
        throw new OAuthMailError('PROVIDER_ERROR', 'Endpoint User Data did not return the signed-in user (an object with sub or id).');
      }
      return { issuer: await this.issuerOf(client, tx), subject: String(subject), username: usernameClaim(claims, attribute), claims };
    }
    if (!tokens.idToken) throw new OAuthMailError('PROVIDER_ERROR', 'The provider returned no ID token: add openid to Scope, or use Endpoint User Data.');
    const unverified = decodeJwt(tokens.idToken);
    const issuer = typeof unverified.iss === 'string' ? unverified.iss : '';
    // The issuer must be the one the request went to (mix-up defense), and its metadata must say so too (RFC 8414 §3.3).
    if (safeOrigin(issuer) !== tx.expectedIssuerOrigin) throw new OAuthMailError('ISSUER_MISMATCH', 'The ID token comes from another issuer; the sign-in was refused.');
    const metadata = await this.discovery.discover({ issuer, ...via });
    if (!metadata?.jwksUri || safeOrigin(metadata.jwksUri) !== safeOrigin(issuer)) {
      throw new OAuthMailError('ISSUER_MISMATCH', 'The issuer\'s metadata does not match the ID token; the sign-in was refused.');
    }
    const { payload } = await jwtVerify(tokens.idToken, this.http.jwks(metadata.jwksUri, via), {
      issuer,
      audience: client.clientId,
      clockTolerance: 60,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    if (typeof payload.nonce !== 'string' || hashState(payload.nonce) !== tx.nonceHash) throw new OAuthMailError('INVALID_STATE', 'The ID token does not answer this sign-in (nonce mismatch); it was refused.');
    const claims = payload as Record<string, unknown>;
    return { issuer, subject: String(payload.sub), username: usernameClaim(claims, attribute), claims };
  }

  /**
   * The issuer a person from Endpoint User Data is keyed on, the same one the
   * ID-token path uses: the provider's, else the server's metadata, else the
   * authorization endpoint's origin.
   */
  private async issuerOf(client: OAuthClient, tx: OAuthTransaction): Promise<string> {
    const settings = this.clientService.settings(client);
    if (settings.issuer) return settings.issuer;
    const metadata = await this.discovery.discover({ authorizeUrl: settings.authorizeUrl, proxy: client.proxy, verifySsl: client.verifySsl, timeoutMs: TIMEOUT_MS });
    return metadata?.issuer ?? tx.expectedIssuerOrigin;
  }
}

/**
 * The username claim; an e-mail the provider says is not verified is no
 * username at all: it could be anyone's, and directories are searched by it.
 */
export function usernameClaim(claims: Record<string, unknown>, name: string): string | null {
  const value = Object.hasOwn(claims, name) ? claims[name] : undefined;
  if (name === 'email' && claims.email_verified !== undefined && claims.email_verified !== true) return null;
  return typeof value === 'string' && value ? value.slice(0, 320) : null;
}
