import type { SendMailOptions, Transporter } from 'nodemailer';
import { classifyMailError, serverText, type MailErrorReading } from '../mail-error.classifier.js';
import type { MailFailure, MailSession, MailTransport, TransportResult, MailboxField } from '../mail-transport.js';
import { socketEndpoint } from '../mail-transport.js';
import { smtpTransport } from './smtp.client.js';

// RFC 5321 §4.2.3: the server did not understand the command (line too long, bad syntax, unknown parameter).
const SYNTAX_REPLIES = new Set([500, 501, 504]);

/** SMTP submission through nodemailer: Check is EHLO + AUTH (verify); send delivers one message. */
export class SmtpTransport implements MailTransport {
  readonly tokenAudience = 'mail' as const;
  readonly fields: readonly MailboxField[] = [];

  readonly endpoint = socketEndpoint;

  async check(session: MailSession): Promise<TransportResult<string>> {
    try {
      return await this.withTransport(session, async (transport) => {
        await transport.verify();
        return 'the server accepted the login';
      });
    } catch (error) {
      return classifySmtpError(error, session);
    }
  }

  /** nodemailer logs in as part of sending, so every failure of `send` comes back classified. */
  async send(session: MailSession, message: SendMailOptions): Promise<TransportResult<{ messageId: string }>> {
    try {
      return await this.withTransport(session, async (transport) => ({ messageId: ((await transport.sendMail(message)) as { messageId: string }).messageId }));
    } catch (error) {
      return classifySmtpError(error, session);
    }
  }

  private async withTransport<T>(session: MailSession, fn: (transport: Transporter) => Promise<T>): Promise<TransportResult<T>> {
    const transport = await smtpTransport(session);
    try {
      return { ok: true, value: await fn(transport) };
    } finally {
      transport.close();
    }
  }
}

/** nodemailer's errors in the library's codes. */
export function classifySmtpError(error: unknown, session: MailSession): MailFailure {
  const { mailbox } = session;
  return classifyMailError(error, { protocol: mailbox.protocol, host: mailbox.host, port: mailbox.port }, readSmtpError(error));
}

export function readSmtpError(error: unknown): MailErrorReading {
  const e = (error ?? {}) as Record<string, unknown>;
  const text = serverText(e.response);
  const auth = e.code === 'EAUTH';
  return {
    text,
    login: e.responseCode === 454 ? 'unavailable' : auth && SYNTAX_REPLIES.has(e.responseCode as number) ? 'syntax' : auth ? 'refused' : undefined,
    hint: /5\.7\.139/.test(text) ? 'SMTP AUTH is disabled for this Microsoft 365 tenant or mailbox: enable "Authenticated SMTP" in the Microsoft 365 admin center.' : undefined,
    starttlsMissing: typeof e.message === 'string' && /STARTTLS/i.test(e.message),
    closed: e.code === 'ESOCKET' || e.code === 'ECONNECTION',
  };
}
