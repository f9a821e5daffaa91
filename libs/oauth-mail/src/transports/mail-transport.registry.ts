import type { MailProtocol } from '../entities/mailbox.enums.js';
import { ImapTransport } from './imap/imap.transport.js';
import type { MailTransport } from './mail-transport.js';
import { Pop3Transport } from './pop3/pop3.transport.js';
import { SmtpTransport } from './smtp/smtp.transport.js';

/**
 * The built-in transport of every protocol: a protocol added to `MailProtocol`
 * without a line here does not compile. A host replaces one with the
 * `transports` module option.
 */
export const MAIL_TRANSPORTS = {
  imap: new ImapTransport(),
  pop3: new Pop3Transport(),
  smtp: new SmtpTransport(),
} satisfies Record<MailProtocol, MailTransport>;

/** The transports in force: the built-in ones with a host's replacements (the `transports` module option). */
export const transportsInForce = (replaced: Partial<Record<MailProtocol, MailTransport>> = {}): Partial<Record<MailProtocol, MailTransport>> => ({ ...MAIL_TRANSPORTS, ...replaced });
