import { Injectable } from '@nestjs/common';
import { OAuthTokenError } from '../errors/oauth-token.error.js';
import { cleanProviderText } from '../errors/provider-hints.js';
import { OutboundHttpClient, type OutboundResponse } from '../net/outbound-http.client.js';
import { OutboundHttpError } from '../net/outbound-http.error.js';
import { retryAfterMs } from '../net/retry-after.js';
import { DatabaseClock } from './database.clock.js';
import { parseTokenResponse, type TokenSet } from './token-set.js';

/** What a token request needs from the client row. */
export interface TokenEndpoint {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  proxy: string | null;
  verifySsl: boolean;
  /** The provider's remedy for one of its error codes or texts (OAuthProvider.hint). */
  hint?: (error: string | null, description: string | null) => string | null;
}

const PERMANENT = new Set(['invalid_grant', 'unauthorized_client', 'invalid_scope', 'admin_policy_enforced']);

export type Grant = 'authorization_code' | 'refresh_token';

/**
 * The one place that POSTs to token endpoints, through the one outbound HTTP
 * client (egress, proxy, deadline, size cap, no redirects): responses
 * validated, errors classified (permanent or retryable) and described without secrets.
 */
@Injectable()
export class TokenEndpointClient {
  constructor(
    private readonly http: OutboundHttpClient,
    private readonly clock: DatabaseClock,
  ) {}

  async exchangeCode(endpoint: TokenEndpoint, code: string, redirectUri: string, codeVerifier: string): Promise<TokenSet> {
    return this.post(endpoint, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: codeVerifier });
  }

  /** A refresh carries no scope or redirect_uri: the grant already fixes them. */
  async refresh(endpoint: TokenEndpoint, refreshToken: string): Promise<TokenSet> {
    return this.post(endpoint, { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  private async post(endpoint: TokenEndpoint, form: Record<string, string> & { grant_type: Grant }): Promise<TokenSet> {
    // RFC 6749 §2.3.1: client id and secret are form-encoded before they are joined.
    const basic = Buffer.from(`${encodeURIComponent(endpoint.clientId)}:${encodeURIComponent(endpoint.clientSecret)}`).toString('base64');
    // Expiry is stamped on the database's clock, which every process shares.
    const started = this.clock.now();
    let response: OutboundResponse;
    try {
      response = await this.http.request({
        method: 'POST',
        url: endpoint.tokenUrl,
        headers: { accept: 'application/json', authorization: `Basic ${basic}` },
        form,
        proxy: endpoint.proxy,
        verifySsl: endpoint.verifySsl,
      });
    } catch (cause) {
      throw transportError(cause);
    }
    const json = parseJson(response.body.toString('utf8'));
    if (response.status >= 200 && response.status < 300) {
      if (json === undefined) throw new OAuthTokenError('TOKEN_RESPONSE_INVALID', 'The token endpoint answered something that is not JSON.', null, response.status);
      return parseTokenResponse(json, started);
    }
    throw classifyTokenError(response.status, json, form.grant_type, endpoint.hint, retryAfterMs(response.headers['retry-after'], Date.now()));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function transportError(cause: unknown): OAuthTokenError {
  if (!(cause instanceof OutboundHttpError)) {
    return new OAuthTokenError('PROVIDER_UNAVAILABLE', 'The token endpoint could not be reached. Nothing was changed; try again later.', null, null, { cause });
  }
  switch (cause.reason) {
    case 'blocked':
      return new OAuthTokenError('EGRESS_BLOCKED', `The token endpoint was not called: ${cause.detail} Check Url Access Token and Proxy.`, null, null, { cause });
    case 'invalid_url':
      return new OAuthTokenError('PROVIDER_ERROR', 'The token endpoint was not called: Url Access Token is not an http(s) URL.', null, null, { cause });
    case 'too_large':
      return new OAuthTokenError('TOKEN_RESPONSE_INVALID', `The token endpoint ${cause.detail}, which is no token response.`, null, null, { cause });
    case 'proxy':
      return new OAuthTokenError('PROVIDER_UNAVAILABLE', `The token endpoint ${cause.detail}. Nothing was changed; check Proxy, or try again later.`, null, null, { cause });
    case 'unresolvable':
      return new OAuthTokenError('PROVIDER_UNAVAILABLE', `The token endpoint was not called: ${/\.$/.test(cause.detail) ? cause.detail : `its ${cause.detail}.`} Nothing was changed; check Url Access Token and Proxy, or try again later.`, null, null, { cause });
    case 'timeout':
    case 'refused':
    case 'reset':
    case 'network':
    case 'tls':
    case 'status':
    case 'not_json':
      return new OAuthTokenError('PROVIDER_UNAVAILABLE', `The token endpoint ${cause.detail}. Nothing was changed; try again later.`, null, null, { cause });
  }
}

/** What an error answer of a token endpoint means: retryable, a refused grant, refused credentials, or another error. */
export function classifyTokenError(status: number, json: unknown, grant: Grant, providerHint: TokenEndpoint['hint'], retryAfter: number | null = null): OAuthTokenError {
  const body = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  const error = typeof body.error === 'string' && body.error ? cleanProviderText(body.error, 60) : null;
  const description = cleanProviderText(body.error_description);
  const hint = providerHint?.(error, description) ?? null;
  const said = [error, description].filter(Boolean).join(': ') || `HTTP ${status}`;
  if (status >= 500 || status === 429 || status === 408) {
    const asked = retryAfter === null ? '' : ` and asked to be called again in ${Math.ceil(retryAfter / 1000)} s`;
    return new OAuthTokenError('PROVIDER_UNAVAILABLE', `The provider is temporarily unavailable (HTTP ${status}${asked}). Nothing was changed; try again later.`, error, status, { retryAfterMs: retryAfter });
  }
  if (error === 'invalid_client') {
    return new OAuthTokenError('CLIENT_MISCONFIGURED', hint ?? `The provider refused the client credentials (${said}). Check the Client ID and Client Secret.`, error, status);
  }
  if (error && PERMANENT.has(error)) {
    return new OAuthTokenError('TOKEN_REVOKED', hint ?? `The provider refused the grant (${said}). Validate the client again.`, error, status);
  }
  if (!error && (status === 400 || status === 401)) {
    // RFC 6749 §5.2 asks for a JSON error, but servers and proxies do not always send one. On a
    // refresh, 400/401 can only mean the grant or the client was refused: retrying the same
    // refresh token would fail the same way, so it is a refused grant like invalid_grant.
    if (grant === 'refresh_token') {
      return new OAuthTokenError('TOKEN_REVOKED', `The token endpoint refused the refresh token (HTTP ${status}, without an OAuth error in its answer). Validate the client again; if that fails too, check the Client ID and Client Secret.`, null, status);
    }
    return new OAuthTokenError('PROVIDER_ERROR', `The token endpoint refused the code with HTTP ${status} but gave no OAuth error to say why. Check Url Access Token, the Client ID and Client Secret, and that the Redirect Uri is registered, then validate again.`, null, status);
  }
  return new OAuthTokenError('PROVIDER_ERROR', hint ?? `The token endpoint answered ${said}.`, error, status);
}
