import type { SecureContext } from 'node:tls';
import type { SendMailOptions } from 'nodemailer';
import type { ConnectLookup } from '../egress/egress-policy.js';
import type { Mailbox } from '../entities/mailbox.entity.js';
import type { MailEncryption } from '../entities/mailbox.enums.js';
import type { CheckOutcome } from './mail-check.result.js';

/** Whose token a transport needs: the mail servers' (IMAP, POP3, SMTP) or, later, Microsoft Graph's. */
export type TokenAudience = 'mail' | 'graph';

/** Where a transport connects: a mail server's socket, or an HTTP API (reserved for a Graph transport). */
export type MailEndpoint =
  | { kind: 'socket'; host: string; port: number; encryption: MailEncryption }
  | { kind: 'http'; baseUrl: string };

/** Mailbox fields only some transports use: the validator and the form keep them for those alone. */
export type MailboxField = 'folder';

/** The mail server's socket, as most transports connect: the mailbox's Host, Port and Encryption. */
export const socketEndpoint = (mailbox: Readonly<Mailbox>): MailEndpoint => ({ kind: 'socket', host: mailbox.host, port: mailbox.port, encryption: mailbox.encryption });

/** A password, or an OAuth access token (XOAUTH2/OAUTHBEARER). */
export type MailCredential = { kind: 'password'; password: string } | { kind: 'token'; accessToken: string };

/** A failed mail step, as a Check reports it. */
export type MailFailure = Extract<CheckOutcome, { ok: false }>;

/** What a transport operation gives back: its value, or a failure in the library's codes. */
export type TransportResult<T> = { ok: true; value: T } | MailFailure;

/** Everything one attempt needs; MailboxService builds it after the usability checks and the credential step. */
export interface MailSession {
  readonly mailbox: Readonly<Mailbox>;
  readonly endpoint: MailEndpoint;
  readonly username: string;
  readonly credential: MailCredential;
  /** CAs to trust: the system's plus the configured extras. */
  readonly secureContext: SecureContext | undefined;
  /** Deadline of each step (connect, greeting, login, command). */
  readonly timeoutMs: number;
  /**
   * The egress policy's connect-time lookup: every connection must resolve
   * through it (or connect to an address it returned), so a name that answers
   * differently on the second lookup cannot reach a blocked network.
   */
  readonly lookup: ConnectLookup;
}

/** A message fetchNew returns: its server id and raw RFC 5322 source. */
export interface FetchedMessage {
  id: string;
  raw: Buffer;
}

/** What fetchNew remembers between calls, in `mailbox.fetchState`. */
export type MailFetchState = NonNullable<Mailbox['fetchState']>;

/**
 * One mail protocol: its client library, connect and login, the cheapest real
 * step of a Check, the operations the protocol has, logout, and the
 * translation of its library's errors into the library's codes. A failed
 * connect or login is returned, never thrown; `check` returns every failure,
 * while `fetchNew` and `send` throw what goes wrong after the login.
 */
export interface MailTransport {
  /** The audience of the token it logs in with. */
  readonly tokenAudience: TokenAudience;
  /** The mailbox fields it reads beyond the common ones. */
  readonly fields: readonly MailboxField[];
  /** Where it connects for this mailbox. */
  endpoint(mailbox: Readonly<Mailbox>): MailEndpoint;
  /** Logs in, runs the cheapest real step and logs out; the value is the detail of "Connection Successful: …". */
  check?(session: MailSession): Promise<TransportResult<string>>;
  /** Messages not returned before, given the stored state; the caller stores the new state. */
  fetchNew?(session: MailSession): Promise<TransportResult<{ messages: FetchedMessage[]; state: MailFetchState }>>;
  /** Sends one message (From already set). */
  send?(session: MailSession, message: SendMailOptions): Promise<TransportResult<{ messageId: string }>>;
}
