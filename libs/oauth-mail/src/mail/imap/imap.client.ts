import { ImapFlow } from 'imapflow';
import type { MailConnection } from '../mail-connection.js';

/** An imapflow client, logged in, STARTTLS enforced when chosen. The caller logs out. */
export async function openImap(c: MailConnection): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: c.host,
    port: c.port,
    secure: c.encryption === 'ssl',
    // true: STARTTLS is required, so credentials never go over a plain connection.
    doSTARTTLS: c.encryption === 'starttls' ? true : c.encryption === 'none' ? false : undefined,
    auth: c.credential.kind === 'token' ? { user: c.username, accessToken: c.credential.accessToken } : { user: c.username, pass: c.credential.password },
    tls: { ca: c.ca, rejectUnauthorized: true },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: c.timeoutMs,
    greetingTimeout: c.timeoutMs,
    socketTimeout: c.timeoutMs * 3,
  });
  // imapflow emits 'error' on socket trouble after connect; without a listener it would crash the process.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
