import type { ImapFlow } from 'imapflow';
import { classifyMailError, serverText, type MailErrorReading } from '../mail-error.classifier.js';
import type { FetchedMessage, MailFetchState, MailSession, MailTransport, TransportResult, MailboxField } from '../mail-transport.js';
import { socketEndpoint } from '../mail-transport.js';
import { openImap } from './imap.client.js';

/** A transport that can lend a logged-in imapflow client (what `MailboxService.withImap` needs). */
export interface ImapClientLender {
  withImapClient<T>(session: MailSession, fn: (client: ImapFlow) => Promise<T>): Promise<TransportResult<T>>;
}

export const isImapClientLender = (transport: MailTransport | undefined): transport is MailTransport & ImapClientLender =>
  typeof (transport as Partial<ImapClientLender> | undefined)?.withImapClient === 'function';

class FolderError extends Error {}

/** IMAP through imapflow: Check opens the folder read-only; fetchNew goes by UID within one UIDVALIDITY. */
export class ImapTransport implements MailTransport, ImapClientLender {
  readonly tokenAudience = 'mail' as const;
  readonly fields: readonly MailboxField[] = ['folder'];

  readonly endpoint = socketEndpoint;

  async check(session: MailSession): Promise<TransportResult<string>> {
    try {
      return await this.withImapClient(session, async (client) => {
        const folder = session.mailbox.folder ?? 'INBOX';
        const opened = await client.mailboxOpen(folder, { readOnly: true }).catch((cause) => {
          throw new FolderError('folder', { cause });
        });
        return `${opened.exists} message${opened.exists === 1 ? '' : 's'} in ${folder}`;
      });
    } catch (error) {
      return classifyImapError(error, session);
    }
  }

  fetchNew(session: MailSession): Promise<TransportResult<{ messages: FetchedMessage[]; state: MailFetchState }>> {
    return this.withImapClient(session, async (client) => {
      const lock = await client.getMailboxLock(session.mailbox.folder ?? 'INBOX');
      try {
        const box = client.mailbox as { uidValidity: bigint; uidNext: number };
        const uidValidity = String(box.uidValidity);
        const stored = session.mailbox.fetchState;
        const state = stored?.uidValidity === uidValidity ? stored : { uidValidity, lastUid: 0 };
        const messages: FetchedMessage[] = [];
        let lastUid = state.lastUid ?? 0;
        for await (const message of client.fetch(`${lastUid + 1}:*`, { uid: true, source: true }, { uid: true })) {
          // `n:*` always returns the newest message, even when it is older than n.
          if (message.uid <= lastUid) continue;
          messages.push({ id: String(message.uid), raw: message.source! });
          lastUid = Math.max(lastUid, message.uid);
        }
        return { messages, state: { uidValidity, lastUid } };
      } finally {
        lock.release();
      }
    });
  }

  /** Lends a logged-in client to `fn` and always logs out. A failed login comes back classified; what `fn` throws is thrown. */
  async withImapClient<T>(session: MailSession, fn: (client: ImapFlow) => Promise<T>): Promise<TransportResult<T>> {
    let client: ImapFlow;
    try {
      client = await openImap(session);
    } catch (error) {
      return classifyImapError(error, session);
    }
    try {
      return { ok: true, value: await fn(client) };
    } finally {
      await client.logout().catch(() => client.close());
    }
  }
}

/** imapflow's errors in the library's codes. */
export function classifyImapError(error: unknown, session: MailSession): Extract<TransportResult<never>, { ok: false }> {
  const { mailbox } = session;
  if (error instanceof FolderError) {
    return { ok: false, protocol: mailbox.protocol, stage: 'open', code: 'MAIL_FOLDER_FAILED', message: `The folder "${mailbox.folder}" could not be opened. Check the Folder name.`, retryable: false };
  }
  return classifyMailError(error, { protocol: mailbox.protocol, host: mailbox.host, port: mailbox.port }, readImapError(error));
}

export function readImapError(error: unknown): MailErrorReading {
  const e = (error ?? {}) as Record<string, unknown>;
  const login =
    e.serverResponseCode === 'UNAVAILABLE' ? 'unavailable'
      : e.saslSyntaxError === true ? 'syntax'
        : e.authenticationFailed === true || e.serverResponseCode === 'AUTHENTICATIONFAILED' ? 'refused'
          : undefined;
  return {
    text: serverText(e.responseText, e.response),
    login,
    starttlsMissing: typeof e.message === 'string' && /STARTTLS/i.test(e.message),
    closed: e.code === 'NoConnection' || e.code === 'ESOCKET' || e.code === 'ECONNECTION',
  };
}
