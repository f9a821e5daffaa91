import { isIP } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import type { ConnectLookup } from '../../egress/egress-policy.js';
import type { MailSession } from '../mail-transport.js';
import { SMTP_XOAUTH2_METHOD, smtpXOAuth2 } from './smtp-xoauth2.auth.js';

/**
 * A nodemailer transport for one mailbox; STARTTLS required when chosen. The caller closes it.
 * nodemailer 10 resolves names itself and ignores a `lookup` option, so the name is
 * resolved here through the egress lookup and the transport connects to that address,
 * with the name as TLS server name: certificates are still checked against the name.
 */
export async function smtpTransport(s: MailSession): Promise<Transporter> {
  if (s.endpoint.kind !== 'socket') throw new Error('SMTP needs a socket endpoint.');
  const { host, port, encryption } = s.endpoint;
  const address = await resolvePinned(s.lookup, host);
  const servername = isIP(host.replace(/^\[(.*)\]$/, '$1')) ? undefined : host;
  return nodemailer.createTransport({
    host: address,
    port,
    servername,
    secure: encryption === 'ssl',
    requireTLS: encryption === 'starttls',
    ignoreTLS: encryption === 'none',
    auth: s.credential.kind === 'token'
      ? { type: 'custom', method: SMTP_XOAUTH2_METHOD, user: s.username, pass: s.credential.accessToken }
      : { user: s.username, pass: s.credential.password },
    customAuth: { [SMTP_XOAUTH2_METHOD]: smtpXOAuth2 },
    tls: { secureContext: s.secureContext, rejectUnauthorized: true, servername },
    connectionTimeout: s.timeoutMs,
    greetingTimeout: s.timeoutMs,
    socketTimeout: s.timeoutMs * 3,
    name: 'oauth-mail',
    logger: false,
  } as Parameters<typeof nodemailer.createTransport>[0]);
}

/** One address of `host` as the egress lookup answers it (it fails with EGRESS_BLOCKED or ENOTFOUND). */
function resolvePinned(lookup: ConnectLookup, host: string): Promise<string> {
  return new Promise((done, fail) =>
    lookup(host, { all: false }, (error, address) => (error ? fail(error) : done(address as string))),
  );
}
