import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';
import { EgressPolicy } from '../egress/egress-policy.js';
import { OAUTH_MAIL_MODULE_OPTIONS } from '../oauth-mail.module-definition.js';
import type { OAuthMailModuleOptions } from '../oauth-mail.options.js';
import { OutboundHttpError, type OutboundFailureReason } from './outbound-http.error.js';
import { openTunnel, ProxyRefusedError, proxyUrl } from './proxy-tunnel.js';
import { Redactor, redactUrl } from './redact.js';

/** Default size cap of an answer's body. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
// Key sets are per issuer and proxy: a handful per deployment; the cap only bounds a misuse.
const MAX_KEY_SETS = 100;

/** One outbound request. */
export interface OutboundRequest {
  method?: 'GET' | 'POST';
  url: string | URL;
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  /** The client's Proxy field (host:port or http://host:port): an HTTP CONNECT proxy. */
  proxy?: string | null;
  /** The client's Verify field: `false` skips the certificate check, only through a proxy. Default true. */
  verifySsl?: boolean;
  /** Deadline of the whole request (connect, proxy, TLS, headers and body), in ms. Default: the module's `httpTimeoutMs`. */
  timeoutMs?: number;
  /** Cap of the answer's body, in bytes. Default 1 MiB. */
  maxBytes?: number;
  /** Ends the request early, like its deadline. */
  signal?: AbortSignal;
}

/** An answer, whatever its status. Redirects are returned, never followed. */
export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Where and how a GET is sent (`getJson`, `jwks`). */
export type OutboundGetOptions = Pick<OutboundRequest, 'headers' | 'proxy' | 'verifySsl' | 'timeoutMs' | 'maxBytes'>;

/**
 * The one way the library talks HTTP to the outside (token endpoints,
 * discovery, JWKS, userinfo): the egress rule before sending and again at
 * connect time (so DNS rebinding cannot reach a blocked network), the client's
 * HTTP CONNECT proxy, a deadline on the whole request, a size cap on the
 * answer, no redirect followed, and errors (`OutboundHttpError`) that never
 * carry a body value, a credential, a query value or a token.
 */
@Injectable()
export class OutboundHttpClient {
  private readonly keySets = new Map<string, JWTVerifyGetKey>();

  constructor(
    @Inject(OAUTH_MAIL_MODULE_OPTIONS) private readonly options: Pick<OAuthMailModuleOptions, 'httpTimeoutMs'>,
    private readonly egress: EgressPolicy,
  ) {}

  /**
   * Sends one request and reads its whole answer. Any HTTP status is an
   * answer; throws `OutboundHttpError` when there is none (blocked, timeout,
   * network, TLS, proxy, too large).
   */
  async request(request: OutboundRequest): Promise<OutboundResponse> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      throw new OutboundHttpError('invalid_url', 'The address', 'is not an absolute URL');
    }
    const via = request.proxy ? proxyUrl(request.proxy) : null;
    const { headers, body } = encode(request);
    const redactor = Redactor.forRequest(url, headers, request.form ?? request.json, via);
    const target = redactor.text(redactUrl(url));
    const fail = (reason: OutboundFailureReason, detail: string, cause?: unknown) => new OutboundHttpError(reason, target, redactor.text(detail), null, { cause });
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail('invalid_url', 'is not an http(s) URL');
    if (via && via.protocol !== 'http:') throw fail('proxy', `cannot be reached through a ${via.protocol.replace(':', '')} proxy: only HTTP CONNECT proxies (http://host:port) are supported`);

    // The pre-flight explains a refusal in words; the connection's own lookup enforces it.
    for (const host of via ? [url.hostname, via.hostname] : [url.hostname]) {
      const refused = await this.egress.refusal(host);
      if (refused) throw fail(refused.reason, refused.message);
    }

    const timeoutMs = request.timeoutMs ?? this.options.httpTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DeadlineError()), timeoutMs);
    const abort = () => deadline.abort(new DeadlineError());
    request.signal?.addEventListener('abort', abort, { once: true });
    if (request.signal?.aborted) abort();
    try {
      const socket = via ? await openTunnel(via, url, { lookup: this.egress.lookup, verifySsl: request.verifySsl ?? true, signal: deadline.signal }) : null;
      return await exchange(url, request.method ?? 'GET', headers, body, socket, this.egress.lookup, deadline.signal, request.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
    } catch (error) {
      if (deadline.signal.aborted) throw fail('timeout', `did not answer in time (within ${timeoutMs} ms)`, error);
      const [reason, detail] = describe(error, request.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
      throw fail(reason, detail, error);
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', abort);
    }
  }

  /**
   * GETs a JSON object (userinfo, metadata, key sets). Throws
   * `OutboundHttpError`: as `request`, plus `status` for a non-2xx answer
   * (code PROVIDER_UNAVAILABLE for 5xx/429, else PROVIDER_ERROR, `status` set)
   * and `not_json` for anything but a JSON object.
   *
   * @example const claims = await http.getJson(userinfoUrl, { headers: { authorization: `Bearer ${accessToken}` }, proxy: client.proxy, verifySsl: client.verifySsl });
   */
  async getJson(url: string | URL, options: OutboundGetOptions = {}): Promise<Record<string, unknown>> {
    const response = await this.request({ ...options, url, method: 'GET', headers: { accept: 'application/json', ...options.headers } });
    const target = Redactor.forRequest(new URL(url), options.headers).text(redactUrl(new URL(url)));
    if (response.status < 200 || response.status > 299) throw new OutboundHttpError('status', target, `answered HTTP ${response.status}`, response.status);
    let json: unknown;
    try {
      json = JSON.parse(response.body.toString('utf8'));
    } catch {
      json = undefined;
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw new OutboundHttpError('not_json', target, 'answered something that is not a JSON object', response.status);
    return json as Record<string, unknown>;
  }

  /**
   * The key set at `url` for jose's `jwtVerify`, fetched through this client
   * (egress, proxy, deadline, cap) and cached per URL and proxy; an unknown
   * `kid` reloads it (at most every 30 s). A failed fetch surfaces from
   * `jwtVerify` as `OutboundHttpError`.
   *
   * @example const { payload } = await jwtVerify(idToken, http.jwks(metadata.jwksUri, { proxy: client.proxy, verifySsl: client.verifySsl }), { issuer, audience });
   */
  jwks(url: string | URL, options: Pick<OutboundGetOptions, 'proxy' | 'verifySsl' | 'timeoutMs'> = {}): JWTVerifyGetKey {
    const href = new URL(url).toString();
    const key = JSON.stringify([href, options.proxy ?? null, options.verifySsl ?? true]);
    const cached = this.keySets.get(key);
    if (cached) return cached;
    const timeoutMs = options.timeoutMs ?? this.options.httpTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const keySet = createRemoteJWKSet(new URL(href), {
      timeoutDuration: timeoutMs,
      [customFetch]: async (target: string, init: { headers: Headers; signal: AbortSignal }) => {
        const response = await this.request({ ...options, timeoutMs, url: target, method: 'GET', headers: Object.fromEntries(init.headers), signal: init.signal });
        const empty = response.status === 204 || response.status === 304 || (response.status >= 100 && response.status < 200);
        return new Response(empty ? null : new Uint8Array(response.body), { status: response.status < 200 ? 502 : response.status, headers: { 'content-type': String(response.headers['content-type'] ?? 'application/json') } });
      },
    });
    if (this.keySets.size >= MAX_KEY_SETS) this.keySets.clear();
    this.keySets.set(key, keySet);
    return keySet;
  }
}

class DeadlineError extends Error {
  constructor() {
    super('deadline reached');
    this.name = 'TimeoutError';
  }
}

class ResponseTooLargeError extends Error {
  readonly code = 'RESPONSE_TOO_LARGE';
}

function encode(request: OutboundRequest): { headers: Record<string, string>; body: Buffer | null } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  let body: Buffer | null = null;
  if (request.form) {
    body = Buffer.from(new URLSearchParams(request.form).toString());
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (request.json !== undefined) {
    body = Buffer.from(JSON.stringify(request.json));
    headers['content-type'] ??= 'application/json';
  }
  if (body) headers['content-length'] = String(body.length);
  return { headers, body };
}

/** One request/answer on a fresh connection: never a pooled socket, whose address was checked for someone else. */
function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | null,
  tunnel: Socket | null,
  lookup: EgressPolicy['lookup'],
  signal: AbortSignal,
  maxBytes: number,
): Promise<OutboundResponse> {
  return new Promise((done, fail) => {
    let settled = false;
    let req: ClientRequest | undefined;
    let res: IncomingMessage | undefined;
    const finish = (error: Error | null, value?: OutboundResponse) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (error) {
        res?.destroy();
        req?.destroy();
        tunnel?.destroy();
        fail(error);
      } else done(value!);
    };
    const onAbort = () => finish(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    const options: RequestOptions = {
      method,
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      // The default Host would name port 443 explicitly when tunnelled.
      headers: { host: url.host, ...headers },
    };
    if (tunnel) {
      // TLS, if any, was set up over the tunnel: the request itself is plain HTTP on that socket.
      req = httpRequest({ ...options, createConnection: () => tunnel });
    } else {
      req = (url.protocol === 'https:' ? httpsRequest : httpRequest)({ ...options, agent: false, lookup });
    }
    req.on('response', (answer) => {
      res = answer;
      const declared = Number(answer.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) return finish(new ResponseTooLargeError());
      const chunks: Buffer[] = [];
      let size = 0;
      answer.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) finish(new ResponseTooLargeError());
        else chunks.push(chunk);
      });
      answer.on('end', () => finish(null, { status: answer.statusCode ?? 0, headers: answer.headers, body: Buffer.concat(chunks) }));
      answer.on('error', (error) => finish(error));
      answer.on('aborted', () => finish(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' })));
    });
    req.on('error', (error) => finish(error));
    req.end(body ?? undefined);
  });
}

/** A foreign error as a reason and words that carry no detail of the request. */
function describe(error: unknown, maxBytes: number): [OutboundFailureReason, string] {
  const e = error as { code?: string; message?: string; status?: number };
  if (e?.code === 'EGRESS_BLOCKED') return ['blocked', String(e.message)];
  if (error instanceof ResponseTooLargeError) return ['too_large', `answered more than ${maxBytes} bytes`];
  if (error instanceof ProxyRefusedError) return ['proxy', `could not be reached: the proxy answered HTTP ${error.status} to CONNECT`];
  switch (e?.code ?? '') {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return ['unresolvable', 'host name could not be resolved'];
    case 'ECONNREFUSED':
      return ['refused', 'refused the connection'];
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return ['reset', 'closed the connection'];
    default:
      return /certificate|SSL|TLS|CERT_|self.signed/i.test(`${e?.code ?? ''} ${e?.message ?? ''}`)
        ? ['tls', 'presented a TLS certificate that is not trusted']
        : ['network', 'could not be reached'];
  }
}
