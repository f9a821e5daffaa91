import type { ErrorCode } from '../errors/error-codes.js';
import { OAuthMailError } from '../errors/oauth-mail.error.js';

/**
 * Why an outbound request failed:
 * - `blocked`: the host resolves into a blocked network (before sending, or at connect time);
 * - `unresolvable`: the host name does not resolve;
 * - `timeout`: the whole request (connect, headers, body) did not finish before its deadline;
 * - `refused`, `reset`, `network`: the connection was refused, dropped or failed otherwise;
 * - `tls`: the certificate is not trusted or the handshake failed;
 * - `proxy`: the proxy refused the tunnel;
 * - `too_large`: the answer exceeded the size cap;
 * - `invalid_url`: not an absolute http(s) URL;
 * - `status`, `not_json`: (`getJson` only) a non-2xx answer, or one that is not a JSON object.
 */
export type OutboundFailureReason =
  | 'blocked'
  | 'unresolvable'
  | 'timeout'
  | 'refused'
  | 'reset'
  | 'network'
  | 'tls'
  | 'proxy'
  | 'too_large'
  | 'invalid_url'
  | 'status'
  | 'not_json';

const codeOf = (reason: OutboundFailureReason, status: number | null): ErrorCode => {
  switch (reason) {
    case 'blocked':
      return 'EGRESS_BLOCKED';
    case 'too_large':
    case 'invalid_url':
    case 'not_json':
      return 'PROVIDER_ERROR';
    case 'status':
      return status !== null && (status >= 500 || status === 429 || status === 408) ? 'PROVIDER_UNAVAILABLE' : 'PROVIDER_ERROR';
    case 'unresolvable':
    case 'timeout':
    case 'refused':
    case 'reset':
    case 'network':
    case 'tls':
    case 'proxy':
      return 'PROVIDER_UNAVAILABLE';
  }
};

/**
 * A failed outbound HTTP request. `message` names the target (without query
 * values or credentials) and what happened; `detail` is the "what happened"
 * part alone, for callers that phrase their own message. Neither ever holds a
 * request body, a credential or a token.
 */
export class OutboundHttpError extends OAuthMailError {
  constructor(
    readonly reason: OutboundFailureReason,
    /** The request's URL, redacted. */
    readonly target: string,
    readonly detail: string,
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    const code = codeOf(reason, status);
    super(code, reason === 'blocked' || reason === 'unresolvable' ? `${target} was not called: ${detail}` : `${target} ${detail}.`, code === 'PROVIDER_UNAVAILABLE', options);
  }
}
