import type { MailProtocol } from '../entities/mailbox.enums.js';
import type { ErrorCode } from '../errors/error-codes.js';
import type { CheckStage } from './mail-check.result.js';
import type { MailFailure } from './mail-transport.js';

/**
 * What a transport read from its library's error; the rest of the
 * classification (network, DNS, TLS, egress) is the same for every protocol.
 */
export interface MailErrorReading {
  /** The server's own words, from `serverText` (one line, credential-free); '' when there are none. */
  text: string;
  /** The login got an answer: the credential was refused, could not be checked now, or the command itself was malformed. */
  login?: 'refused' | 'unavailable' | 'syntax';
  /** The server does not offer STARTTLS, so nothing was sent. */
  starttlsMissing?: boolean;
  /** The connection was dropped in the middle of the exchange. */
  closed?: boolean;
  timedOut?: boolean;
  /** Appended to a refused login's message. */
  hint?: string;
}

/** Which exchange failed, for the message. */
export interface MailErrorPlace {
  protocol: MailProtocol;
  host: string;
  port: number;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO/;
// Servers that say "temporary" in the text of an otherwise ordinary refusal.
const TEMPORARY_TEXT = /temporary authentication failure|\[UNAVAILABLE\]|\[SYS\/TEMP\]/i;

/** What a failed mail exchange means, in words an admin can act on. Never echoes a credential. */
export function classifyMailError(error: unknown, place: MailErrorPlace, reading: MailErrorReading): MailFailure {
  const e = (error ?? {}) as { code?: string | number; message?: string; cause?: { code?: string | number } };
  const code = String(e.code ?? e.cause?.code ?? '');
  const message = e.message ?? '';
  const text = reading.text;
  const fail = (stage: CheckStage, c: ErrorCode, m: string, retryable = false): MailFailure => ({ ok: false, protocol: place.protocol, stage, code: c, message: m, retryable });
  const where = `${place.host}:${place.port}`;

  if (code === 'EGRESS_BLOCKED') return fail('connect', 'EGRESS_BLOCKED', `${message} Check the Host.`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EDNS') return fail('connect', 'MAIL_HOST_NOT_FOUND', `The host name ${place.host} could not be resolved. Check the Host.`, code === 'EAI_AGAIN');
  if (code === 'ECONNREFUSED') return fail('connect', 'MAIL_CONNECT_FAILED', `${where} refused the connection. Check the Host and Port (and that the server listens there).`);
  if (reading.timedOut || code === 'ETIMEDOUT' || code === 'ETIMEOUT' || /timed? ?out/i.test(message)) {
    return fail('connect', 'MAIL_TIMEOUT', `${where} did not answer in time. Check the Host, Port and any firewall.`, true);
  }
  if (reading.starttlsMissing && !TLS_CODES.test(code)) {
    return fail('tls', 'MAIL_STARTTLS_UNAVAILABLE', `${where} does not offer STARTTLS, so the credentials were not sent. Choose SSL/TLS or check the Port.`);
  }
  if (TLS_CODES.test(code) || /certificate|ssl3|wrong version number|handshake/i.test(message)) {
    // nodemailer keeps only Node's message (its code is ESOCKET): read both.
    const said = `${code} ${message}`;
    const why = /SELF_SIGNED|self[- ]signed/i.test(said) ? 'a self-signed certificate'
      : /EXPIRED|has expired/i.test(said) ? 'an expired certificate'
        : /ALTNAME|altnames|does not match certificate/i.test(said) ? 'a certificate for another name'
          : /wrong version number|EPROTO/.test(said) ? 'no TLS on this port' : 'a certificate that is not trusted';
    return fail('tls', 'MAIL_TLS_FAILED', `The TLS connection to ${where} failed: the server presented ${why}. Check the Encryption and Port, or the server's certificate.`);
  }
  if (reading.login === 'unavailable' || (reading.login === 'refused' && TEMPORARY_TEXT.test(text))) {
    return fail('auth', 'MAIL_AUTH_UNAVAILABLE', `The server could not check the login right now${text ? ` (${text})` : ''}. Its sign-in service may be down; nothing was changed. Try again later.`, true);
  }
  if (reading.login === 'syntax') {
    // Not a refused credential: refreshing the token would change nothing.
    return fail('auth', 'MAIL_PROTOCOL_ERROR', `The server rejected the login command as malformed${text ? ` (${text})` : ''}; the credentials were not checked. The server and this client disagree on the protocol.`);
  }
  if (reading.login === 'refused') return fail('auth', 'MAIL_AUTH_FAILED', refusedLoginMessage(text, reading.hint));
  if (reading.closed || code === 'ECONNRESET' || code === 'EPIPE') {
    return fail('connect', 'MAIL_CONNECT_FAILED', `The connection to ${where} was closed unexpectedly${text ? ` (${text})` : ''}. Check the Port and Encryption.`, true);
  }
  return fail('connect', 'MAIL_PROTOCOL_ERROR', sentence(`The server answered unexpectedly${text ? `: ${text}` : ''}`));
}

/**
 * `words` ending in exactly one full stop, whatever the server's text at its end
 * finishes with ("Authentication failed." gives no "..", a trailing ":" goes).
 */
export function sentence(words: string): string {
  const trimmed = words.trim().replace(/[\s.,;:]+$/, '');
  if (!trimmed) return '';
  return /[!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** A refused login, with the server's words and a transport's hint (SMTP AUTH disabled, say). */
export function refusedLoginMessage(text: string, hint?: string): string {
  return [sentence(`The server refused the login${text ? `: ${text}` : ''}`), hint ? sentence(hint) : ''].filter(Boolean).join(' ');
}

/** Where a refused password login went, for its remedy. */
export interface PasswordLoginPlace {
  username: string;
  host: string;
  /** The label of the provider whose own mail server `host` is (Microsoft 365's, Google's), if any. */
  providerLabel?: string;
}

/**
 * What to check after a refused password: the Username and the Password; and on
 * Microsoft 365's or Google's servers, which usually refuse passwords
 * (basic authentication is off), an OAuth client instead.
 */
export function passwordRefusedHint({ username, host, providerLabel }: PasswordLoginPlace): string {
  const check = `Check the Username (${username || 'empty'}) and the Password: enter the password again and save.`;
  if (!providerLabel) return check;
  return `${check} ${host} is a mail server of ${providerLabel}, where password logins are usually refused: create an OAuth client with the provider ${providerLabel}, validate it and choose it as this mailbox's OAuth Client instead of a password.`;
}

/** The first of `candidates` that is a non-empty string, as one printable line without anything that looks like a credential. */
export function serverText(...candidates: unknown[]): string {
  const raw = candidates.find((v) => typeof v === 'string' && v) as string | undefined;
  return (raw ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/(Bearer|auth=|AUTHENTICATE \S+|AUTH \S+|PASS|LOGIN)\s+\S+/gi, '$1 …')
    .trim()
    .slice(0, 200);
}
