import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Subject } from 'rxjs';
import { DataSource, type Repository } from 'typeorm';
import { SecretVault } from '../crypto/secret-vault.js';
import { OAuthClient } from '../entities/oauth-client.entity.js';
import { ValidationStatus } from '../entities/oauth-client.enums.js';
import { OAuthClientService } from '../clients/oauth-client.service.js';
import { clientRefusal } from '../clients/oauth-client.usability.js';
import { OAuthMailError } from '../errors/oauth-mail.error.js';
import { OAuthTokenError } from '../errors/oauth-token.error.js';
import { AccessTokenCache } from './access-token.cache.js';
import { ClientChangeFeed } from './client-change.feed.js';
import { DatabaseClock } from './database.clock.js';
import { AdvisoryRefreshLock } from './advisory.refresh-lock.js';
import type { OAuthClientEvent } from './oauth-client.events.js';
import type { Locked, RefreshLock } from './refresh-lock.js';
import { RefreshBackoff, type Waiting } from './refresh.backoff.js';
import { RowLeaseRefreshLock } from './row-lease.refresh-lock.js';
import { TokenEndpointClient } from './token-endpoint.client.js';
import type { TokenSet } from './token-set.js';
import { UnsavedTokenStore } from './unsaved-token.store.js';

const MAX_MARGIN_MS = 5 * 60 * 1000;
/** How long a caller waits for another process's refresh before it gives up. */
const WAIT_MS = 60_000;
/** How long a waiter sleeps before it looks at the lock again without being told of a change. */
const RECHECK_MS = { notified: 1_000, polling: 150 };
/** During a backoff an access token is served until this long before it expires, so it does not expire in use. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * Gives every caller a valid access token for a client: from memory while it is
 * fresh (no database read), refreshing ahead of expiry once per process (single
 * flight, joined before any I/O) and once across processes (on PostgreSQL an
 * advisory lock that dies with its holder, and waiters woken by NOTIFY when it
 * saves; elsewhere a lease on the client row). Keeps a rotated refresh token (in
 * memory, saved again with backoff, when the database refuses it), backs off per
 * client when the provider is unavailable (serving the current token while it has
 * not expired), and marks the client for re-validation when the provider refuses the grant.
 */
@Injectable()
export class TokenService {
  /** Validation, refresh and revocation events. */
  readonly events$ = new Subject<OAuthClientEvent>();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly lock: RefreshLock;

  constructor(
    @InjectRepository(OAuthClient) private readonly clients: Repository<OAuthClient>,
    private readonly vault: SecretVault,
    private readonly endpoint: TokenEndpointClient,
    private readonly clientService: OAuthClientService,
    private readonly cache: AccessTokenCache,
    private readonly feed: ClientChangeFeed,
    private readonly clock: DatabaseClock,
    private readonly unsaved: UnsavedTokenStore,
    private readonly backoff: RefreshBackoff,
    dataSource: DataSource,
  ) {
    this.lock = dataSource.options.type === 'postgres' ? new AdvisoryRefreshLock(dataSource) : new RowLeaseRefreshLock(dataSource, clock, (id) => this.feed.announce(id));
  }

  /**
   * A valid access token for the client. Pass `rejected` with the token a
   * server refused: it is refreshed unless another caller already replaced it
   * (so callers that saw the same rejection share one refresh). `forceRefresh`
   * refreshes regardless. Throws `OAuthMailError` (CLIENT_DISABLED,
   * CLIENT_NOT_VALIDATED, TOKEN_REVOKED, CLIENT_MISCONFIGURED, PROVIDER_UNAVAILABLE, …);
   * while the client's refreshes back off, PROVIDER_UNAVAILABLE comes at once, with
   * `retryAfter`, unless the current token is still unexpired (and not refused): it is served.
   */
  async getAccessToken(clientId: string, { forceRefresh = false, rejected }: { forceRefresh?: boolean; rejected?: string } = {}): Promise<string> {
    if (!forceRefresh) {
      const cached = this.cache.get(clientId);
      if (cached !== undefined && cached !== rejected) return cached;
      if (cached !== undefined) this.cache.forget(clientId);
    }
    const key = `${clientId}\n${forceRefresh ? '\0' : (rejected ?? '')}`;
    let running = this.inflight.get(key);
    if (!running) {
      running = this.load(clientId, forceRefresh, rejected).finally(() => this.inflight.delete(key));
      this.inflight.set(key, running);
    }
    return running;
  }

  private async load(clientId: string, forceRefresh: boolean, rejected: string | undefined): Promise<string> {
    const generation = this.cache.generation(clientId);
    const client = await this.usable(clientId);
    const tokens = this.tokensOf(client);
    const refuse = forceRefresh || (rejected !== undefined && tokens.accessToken === rejected);
    if (!refuse && this.isFresh(tokens)) return this.remember(clientId, tokens, generation);
    const waiting = this.backoff.waiting(clientId);
    if (waiting) return this.waitOut(clientId, refuse ? null : tokens, waiting, generation);
    return this.refreshUnderLock(clientId, refuse ? tokens.accessToken : null);
  }

  private remember(clientId: string, tokens: TokenSet, generation: number, until = freshUntil(tokens)): string {
    if (this.feed.live) this.cache.put(clientId, tokens.accessToken, until, generation);
    return tokens.accessToken;
  }

  /**
   * While the client's refreshes back off: `current`, the token a caller may still use, as long as
   * it has not expired (it has only left its freshness margin); else the wait, as an error.
   */
  private waitOut(clientId: string, current: TokenSet | null, { until, retryAfter, cause }: Waiting, generation: number): string {
    const usableUntil = (current?.expiresAt ?? 0) - EXPIRY_MARGIN_MS;
    if (current && usableUntil > this.clock.now()) return this.remember(clientId, current, generation, Math.min(until, usableUntil));
    throw new OAuthMailError('PROVIDER_UNAVAILABLE', `${cause.message} No new token is asked for before ${retryAfter.toISOString()}.`, true, { cause, retryAfter });
  }

  /** Stores the tokens of a completed validation. */
  async saveValidation(client: OAuthClient, tokens: TokenSet, identity: string | null): Promise<void> {
    const serialized = JSON.stringify(tokens);
    this.unsaved.drop(client.id);
    await this.clients.update(
      { id: client.id },
      {
        accessTokenEncrypted: this.vault.seal(OAuthClient, client.id, 'accessTokenEncrypted', serialized),
        originalAccessTokenEncrypted: this.vault.seal(OAuthClient, client.id, 'originalAccessTokenEncrypted', serialized),
        accessTokenExpiresAt: new Date(tokens.expiresAt),
        validationStatus: ValidationStatus.Valid,
        validatedAt: new Date(),
        validatedIdentity: identity,
        lastError: null,
        refreshLeaseOwner: null,
        refreshLeaseUntil: null,
      },
    );
    this.backoff.clear(client.id);
    await this.feed.announce(client.id);
    this.events$.next({ type: 'validated', clientId: client.id, identity });
  }

  /** Records a permanent refusal: no refresh is attempted again until the client is validated. */
  async markNeedsRevalidation(clientId: string, error: OAuthMailError): Promise<void> {
    const result = await this.clients.update(
      { id: clientId, validationStatus: ValidationStatus.Valid },
      { validationStatus: ValidationStatus.NeedsRevalidation, lastError: error.message },
    );
    if (!result.affected) return;
    await this.feed.announce(clientId);
    // One event per status change, not per failing caller.
    this.events$.next({ type: 'needs_revalidation', clientId, code: error.code, message: error.message });
  }

  private async usable(clientId: string, clients = this.clients): Promise<OAuthClient> {
    const client = await clients.findOneBy({ id: clientId });
    const refused = clientRefusal(client, 'tokens');
    if (refused) throw new OAuthMailError(refused.code, refused.message);
    return client!;
  }

  /** The client's current token set: the stored one, or the newer one this process holds because the database refused it. */
  private tokensOf(client: OAuthClient): TokenSet {
    const unsaved = this.unsaved.get(client);
    if (unsaved) return unsaved;
    return JSON.parse(this.vault.open(OAuthClient, client, 'accessTokenEncrypted')!) as TokenSet;
  }

  private async refreshUnderLock(clientId: string, rejected: string | null): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    const recheck = this.feed.sharedAcrossProcesses ? RECHECK_MS.notified : RECHECK_MS.polling;
    // The first turn follows load()'s own read, so it goes straight to the lock.
    let look = false;
    while (Date.now() < deadline) {
      // Listen before the look and the lock, so a save between them and the wait still wakes us.
      const change = this.feed.waitFor(clientId, recheck);
      try {
        const done = await this.tryRefresh(clientId, rejected, look);
        look = true;
        if (done !== null) return done;
        await change.promise;
      } finally {
        change.cancel();
      }
    }
    throw new OAuthMailError('PROVIDER_UNAVAILABLE', 'Another process is still refreshing this client\'s token. Try again shortly.', true);
  }

  /**
   * One turn: the token another process saved, or ours under the lock, or null when
   * another process holds the lock and has not saved yet.
   */
  private async tryRefresh(clientId: string, rejected: string | null, look: boolean): Promise<string | null> {
    const generation = this.cache.generation(clientId);
    // A waiter woken by the holder's save finds the new token with one read, without touching the lock.
    if (look) {
      const seen = this.tokensOf(await this.usable(clientId));
      if (this.renewed(seen, rejected)) return this.remember(clientId, seen, generation);
    }
    let turn: Locked<{ tokens: TokenSet; saved: boolean }>;
    // Set once the provider has answered: from then on the new set must not be lost, saved or not.
    const issued: { tokens?: TokenSet; replaces?: string | null } = {};
    // The set read under the lock: served while the provider is unavailable, if it has not expired.
    let current: TokenSet | null = null;
    try {
      turn = await this.lock.run(clientId, async (manager) => {
        // Read again under the lock: another process may have refreshed meanwhile.
        const client = await this.usable(clientId, manager.getRepository(OAuthClient));
        const tokens = this.tokensOf(client);
        if (this.renewed(tokens, rejected)) return { tokens, saved: false };
        current = tokens.accessToken === rejected ? null : tokens;
        issued.replaces = client.accessTokenEncrypted;
        issued.tokens = await this.refresh(client, tokens);
        await manager.update(OAuthClient, { id: client.id }, this.unsaved.columns(client.id, issued.tokens));
        return { tokens: issued.tokens, saved: true };
      });
    } catch (error) {
      if (issued.tokens) {
        // The save (or its commit) failed after the provider rotated the grant: the new set is the only one that works.
        this.backoff.clear(clientId);
        this.unsaved.keep(clientId, issued.tokens, issued.replaces ?? null, error);
        return this.remember(clientId, issued.tokens, generation);
      }
      if (error instanceof OAuthMailError && error.code === 'PROVIDER_UNAVAILABLE') {
        const waiting = this.backoff.failed(clientId, error, error instanceof OAuthTokenError ? error.retryAfterMs : null);
        return this.waitOut(clientId, current, waiting, generation);
      }
      if (error instanceof OAuthMailError && (error.code === 'TOKEN_REVOKED' || error.code === 'CLIENT_MISCONFIGURED')) {
        await this.markNeedsRevalidation(clientId, error);
      }
      throw error;
    }
    if (turn.locked) {
      if (!turn.value.saved) return this.remember(clientId, turn.value.tokens, generation);
      this.backoff.clear(clientId);
      this.unsaved.drop(clientId);
      await this.feed.announce(clientId);
      this.events$.next({ type: 'refreshed', clientId });
      // Kept only if nothing but this save's own announcement changed the client meanwhile.
      return this.remember(clientId, turn.value.tokens, generation + 1);
    }
    return null;
  }

  /** Asks the token endpoint for a new token set. */
  private async refresh(client: OAuthClient, tokens: TokenSet): Promise<TokenSet> {
    if (!tokens.refreshToken) {
      throw new OAuthTokenError('TOKEN_REVOKED', 'The provider gave no refresh token at validation, so the access token cannot be renewed. Validate the client again.');
    }
    const fresh = await this.endpoint.refresh(this.clientService.tokenEndpoint(client), tokens.refreshToken);
    // Keep the old refresh token when the provider does not rotate it (Google); replace it when it does (Microsoft).
    return { ...fresh, refreshToken: fresh.refreshToken ?? tokens.refreshToken, idToken: fresh.idToken ?? tokens.idToken };
  }

  /** Fresh on the database's clock, so every process of a deployment agrees. */
  private isFresh(tokens: TokenSet): boolean {
    return freshUntil(tokens) > this.clock.now();
  }

  /** Fresh, and not the token a server just refused. */
  private renewed(tokens: TokenSet, rejected: string | null): boolean {
    return this.isFresh(tokens) && tokens.accessToken !== rejected;
  }
}

/** The end of a token's freshness: a margin before expiry, 5 minutes or half the lifetime for short-lived tokens. */
function freshUntil(tokens: TokenSet): number {
  return tokens.expiresAt - Math.min((tokens.expiresAt - tokens.receivedAt) / 2, MAX_MARGIN_MS);
}
