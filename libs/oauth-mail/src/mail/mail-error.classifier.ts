import type { MailProtocol } from '../entities/mailbox.enums.js';
import type { ErrorCode } from '../errors/error-codes.js';
import type { CheckResult, CheckStage } from './mail-check.result.js';

type Failure = Extract<CheckResult, { ok: false }>;

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO/;

/** What a failed mail exchange means, in words an admin can act on. Never echoes a credential. */
export function classifyMailError(error: unknown, protocol: MailProtocol, host: string, port: number): Failure {
  const e = (error ?? {}) as Record<string, unknown> & { message?: string; cause?: { code?: string } };
  const code = String(e.code ?? e.cause?.code ?? '');
  const text = serverText(e);
  const fail = (stage: CheckStage, c: ErrorCode, message: string, retryable = false): Failure => ({ ok: false, protocol, stage, code: c, message, retryable });
  const where = `${host}:${port}`;

  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EDNS') return fail('connect', 'MAIL_HOST_NOT_FOUND', `The host name ${host} could not be resolved. Check the Host.`, code === 'EAI_AGAIN');
  if (code === 'ECONNREFUSED') return fail('connect', 'MAIL_CONNECT_FAILED', `${where} refused the connection. Check the Host and Port (and that the server listens there).`);
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT' || e.stage === 'timeout' || /timed? ?out/i.test(e.message ?? '')) {
    return fail('connect', 'MAIL_TIMEOUT', `${where} did not answer in time. Check the Host, Port and any firewall.`, true);
  }
  if (e.stage === 'tls' && e.responseCode === 'NO-STLS' || /STARTTLS/i.test(e.message ?? '') && !TLS_CODES.test(code)) {
    return fail('tls', 'MAIL_STARTTLS_UNAVAILABLE', `${where} does not offer STARTTLS, so the credentials were not sent. Choose SSL/TLS or check the Port.`);
  }
  if (TLS_CODES.test(code) || /certificate|ssl3|wrong version number|handshake/i.test(e.message ?? '')) {
    const why = /SELF_SIGNED/.test(code) ? 'a self-signed certificate' : /EXPIRED/.test(code) ? 'an expired certificate' : /ALTNAME/.test(code) ? 'a certificate for another name' : /wrong version number|EPROTO/.test(code + (e.message ?? '')) ? 'no TLS on this port' : 'a certificate that is not trusted';
    return fail('tls', 'MAIL_TLS_FAILED', `The TLS connection to ${where} failed: the server presented ${why}. Check the Encryption and Port, or the server's certificate.`);
  }
  if (isTemporaryAuthFailure(e, text)) {
    return fail('auth', 'MAIL_AUTH_UNAVAILABLE', `The server could not check the login right now${text ? ` (${text})` : ''}. Its sign-in service may be down; nothing was changed. Try again later.`, true);
  }
  if (isAuthFailure(e)) {
    const hint = /5\.7\.139/.test(text) ? ' SMTP AUTH is disabled for this Microsoft 365 tenant or mailbox: enable "Authenticated SMTP" in the Microsoft 365 admin center.' : '';
    return fail('auth', 'MAIL_AUTH_FAILED', `The server refused the login${text ? `: ${text}` : ''}.${hint}`);
  }
  if (code === 'ECONNRESET' || code === 'ESOCKET' || code === 'ECONNECTION' || e.stage === 'connect' || code === 'NoConnection') {
    return fail('connect', 'MAIL_CONNECT_FAILED', `The connection to ${where} was closed unexpectedly${text ? ` (${text})` : ''}. Check the Port and Encryption.`, true);
  }
  return fail('connect', 'MAIL_PROTOCOL_ERROR', `The server answered unexpectedly${text ? `: ${text}` : ''}.`);
}

/** Did the server refuse the credentials (as opposed to failing to check them)? */
export function isAuthFailure(error: unknown): boolean {
  const e = (error ?? {}) as Record<string, unknown>;
  return e.authenticationFailed === true || e.code === 'EAUTH' || e.stage === 'auth' || e.serverResponseCode === 'AUTHENTICATIONFAILED';
}

function isTemporaryAuthFailure(e: Record<string, unknown>, text: string): boolean {
  return (
    e.serverResponseCode === 'UNAVAILABLE' ||
    e.responseCode === 'SYS/TEMP' ||
    e.responseCode === 454 ||
    (isAuthFailure(e) && /temporary authentication failure|\[UNAVAILABLE\]|\[SYS\/TEMP\]/i.test(text))
  );
}

/** The server's own reply, one line, without anything that looks like a credential. */
function serverText(e: Record<string, unknown>): string {
  const raw = [e.responseText, e.response, e.stage ? e.message : undefined].find((v) => typeof v === 'string' && v) as string | undefined;
  return (raw ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/(Bearer|auth=|AUTHENTICATE \S+|AUTH \S+|PASS|LOGIN)\s+\S+/gi, '$1 …')
    .trim()
    .slice(0, 200);
}
