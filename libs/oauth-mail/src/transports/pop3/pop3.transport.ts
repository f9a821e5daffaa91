import { classifyMailError, serverText, type MailErrorReading } from '../mail-error.classifier.js';
import type { FetchedMessage, MailFailure, MailFetchState, MailSession, MailTransport, TransportResult, MailboxField } from '../mail-transport.js';
import { socketEndpoint } from '../mail-transport.js';
import { Pop3Client, Pop3Error } from './pop3.client.js';

/** POP3 through our Pop3Client: Check runs STAT; fetchNew goes by UIDL. */
export class Pop3Transport implements MailTransport {
  readonly tokenAudience = 'mail' as const;
  readonly fields: readonly MailboxField[] = [];

  readonly endpoint = socketEndpoint;

  async check(session: MailSession): Promise<TransportResult<string>> {
    try {
      return await this.withClient(session, async (client) => {
        const { count } = await client.stat();
        return `${count} message${count === 1 ? '' : 's'} waiting`;
      });
    } catch (error) {
      return classifyPop3Error(error, session);
    }
  }

  fetchNew(session: MailSession): Promise<TransportResult<{ messages: FetchedMessage[]; state: MailFetchState }>> {
    return this.withClient(session, async (client) => {
      const seen = new Set(session.mailbox.fetchState?.uidls ?? []);
      const listing = await client.uidl();
      const messages: FetchedMessage[] = [];
      for (const [n, uid] of listing) {
        if (!seen.has(uid)) messages.push({ id: uid, raw: Buffer.from(await client.retr(n), 'utf8') });
      }
      // Only ids still on the server are kept, so the state does not grow forever.
      return { messages, state: { uidls: [...listing.values()] } };
    });
  }

  /** Logs in, runs `fn`, always quits. A failed login comes back classified; what `fn` throws is thrown. */
  private async withClient<T>(session: MailSession, fn: (client: Pop3Client) => Promise<T>): Promise<TransportResult<T>> {
    let client: Pop3Client;
    try {
      client = await login(session);
    } catch (error) {
      return classifyPop3Error(error, session);
    }
    try {
      return { ok: true, value: await fn(client) };
    } finally {
      await client.quit().catch(() => client.close());
    }
  }
}

async function login(s: MailSession): Promise<Pop3Client> {
  if (s.endpoint.kind !== 'socket') throw new Error('POP3 needs a socket endpoint.');
  const { host, port, encryption } = s.endpoint;
  const client = await Pop3Client.connect({ host, port, encryption, tls: { secureContext: s.secureContext, rejectUnauthorized: true }, timeoutMs: s.timeoutMs, lookup: s.lookup });
  try {
    if (s.credential.kind === 'password') await client.loginPassword(s.username, s.credential.password);
    else if ((await client.saslMechanisms()).includes('XOAUTH2')) await client.loginXOAuth2(s.username, s.credential.accessToken);
    else await client.loginOAuthBearer(s.username, s.credential.accessToken);
    return client;
  } catch (error) {
    client.close();
    throw error;
  }
}

/** Pop3Client's errors (and the socket's) in the library's codes. */
export function classifyPop3Error(error: unknown, session: MailSession): MailFailure {
  const { mailbox } = session;
  return classifyMailError(error, { protocol: mailbox.protocol, host: mailbox.host, port: mailbox.port }, readPop3Error(error));
}

export function readPop3Error(error: unknown): MailErrorReading {
  if (!(error instanceof Pop3Error)) return { text: '' };
  return {
    text: serverText(error.message),
    login: error.responseCode === 'SYS/TEMP' ? 'unavailable' : error.stage === 'auth' ? 'refused' : undefined,
    starttlsMissing: error.stage === 'tls' && error.responseCode === 'NO-STLS',
    closed: error.stage === 'connect',
    timedOut: error.stage === 'timeout',
  };
}
