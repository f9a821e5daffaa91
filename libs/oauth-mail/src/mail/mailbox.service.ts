import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ImapFlow } from 'imapflow';
import type { SendMailOptions } from 'nodemailer';
import type { Repository } from 'typeorm';
import { EgressPolicy } from '../egress/egress-policy.js';
import { SecretVault } from '../crypto/secret-vault.js';
import { Mailbox } from '../entities/mailbox.entity.js';
import { CheckStatus } from '../entities/mailbox.enums.js';
import { OAuthMailError } from '../errors/oauth-mail.error.js';
import { OAuthTokenError } from '../errors/oauth-token.error.js';
import { OAUTH_MAIL_MODULE_OPTIONS } from '../oauth-mail.module-definition.js';
import type { OAuthMailModuleOptions } from '../oauth-mail.options.js';
import { TokenService } from '../tokens/token.service.js';
import { openImap } from './imap/imap.client.js';
import type { CheckResult } from './mail-check.result.js';
import { trustedCa, type MailConnection } from './mail-connection.js';
import { classifyMailError } from './mail-error.classifier.js';
import { Pop3Client } from './pop3/pop3.client.js';
import { isSafeSaslUsername } from './sasl.js';
import { smtpTransport } from './smtp/smtp.client.js';

type Failure = Extract<CheckResult, { ok: false }>;

/** A message fetchNew returns: its server id and raw RFC 5322 source. */
export interface FetchedMessage {
  id: string;
  raw: Buffer;
}

/** Thrown by withImap, fetchNew and send when the mailbox cannot be used; carries the Check-style failure. */
export class MailboxUnavailableError extends OAuthMailError {
  constructor(readonly failure: Failure) {
    super(failure.code, failure.message, failure.retryable);
  }
}

/**
 * Connects mailboxes with their password or their OAuth client's token
 * (XOAUTH2/OAUTHBEARER). A token the server refuses is refreshed once and the
 * login retried once; a temporary failure of the authorization server never
 * marks the client for re-validation.
 */
@Injectable()
export class MailboxService {
  /** Checks under way, per mailbox. */
  private readonly checks = new Map<string, Promise<CheckResult>>();

  constructor(
    @InjectRepository(Mailbox) private readonly mailboxes: Repository<Mailbox>,
    private readonly vault: SecretVault,
    private readonly tokens: TokenService,
    private readonly egress: EgressPolicy,
    @Inject(OAUTH_MAIL_MODULE_OPTIONS) private readonly options: OAuthMailModuleOptions,
  ) {}

  /**
   * Connects, logs in, opens the folder (IMAP), runs STAT (POP3) or EHLO+AUTH (SMTP), logs out; records the outcome.
   * Checks of one mailbox that overlap (a double click, two admins) share one connection: each failed
   * login counts towards the server's lockout of the account.
   */
  check(mailboxId: string): Promise<CheckResult> {
    let running = this.checks.get(mailboxId);
    if (!running) {
      running = this.runCheck(mailboxId).finally(() => this.checks.delete(mailboxId));
      this.checks.set(mailboxId, running);
    }
    return running;
  }

  private async runCheck(mailboxId: string): Promise<CheckResult> {
    const result = await this.probe(mailboxId);
    await this.mailboxes.update(
      { id: mailboxId },
      { lastCheckAt: new Date(), lastCheckStatus: result.ok ? CheckStatus.Ok : CheckStatus.Failed, lastCheckMessage: result.message.slice(0, 1000) },
    );
    return result;
  }

  /** Lends a logged-in imapflow client to `fn` and always logs out. */
  async withImap<T>(mailboxId: string, fn: (client: ImapFlow, mailbox: Mailbox) => Promise<T>): Promise<T> {
    const mailbox = await this.usable(mailboxId, 'imap');
    const client = await this.orThrow(this.login(mailbox, openImap));
    try {
      return await fn(client, mailbox);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** Incoming messages not returned before (IMAP by UID, POP3 by UIDL); remembers what it returned. */
  async fetchNew(mailboxId: string): Promise<FetchedMessage[]> {
    const mailbox = await this.usable(mailboxId);
    if (mailbox.protocol === 'pop3') return this.fetchNewPop3(mailbox);
    return this.withImap(mailboxId, async (client) => {
      const lock = await client.getMailboxLock(mailbox.folder ?? 'INBOX');
      try {
        const box = client.mailbox as { uidValidity: bigint; uidNext: number };
        const uidValidity = String(box.uidValidity);
        const state = mailbox.fetchState?.uidValidity === uidValidity ? mailbox.fetchState : { uidValidity, lastUid: 0 };
        const fetched: FetchedMessage[] = [];
        let lastUid = state.lastUid ?? 0;
        for await (const message of client.fetch(`${lastUid + 1}:*`, { uid: true, source: true }, { uid: true })) {
          // `n:*` always returns the newest message, even when it is older than n.
          if (message.uid <= lastUid) continue;
          fetched.push({ id: String(message.uid), raw: message.source! });
          lastUid = Math.max(lastUid, message.uid);
        }
        await this.mailboxes.update({ id: mailbox.id }, { fetchState: { uidValidity, lastUid } });
        return fetched;
      } finally {
        lock.release();
      }
    });
  }

  /** Sends through the mailbox's SMTP server; From defaults to Display Name <Email Display or username>. */
  async send(mailboxId: string, message: SendMailOptions): Promise<{ messageId: string }> {
    const mailbox = await this.usable(mailboxId, 'smtp');
    const from = message.from ?? { name: mailbox.displayName ?? '', address: mailbox.emailDisplay ?? mailbox.username };
    const info = await this.orThrow(
      this.login(mailbox, async (c) => {
        const transport = smtpTransport(c);
        try {
          return (await transport.sendMail({ ...message, from })) as { messageId: string };
        } finally {
          transport.close();
        }
      }),
    );
    return { messageId: info.messageId };
  }

  private async probe(mailboxId: string): Promise<CheckResult> {
    const mailbox = await this.mailboxes.findOne({ where: { id: mailboxId }, relations: { oauthClient: true } });
    const protocol = mailbox?.protocol ?? 'imap';
    const config = (code: Failure['code'], message: string): Failure => ({ ok: false, protocol, stage: 'config', code, message, retryable: false });
    if (!mailbox) return config('NOT_FOUND', 'This mailbox does not exist any more.');
    if (mailbox.status === 'disabled') return config('MAILBOX_DISABLED', 'This mailbox is disabled. Set its Status to enabled to check it.');
    if (!isSafeSaslUsername(mailbox.username)) return config('MAIL_CONFIG_INVALID', 'The Username contains control characters. Correct it and save.');
    const outcome = await this.login(mailbox, async (c) => {
      switch (mailbox.protocol) {
        case 'imap': {
          const client = await openImap(c);
          try {
            const folder = mailbox.folder ?? 'INBOX';
            const opened = await client.mailboxOpen(folder, { readOnly: true }).catch((cause) => {
              throw Object.assign(new Error('folder'), { folderError: true, cause });
            });
            return `${opened.exists} message${opened.exists === 1 ? '' : 's'} in ${folder}`;
          } finally {
            await client.logout().catch(() => client.close());
          }
        }
        case 'pop3': {
          const client = await this.openPop3(c);
          try {
            const { count } = await client.stat();
            return `${count} message${count === 1 ? '' : 's'} waiting`;
          } finally {
            await client.quit().catch(() => client.close());
          }
        }
        case 'smtp': {
          const transport = smtpTransport(c);
          try {
            await transport.verify();
            return 'the server accepted the login';
          } finally {
            transport.close();
          }
        }
      }
    });
    if (!outcome.ok) return outcome;
    return { ok: true, protocol, message: `Connection Successful: ${outcome.value}.` };
  }

  /**
   * Runs `attempt` with the mailbox's credentials. With an OAuth client, a
   * refused token is refreshed once and the attempt repeated once.
   */
  private async login<T>(mailbox: Mailbox, attempt: (c: MailConnection) => Promise<T>): Promise<{ ok: true; value: T } | Failure> {
    const refused = await this.egress.refusal(mailbox.host);
    if (refused) {
      const code = refused.reason === 'blocked' ? 'EGRESS_BLOCKED' : 'MAIL_HOST_NOT_FOUND';
      return { ok: false, protocol: mailbox.protocol, stage: 'connect', code, message: `${refused.message} Check the Host.`, retryable: false };
    }
    const base = {
      host: mailbox.host,
      port: mailbox.port,
      encryption: mailbox.encryption,
      username: mailbox.username,
      ca: trustedCa(this.options.mailTrustedCa),
      timeoutMs: this.options.mailStepTimeoutMs ?? 10_000,
    };
    const run = async (credential: MailConnection['credential']): Promise<{ ok: true; value: T } | Failure> => {
      try {
        return { ok: true, value: await attempt({ ...base, credential }) };
      } catch (error) {
        if ((error as { folderError?: boolean }).folderError) {
          return { ok: false, protocol: mailbox.protocol, stage: 'open', code: 'MAIL_FOLDER_FAILED', message: `The folder "${mailbox.folder}" could not be opened. Check the Folder name.`, retryable: false };
        }
        return classifyMailError(error, mailbox.protocol, mailbox.host, mailbox.port);
      }
    };
    if (!mailbox.oauthClientId) {
      const password = this.vault.open(Mailbox, mailbox, 'passwordEncrypted');
      if (!password) return { ok: false, protocol: mailbox.protocol, stage: 'config', code: 'MAIL_CONFIG_INVALID', message: 'No password is stored and no OAuth client is chosen. Enter one of them.', retryable: false };
      return run({ kind: 'password', password });
    }
    const first = await this.token(mailbox);
    if ('ok' in first) return first;
    const outcome = await run({ kind: 'token', accessToken: first.token });
    if (outcome.ok || outcome.code !== 'MAIL_AUTH_FAILED') return outcome;
    const second = await this.token(mailbox, first.token);
    if ('ok' in second) return second;
    const retried = await run({ kind: 'token', accessToken: second.token });
    if (retried.ok || retried.code !== 'MAIL_AUTH_FAILED') return retried;
    return {
      ...retried,
      message: `${retried.message} A fresh token was refused too: check that ${mailbox.username} may use this protocol (IMAP, POP and Authenticated SMTP enabled) and that the validated account has access to this mailbox.`,
    };
  }

  /** The client's token; `rejected` is the one the server just refused (refreshed unless already replaced). */
  private async token(mailbox: Mailbox, rejected?: string): Promise<{ token: string } | Failure> {
    try {
      return { token: await this.tokens.getAccessToken(mailbox.oauthClientId!, { rejected }) };
    } catch (error) {
      const e = error instanceof OAuthMailError ? error : new OAuthMailError('PROVIDER_UNAVAILABLE', 'The OAuth token could not be obtained.', true);
      const message =
        e.code === 'PROVIDER_UNAVAILABLE'
          ? 'The OAuth provider is temporarily unavailable, so no token could be obtained. The client stays valid; try again later.'
          : e.code === 'TOKEN_REVOKED'
            ? `The OAuth client${mailbox.oauthClient ? ` "${mailbox.oauthClient.name}"` : ''} must be validated again: open it and click Validate.${
                e instanceof OAuthTokenError && e.providerError ? ` (The provider answered ${e.providerError}.)` : ''}`
            : e.message;
      return { ok: false, protocol: mailbox.protocol, stage: 'token', code: e.code, message, retryable: e.retryable };
    }
  }

  private async openPop3(c: MailConnection): Promise<Pop3Client> {
    const client = await Pop3Client.connect({ host: c.host, port: c.port, encryption: c.encryption, tls: { ca: c.ca, rejectUnauthorized: true }, timeoutMs: c.timeoutMs });
    try {
      if (c.credential.kind === 'password') await client.loginPassword(c.username, c.credential.password);
      else if ((await client.saslMechanisms()).includes('XOAUTH2')) await client.loginXOAuth2(c.username, c.credential.accessToken);
      else await client.loginOAuthBearer(c.username, c.credential.accessToken);
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  private async fetchNewPop3(mailbox: Mailbox): Promise<FetchedMessage[]> {
    return this.orThrow(
      this.login(mailbox, async (c) => {
        const client = await this.openPop3(c);
        try {
          const seen = new Set(mailbox.fetchState?.uidls ?? []);
          const listing = await client.uidl();
          const fetched: FetchedMessage[] = [];
          for (const [n, uid] of listing) {
            if (!seen.has(uid)) fetched.push({ id: uid, raw: Buffer.from(await client.retr(n), 'utf8') });
          }
          // Only ids still on the server are kept, so the state does not grow forever.
          await this.mailboxes.update({ id: mailbox.id }, { fetchState: { uidls: [...listing.values()] } });
          return fetched;
        } finally {
          await client.quit().catch(() => client.close());
        }
      }),
    );
  }

  private async usable(mailboxId: string, protocol?: Mailbox['protocol']): Promise<Mailbox> {
    const mailbox = await this.mailboxes.findOneBy({ id: mailboxId });
    const fail = (code: Failure['code'], message: string) =>
      new MailboxUnavailableError({ ok: false, protocol: mailbox?.protocol ?? 'imap', stage: 'config', code, message, retryable: false });
    if (!mailbox) throw fail('NOT_FOUND', 'This mailbox does not exist any more.');
    if (mailbox.status === 'disabled') throw fail('MAILBOX_DISABLED', 'This mailbox is disabled.');
    if (protocol && mailbox.protocol !== protocol) throw fail('MAIL_CONFIG_INVALID', `This is a ${mailbox.protocol.toUpperCase()} mailbox, not ${protocol.toUpperCase()}.`);
    if (!isSafeSaslUsername(mailbox.username)) throw fail('MAIL_CONFIG_INVALID', 'The Username contains control characters.');
    return mailbox;
  }

  private async orThrow<T>(outcome: Promise<{ ok: true; value: T } | Failure>): Promise<T> {
    const result = await outcome;
    if (!result.ok) throw new MailboxUnavailableError(result);
    return result.value;
  }
}
