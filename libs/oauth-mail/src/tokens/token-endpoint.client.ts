import { request as httpRequest, type Agent } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Inject, Injectable } from '@nestjs/common';
import { OAuthTokenError } from '../errors/oauth-token.error.js';
import { cleanProviderText, providerHint } from '../errors/provider-hints.js';
import { EgressPolicy } from '../egress/egress-policy.js';
import { OAUTH_MAIL_MODULE_OPTIONS } from '../oauth-mail.module-definition.js';
import type { OAuthMailModuleOptions } from '../oauth-mail.options.js';
import { proxyAgent, proxyUrl } from './proxy-agent.js';
import { parseTokenResponse, type TokenSet } from './token-set.js';

/** What a token request needs from the client row. */
export interface TokenEndpoint {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  proxy: string | null;
  verifySsl: boolean;
}

const MAX_BODY = 1024 * 1024;
const PERMANENT = new Set(['invalid_grant', 'unauthorized_client', 'invalid_scope', 'admin_policy_enforced']);

/**
 * The one place that POSTs to token endpoints: a deadline on every call, no
 * redirects followed, responses validated, errors classified (permanent or
 * retryable) and described without secrets.
 */
@Injectable()
export class TokenEndpointClient {
  constructor(
    @Inject(OAUTH_MAIL_MODULE_OPTIONS) private readonly options: OAuthMailModuleOptions,
    private readonly egress: EgressPolicy,
  ) {}

  async exchangeCode(endpoint: TokenEndpoint, code: string, redirectUri: string, codeVerifier: string): Promise<TokenSet> {
    return this.post(endpoint, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: codeVerifier });
  }

  /** A refresh carries no scope or redirect_uri: the grant already fixes them. */
  async refresh(endpoint: TokenEndpoint, refreshToken: string): Promise<TokenSet> {
    return this.post(endpoint, { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  private async post(endpoint: TokenEndpoint, form: Record<string, string>): Promise<TokenSet> {
    for (const host of [new URL(endpoint.tokenUrl).hostname, ...(endpoint.proxy ? [proxyUrl(endpoint.proxy).hostname] : [])]) {
      const refused = await this.egress.refusal(host);
      if (refused?.reason === 'blocked') throw new OAuthTokenError('EGRESS_BLOCKED', `The token endpoint was not called: ${refused.message} Check Url Access Token and Proxy.`);
      if (refused) throw new OAuthTokenError('PROVIDER_UNAVAILABLE', `The token endpoint was not called: ${refused.message} Nothing was changed; check Url Access Token and Proxy, or try again later.`);
    }
    const started = Date.now();
    let response: { status: number; body: string };
    try {
      response = await send(endpoint, new URLSearchParams(form).toString(), this.options.httpTimeoutMs ?? 30_000);
    } catch (cause) {
      const reason = isTimeout(cause) ? 'did not answer in time' : describeNetworkError(cause);
      throw new OAuthTokenError('PROVIDER_UNAVAILABLE', `The token endpoint ${reason}. Nothing was changed; try again later.`, null, null, { cause });
    }
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      json = undefined;
    }
    if (response.status >= 200 && response.status < 300) {
      if (json === undefined) throw new OAuthTokenError('TOKEN_RESPONSE_INVALID', 'The token endpoint answered something that is not JSON.', null, response.status);
      return parseTokenResponse(json, started);
    }
    throw classify(response.status, json);
  }
}

function classify(status: number, json: unknown): OAuthTokenError {
  const body = json && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  const error = typeof body.error === 'string' ? cleanProviderText(body.error, 60) : null;
  const description = cleanProviderText(body.error_description);
  const hint = providerHint(error, description);
  const said = [error, description].filter(Boolean).join(': ') || `HTTP ${status}`;
  if (status >= 500 || status === 429 || status === 408) {
    return new OAuthTokenError('PROVIDER_UNAVAILABLE', `The provider is temporarily unavailable (HTTP ${status}). Nothing was changed; try again later.`, error, status);
  }
  if (error === 'invalid_client') {
    return new OAuthTokenError('CLIENT_MISCONFIGURED', hint ?? `The provider refused the client credentials (${said}). Check the Client ID and Client Secret.`, error, status);
  }
  if (error && PERMANENT.has(error)) {
    return new OAuthTokenError('TOKEN_REVOKED', hint ?? `The provider refused the grant (${said}). Validate the client again.`, error, status);
  }
  return new OAuthTokenError('PROVIDER_ERROR', hint ?? `The token endpoint answered ${said}.`, error, status);
}

function isTimeout(error: unknown): boolean {
  const e = error as { name?: string; code?: string; cause?: { name?: string } };
  return e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError' || e?.code === 'ABORT_ERR';
}

function describeNetworkError(cause: unknown): string {
  const code = (cause as { code?: string })?.code;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name could not be resolved';
    case 'ECONNREFUSED':
      return 'refused the connection';
    case 'ECONNRESET':
      return 'closed the connection';
    default:
      return /certificate|SSL|TLS/i.test(String((cause as Error)?.message)) ? 'presented a TLS certificate that is not trusted' : 'could not be reached';
  }
}

/** A form POST with Basic client authentication (RFC 6749 §2.3.1), a total deadline and a capped body. */
function send(endpoint: TokenEndpoint, body: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const url = new URL(endpoint.tokenUrl);
  const basic = Buffer.from(`${encodeURIComponent(endpoint.clientId)}:${encodeURIComponent(endpoint.clientSecret)}`).toString('base64');
  const agent: Agent | undefined = endpoint.proxy ? proxyAgent(endpoint.proxy, url, endpoint.verifySsl) : undefined;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((done, fail) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Basic ${basic}`,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY) req.destroy(new Error('response too large'));
          else chunks.push(chunk);
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}
