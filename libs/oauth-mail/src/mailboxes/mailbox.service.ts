import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ImapFlow } from 'imapflow';
import type { SendMailOptions } from 'nodemailer';
import { In, MoreThan, type FindOptionsWhere, type Repository } from 'typeorm';
import { EgressPolicy } from '../egress/egress-policy.js';
import { SecretVault } from '../crypto/secret-vault.js';
import { Mailbox } from '../entities/mailbox.entity.js';
import type { MailProtocol } from '../entities/mailbox.enums.js';
import { preparedSelect } from '../entities/prepared-select.js';
import { updateStatus } from '../entities/status-update.js';
import { OAuthMailError } from '../errors/oauth-mail.error.js';
import { OAuthTokenError } from '../errors/oauth-token.error.js';
import { OAUTH_MAIL_MODULE_OPTIONS } from '../oauth-mail.module-definition.js';
import type { OAuthMailModuleOptions } from '../oauth-mail.options.js';
import { OAuthProviderRegistry } from '../providers/oauth-provider.registry.js';
import { TokenService } from '../tokens/token.service.js';
import { isImapClientLender } from '../transports/imap/imap.transport.js';
import { checkedFields, checkResult, type CheckOutcome, type CheckResult } from '../transports/mail-check.result.js';
import { passwordRefusedHint } from '../transports/mail-error.classifier.js';
import { transportsInForce } from '../transports/mail-transport.registry.js';
import type { FetchedMessage, MailCredential, MailEndpoint, MailFailure, MailSession, MailTransport, TransportResult } from '../transports/mail-transport.js';
import { isSafeSaslUsername } from '../transports/sasl.js';
import { trustedContext } from '../transports/trusted-ca.js';
import { runFleet, type FleetJob, type Slot } from './fleet-scheduler.js';
import type { FleetOptions, MailboxCheckOutcome, MailboxFetchOutcome, MailboxSelection } from './mailbox-fleet.js';

export type { FetchedMessage } from '../transports/mail-transport.js';

/** Mailboxes read per query when a bulk run walks its selection. */
const FLEET_PAGE = 200;
const FLEET_CONCURRENCY = 10;

/** What a bulk run reads of a mailbox to know its host and account before it starts it. */
type FleetRow = Pick<Mailbox, 'id' | 'protocol' | 'host' | 'port' | 'encryption' | 'username'>;

/** Thrown by withImap, fetchNew and send when the mailbox cannot be used; carries the Check-style failure. */
export class MailboxUnavailableError extends OAuthMailError {
  constructor(readonly failure: MailFailure) {
    super(failure.code, failure.message, failure.retryable);
  }
}

/**
 * Connects mailboxes with their password or their OAuth client's token, through
 * the transport of their protocol. A token the server refuses is refreshed once
 * and the login retried once; a temporary failure of the authorization server
 * never marks the client for re-validation.
 */
@Injectable()
export class MailboxService {
  private readonly logger = new Logger(MailboxService.name);
  /** Checks under way, per mailbox. */
  private readonly checks = new Map<string, Promise<CheckResult>>();
  private readonly transports: Partial<Record<MailProtocol, MailTransport>>;
  /** The mailbox and its client in one statement (findOne's limit plus a relation sends a DISTINCT query first). */
  private readonly loadMailbox = preparedSelect(() =>
    this.mailboxes.createQueryBuilder('mailbox').leftJoinAndSelect('mailbox.oauthClient', 'oauthClient').where('mailbox.id = :mailboxId'),
  );

  constructor(
    @InjectRepository(Mailbox) private readonly mailboxes: Repository<Mailbox>,
    private readonly vault: SecretVault,
    private readonly tokens: TokenService,
    private readonly egress: EgressPolicy,
    private readonly providers: OAuthProviderRegistry,
    @Inject(OAUTH_MAIL_MODULE_OPTIONS) private readonly options: OAuthMailModuleOptions,
  ) {
    this.transports = transportsInForce(options.transports);
  }

  /**
   * Connects, logs in, runs the transport's cheapest real step (IMAP: opens the folder; POP3: STAT;
   * SMTP: EHLO+AUTH), logs out; records the outcome. Checks of one mailbox that overlap (a double
   * click, two admins) share one connection: each failed login counts towards the server's lockout of the account.
   */
  check(mailboxId: string): Promise<CheckResult> {
    let running = this.checks.get(mailboxId);
    if (!running) {
      running = this.runCheck(mailboxId).finally(() => this.checks.delete(mailboxId));
      this.checks.set(mailboxId, running);
    }
    return running;
  }

  /**
   * Checks many mailboxes (as `check` does each: outcome recorded), yielding each
   * result as it finishes. At most `concurrency` at once, and within each host's and
   * account's connection limit; a mailbox that hangs holds only its own slot, until its
   * own timeouts. Memory stays flat in the number of mailboxes.
   */
  checkMany(selection: MailboxSelection, options: FleetOptions = {}): AsyncGenerator<MailboxCheckOutcome> {
    return this.fleet(selection, options, async (mailboxId, protocol) => ({
      mailboxId,
      result: await this.check(mailboxId).catch((error: unknown) => checkResult(this.unexpected(error, protocol))),
    }));
  }

  /** `fetchNew` for many mailboxes, run as `checkMany` runs Checks. */
  fetchMany(selection: MailboxSelection, options: FleetOptions = {}): AsyncGenerator<MailboxFetchOutcome> {
    return this.fleet(selection, options, async (mailboxId, protocol): Promise<MailboxFetchOutcome> => {
      try {
        return { mailboxId, ok: true, messages: await this.fetchNew(mailboxId) };
      } catch (error) {
        return { mailboxId, ok: false, failure: error instanceof MailboxUnavailableError ? error.failure : this.unexpected(error, protocol) };
      }
    });
  }

  /** Lends a logged-in imapflow client to `fn` and always logs out. */
  async withImap<T>(mailboxId: string, fn: (client: ImapFlow, mailbox: Mailbox) => Promise<T>): Promise<T> {
    const { mailbox, transport } = orThrow(await this.usable(mailboxId));
    if (!isImapClientLender(transport)) throw new MailboxUnavailableError(configFailure(mailbox.protocol, `This is a ${mailbox.protocol.toUpperCase()} mailbox, not IMAP.`));
    return orThrow(await this.attempt(mailbox, transport, (session) => transport.withImapClient(session, (client) => fn(client, mailbox))));
  }

  /** Incoming messages not returned before (IMAP by UID, POP3 by UIDL); remembers what it returned. */
  async fetchNew(mailboxId: string): Promise<FetchedMessage[]> {
    const { mailbox, transport } = orThrow(await this.usable(mailboxId));
    const fetchNew = transport.fetchNew?.bind(transport);
    if (!fetchNew) throw new MailboxUnavailableError(configFailure(mailbox.protocol, `This is a ${mailbox.protocol.toUpperCase()} mailbox: it cannot fetch messages.`));
    const { messages, state } = orThrow(await this.attempt(mailbox, transport, fetchNew));
    await updateStatus(this.mailboxes, mailbox.id, { fetchState: state });
    return messages;
  }

  /** Sends through the mailbox's SMTP server; From defaults to Display Name <Email Display or username>. */
  async send(mailboxId: string, message: SendMailOptions): Promise<{ messageId: string }> {
    const { mailbox, transport } = orThrow(await this.usable(mailboxId));
    const send = transport.send?.bind(transport);
    if (!send) throw new MailboxUnavailableError(configFailure(mailbox.protocol, `This is a ${mailbox.protocol.toUpperCase()} mailbox: it cannot send messages.`));
    const from = message.from ?? { name: mailbox.displayName ?? '', address: mailbox.emailDisplay ?? mailbox.username };
    return orThrow(await this.attempt(mailbox, transport, (session) => send(session, { ...message, from })));
  }

  private fleet<R>(selection: MailboxSelection, options: FleetOptions, work: (mailboxId: string, protocol: MailProtocol) => Promise<R>): AsyncGenerator<R> {
    const concurrency = fleetLimit(options.concurrency, 'concurrency') ?? FLEET_CONCURRENCY;
    const perHost = fleetLimit(options.perHost, 'perHost');
    const perAccount = fleetLimit(options.perAccount, 'perAccount');
    const slots = (row: FleetRow): Slot[] => {
      const transport = this.transports[row.protocol];
      if (!transport) return [];
      const host = endpointHost(transport.endpoint(row as Mailbox)).toLowerCase();
      const account = { key: `account ${row.protocol} ${host} ${row.username.toLowerCase()}`, limit: perAccount ?? this.providers.connectionsPerAccount(host, row.protocol) };
      return perHost ? [account, { key: `host ${host}`, limit: perHost }] : [account];
    };
    const jobs = async function* (pages: AsyncGenerator<{ id: string; row: FleetRow | null }[]>): AsyncGenerator<FleetJob<{ id: string; protocol: MailProtocol }>> {
      for await (const page of pages) {
        // A mailbox gone since it was selected has no connection to limit: its Check says it does not exist.
        for (const { id, row } of page) yield { item: { id, protocol: row?.protocol ?? 'imap' }, slots: row ? slots(row) : [] };
      }
    };
    return runFleet(jobs(this.selectionPages(selection)), (item) => work(item.id, item.protocol), { concurrency, signal: options.signal });
  }

  /** The selection a page at a time: ids in the order given, a filter in id order (keyset, so rows added meanwhile do not shift pages). */
  private async *selectionPages(selection: MailboxSelection): AsyncGenerator<{ id: string; row: FleetRow | null }[]> {
    const select = { id: true, protocol: true, host: true, port: true, encryption: true, username: true } as const;
    if (isIdList(selection)) {
      for (let i = 0; i < selection.length; i += FLEET_PAGE) {
        const ids = selection.slice(i, i + FLEET_PAGE);
        const rows = new Map((await this.mailboxes.find({ where: { id: In(ids) }, select })).map((row) => [row.id, row]));
        yield ids.map((id) => ({ id, row: rows.get(id) ?? null }));
      }
      return;
    }
    const where: FindOptionsWhere<Mailbox> = { ...selection };
    let after: string | null = null;
    while (true) {
      const rows: FleetRow[] = await this.mailboxes.find({ where: after === null ? where : { ...where, id: MoreThan(after) }, select, order: { id: 'ASC' }, take: FLEET_PAGE });
      if (!rows.length) return;
      yield rows.map((row) => ({ id: row.id, row }));
      after = rows[rows.length - 1].id;
    }
  }

  /** A failure nobody planned for, as a result: one mailbox's broken row never ends a bulk run. */
  private unexpected(error: unknown, protocol: MailProtocol): MailFailure {
    if (error instanceof OAuthMailError) return { ok: false, protocol, stage: 'config', code: error.code, message: error.message, retryable: error.retryable };
    this.logger.error(`A mailbox operation failed unexpectedly: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return { ok: false, protocol, stage: 'config', code: 'INTERNAL_ERROR', message: 'The Check failed unexpectedly (the server log has the details). Try again; if it keeps failing, tell your administrator.', retryable: true };
  }

  private async runCheck(mailboxId: string): Promise<CheckResult> {
    const result = checkResult(await this.probe(mailboxId));
    await updateStatus(this.mailboxes, mailboxId, checkedFields(result));
    return result;
  }

  private async probe(mailboxId: string): Promise<CheckOutcome> {
    const found = await this.usable(mailboxId);
    if (!found.ok) return found;
    const { mailbox, transport } = found.value;
    const check = transport.check?.bind(transport);
    if (!check) return configFailure(mailbox.protocol, `The ${mailbox.protocol.toUpperCase()} transport cannot check a mailbox.`);
    const outcome = await this.attempt(mailbox, transport, check);
    if (!outcome.ok) return outcome;
    const detail = typeof outcome.value === 'string' && outcome.value ? `: ${outcome.value}` : '';
    return { ok: true, protocol: mailbox.protocol, message: `Connection Successful${detail}.` };
  }

  /** The usability checks every operation runs once: the mailbox exists, is enabled, has a safe username and a transport. */
  private async usable(mailboxId: string): Promise<{ ok: true; value: { mailbox: Mailbox; transport: MailTransport } } | MailFailure> {
    const [mailbox] = await this.loadMailbox({ mailboxId });
    const protocol = mailbox?.protocol ?? 'imap';
    if (!mailbox) return configFailure(protocol, 'This mailbox does not exist any more.', 'NOT_FOUND');
    if (mailbox.status === 'disabled') return configFailure(protocol, 'This mailbox is disabled. Set its Status to enabled to check it.', 'MAILBOX_DISABLED');
    if (!isSafeSaslUsername(mailbox.username)) return configFailure(protocol, 'The Username contains control characters. Correct it and save.');
    const transport = this.transports[mailbox.protocol];
    if (!transport) return configFailure(protocol, `No transport is registered for ${String(mailbox.protocol).toUpperCase()} mailboxes.`);
    return { ok: true, value: { mailbox, transport } };
  }

  /**
   * Runs `operation` with the mailbox's credential, after the egress pre-flight
   * (the transports apply the same rule again at connect time). With an OAuth
   * client, a refused token is refreshed once and the operation repeated once.
   */
  private async attempt<T>(mailbox: Mailbox, transport: MailTransport, operation: (session: MailSession) => Promise<TransportResult<T>>): Promise<TransportResult<T>> {
    const endpoint = transport.endpoint(mailbox);
    const refused = await this.egress.refusal(endpointHost(endpoint));
    if (refused) {
      const code = refused.reason === 'blocked' ? 'EGRESS_BLOCKED' : 'MAIL_HOST_NOT_FOUND';
      return { ok: false, protocol: mailbox.protocol, stage: 'connect', code, message: `${refused.message} Check the Host.`, retryable: false };
    }
    const session = (credential: MailCredential): MailSession => ({
      mailbox,
      endpoint,
      username: mailbox.username,
      credential,
      secureContext: trustedContext(this.options.mailTrustedCa),
      timeoutMs: this.options.mailStepTimeoutMs ?? 10_000,
      lookup: this.egress.lookup,
    });
    const first = await this.credential(mailbox, transport, endpoint);
    if (!first.ok) return first;
    const outcome = await operation(session(first.value));
    if (outcome.ok || outcome.code !== 'MAIL_AUTH_FAILED') return outcome;
    if (first.value.kind === 'password') {
      const host = endpointHost(endpoint);
      return { ...outcome, message: `${outcome.message} ${passwordRefusedHint({ username: mailbox.username, host, providerLabel: this.providers.mailHostOwner(host)?.label })}` };
    }
    const second = await this.credential(mailbox, transport, endpoint, first.value.accessToken);
    if (!second.ok) return second;
    const retried = await operation(session(second.value));
    if (retried.ok || retried.code !== 'MAIL_AUTH_FAILED') return retried;
    return {
      ...retried,
      message: `${retried.message} A fresh token was refused too: check that ${mailbox.username} may use this protocol (IMAP, POP and Authenticated SMTP enabled) and that the validated account has access to this mailbox.`,
    };
  }

  /**
   * The credential to log in with: the mailbox's password, or its OAuth
   * client's token for the transport's audience. `rejected` is the token a
   * server just refused (refreshed unless already replaced). Every rule on
   * where a credential may be sent belongs in this step.
   */
  private async credential(mailbox: Mailbox, transport: MailTransport, endpoint: MailEndpoint, rejected?: string): Promise<TransportResult<MailCredential>> {
    if (!mailbox.oauthClientId) {
      const password = this.vault.open(Mailbox, mailbox, 'passwordEncrypted');
      if (!password) return configFailure(mailbox.protocol, 'No password is stored and no OAuth client is chosen. Enter one of them.');
      return { ok: true, value: { kind: 'password', password } };
    }
    // A client holds one token, for the mail servers; other audiences (Graph) need a token of their own.
    if (transport.tokenAudience !== 'mail') {
      return configFailure(mailbox.protocol, `The OAuth client holds no token for the ${transport.tokenAudience} audience this transport needs.`);
    }
    // Checked again here, not only when the form is saved: a host edited in the database must not receive the token either.
    if (mailbox.oauthClient) {
      let refusal: string | null;
      try {
        refusal = this.providers.mailHostRefusal(mailbox.oauthClient, endpointHost(endpoint));
      } catch (error) {
        refusal = (error as Error).message;
      }
      if (refusal) return configFailure(mailbox.protocol, `${refusal} No token was sent.`, 'MAIL_HOST_NOT_ALLOWED');
    }
    try {
      return { ok: true, value: { kind: 'token', accessToken: await this.tokens.getAccessToken(mailbox.oauthClientId, { rejected }) } };
    } catch (error) {
      const e = error instanceof OAuthMailError ? error : new OAuthMailError('PROVIDER_UNAVAILABLE', 'The OAuth token could not be obtained.', true);
      const message =
        e.code === 'PROVIDER_UNAVAILABLE'
          ? `The OAuth provider is temporarily unavailable, so no token could be obtained. The client stays valid; ${
            e.retryAfter ? `the next token request is made after ${e.retryAfter.toISOString().slice(11, 19)} UTC.` : 'try again later.'}`
          : e.code === 'TOKEN_REVOKED'
            ? `The OAuth client${mailbox.oauthClient ? ` "${mailbox.oauthClient.name}"` : ''} must be validated again: open it and click Validate.${
              e instanceof OAuthTokenError && e.providerError ? ` (The provider answered ${e.providerError}.)` : ''}`
            : e.message;
      return { ok: false, protocol: mailbox.protocol, stage: 'token', code: e.code, message, retryable: e.retryable, ...(e.retryAfter && { retryAfter: e.retryAfter }) };
    }
  }
}

function configFailure(protocol: MailProtocol, message: string, code: MailFailure['code'] = 'MAIL_CONFIG_INVALID'): MailFailure {
  return { ok: false, protocol, stage: 'config', code, message, retryable: false };
}

function isIdList(selection: MailboxSelection): selection is readonly string[] {
  return Array.isArray(selection);
}

function fleetLimit(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) throw new OAuthMailError('INVALID_ARGUMENT', `${name} must be a whole number of at least 1 (got ${String(value)}).`);
  return value;
}

function endpointHost(endpoint: MailEndpoint): string {
  return endpoint.kind === 'socket' ? endpoint.host : new URL(endpoint.baseUrl).hostname;
}

function orThrow<T>(result: TransportResult<T>): T {
  if (!result.ok) throw new MailboxUnavailableError(result);
  return result.value;
}
