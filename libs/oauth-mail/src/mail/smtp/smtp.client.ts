import nodemailer, { type Transporter } from 'nodemailer';
import type { MailConnection } from '../mail-connection.js';

/** A nodemailer transport for one mailbox; STARTTLS required when chosen. The caller closes it. */
export function smtpTransport(c: MailConnection): Transporter {
  return nodemailer.createTransport({
    host: c.host,
    port: c.port,
    secure: c.encryption === 'ssl',
    requireTLS: c.encryption === 'starttls',
    ignoreTLS: c.encryption === 'none',
    auth: c.credential.kind === 'token'
      ? { type: 'OAuth2', user: c.username, accessToken: c.credential.accessToken }
      : { user: c.username, pass: c.credential.password },
    tls: { ca: c.ca, rejectUnauthorized: true },
    connectionTimeout: c.timeoutMs,
    greetingTimeout: c.timeoutMs,
    socketTimeout: c.timeoutMs * 3,
    name: 'oauth-mail',
    logger: false,
  });
}
