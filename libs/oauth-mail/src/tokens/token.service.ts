import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Subject } from 'rxjs';
import { Brackets, IsNull, LessThan, type Repository } from 'typeorm';
import { SecretVault } from '../crypto/secret-vault.js';
import { OAuthClient } from '../entities/oauth-client.entity.js';
import { ValidationStatus } from '../entities/oauth-client.enums.js';
import { OAuthClientService } from '../clients/oauth-client.service.js';
import { clientRefusal } from '../clients/oauth-client.usability.js';
import { OAuthMailError } from '../errors/oauth-mail.error.js';
import { OAuthTokenError } from '../errors/oauth-token.error.js';
import { AccessTokenCache } from './access-token.cache.js';
import { ClientChangeFeed } from './client-change.feed.js';
import type { OAuthClientEvent } from './oauth-client.events.js';
import { TokenEndpointClient } from './token-endpoint.client.js';
import type { TokenSet } from './token-set.js';

const MAX_MARGIN_MS = 5 * 60 * 1000;
const LEASE_MS = 60_000;
/** How long a waiter sleeps before it looks at the lease again without being told of a change. */
const LEASE_RECHECK_MS = { notified: 1_000, polling: 150 };

/**
 * Gives every caller a valid access token for a client: from memory while it is
 * fresh (no database read), refreshing ahead of expiry once per process (single
 * flight, joined before any I/O) and once across processes (a lease on the client
 * row, re-checked after it is taken; on PostgreSQL waiters are woken by NOTIFY
 * when the holder saves). Keeps a rotated refresh token, and marks the client for
 * re-validation when the provider refuses the grant.
 */
@Injectable()
export class TokenService {
  /** Validation, refresh and revocation events. */
  readonly events$ = new Subject<OAuthClientEvent>();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly instanceId = randomUUID();

  constructor(
    @InjectRepository(OAuthClient) private readonly clients: Repository<OAuthClient>,
    private readonly vault: SecretVault,
    private readonly endpoint: TokenEndpointClient,
    private readonly clientService: OAuthClientService,
    private readonly cache: AccessTokenCache,
    private readonly feed: ClientChangeFeed,
  ) {}

  /**
   * A valid access token for the client. Pass `rejected` with the token a
   * server refused: it is refreshed unless another caller already replaced it
   * (so callers that saw the same rejection share one refresh). `forceRefresh`
   * refreshes regardless. Throws `OAuthMailError` (CLIENT_DISABLED,
   * CLIENT_NOT_VALIDATED, TOKEN_REVOKED, CLIENT_MISCONFIGURED, PROVIDER_UNAVAILABLE, …).
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
    if (!refuse && isFresh(tokens)) return this.remember(clientId, tokens, generation);
    return this.refreshUnderLease(clientId, refuse ? tokens.accessToken : null);
  }

  private remember(clientId: string, tokens: TokenSet, generation: number): string {
    if (this.feed.live) this.cache.put(clientId, tokens.accessToken, freshUntil(tokens), generation);
    return tokens.accessToken;
  }

  /** Stores the tokens of a completed validation. */
  async saveValidation(client: OAuthClient, tokens: TokenSet, identity: string | null): Promise<void> {
    const serialized = JSON.stringify(tokens);
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

  private async usable(clientId: string): Promise<OAuthClient> {
    const client = await this.clients.findOneBy({ id: clientId });
    const refused = clientRefusal(client, 'tokens');
    if (refused) throw new OAuthMailError(refused.code, refused.message);
    return client!;
  }

  private tokensOf(client: OAuthClient): TokenSet {
    return JSON.parse(this.vault.open(OAuthClient, client, 'accessTokenEncrypted')!) as TokenSet;
  }

  private async refreshUnderLease(clientId: string, rejected: string | null): Promise<string> {
    const deadline = Date.now() + LEASE_MS;
    const recheck = this.feed.sharedAcrossProcesses ? LEASE_RECHECK_MS.notified : LEASE_RECHECK_MS.polling;
    while (Date.now() < deadline) {
      // Listen before looking, so a save between the look and the wait still wakes us.
      const change = this.feed.waitFor(clientId, recheck);
      try {
        const done = await this.tryRefresh(clientId, rejected);
        if (done !== null) return done;
        await change.promise;
      } finally {
        change.cancel();
      }
    }
    throw new OAuthMailError('PROVIDER_UNAVAILABLE', 'Another process is still refreshing this client\'s token. Try again shortly.', true);
  }

  /** One turn at the lease: the token, or null when another process holds the lease and has not saved yet. */
  private async tryRefresh(clientId: string, rejected: string | null): Promise<string | null> {
    const now = new Date();
    const generation = this.cache.generation(clientId);
    // One conditional UPDATE takes the lease; it works alike on SQLite and PostgreSQL.
    const taken = await this.clients
      .createQueryBuilder()
      .update()
      .set({ refreshLeaseOwner: this.instanceId, refreshLeaseUntil: new Date(now.getTime() + LEASE_MS) })
      .where({ id: clientId })
      .andWhere(new Brackets((q) => q.where({ refreshLeaseUntil: IsNull() }).orWhere({ refreshLeaseUntil: LessThan(now) })))
      .execute();
    // Re-read after taking (or failing to take) the lease: another process may have refreshed meanwhile.
    const client = await this.usable(clientId);
    const tokens = this.tokensOf(client);
    const renewed = isFresh(tokens) && tokens.accessToken !== rejected;
    if (taken.affected) {
      if (renewed) {
        await this.releaseLease(clientId);
        return this.remember(clientId, tokens, generation + 1);
      }
      return this.refresh(client, tokens);
    }
    return renewed ? this.remember(clientId, tokens, generation) : null;
  }

  private async refresh(client: OAuthClient, tokens: TokenSet): Promise<string> {
    try {
      if (!tokens.refreshToken) {
        throw new OAuthTokenError('TOKEN_REVOKED', 'The provider gave no refresh token at validation, so the access token cannot be renewed. Validate the client again.');
      }
      const fresh = await this.endpoint.refresh(this.clientService.tokenEndpoint(client), tokens.refreshToken);
      // Keep the old refresh token when the provider does not rotate it (Google); replace it when it does (Microsoft).
      const next: TokenSet = { ...fresh, refreshToken: fresh.refreshToken ?? tokens.refreshToken, idToken: fresh.idToken ?? tokens.idToken };
      const generation = this.cache.generation(client.id);
      await this.clients.update(
        { id: client.id },
        {
          accessTokenEncrypted: this.vault.seal(OAuthClient, client.id, 'accessTokenEncrypted', JSON.stringify(next)),
          accessTokenExpiresAt: new Date(next.expiresAt),
          lastError: null,
          refreshLeaseOwner: null,
          refreshLeaseUntil: null,
        },
      );
      await this.feed.announce(client.id);
      this.events$.next({ type: 'refreshed', clientId: client.id });
      // Kept only if nothing but this save's own announcement changed the client meanwhile.
      return this.remember(client.id, next, generation + 1);
    } catch (error) {
      await this.releaseLease(client.id);
      if (error instanceof OAuthMailError && (error.code === 'TOKEN_REVOKED' || error.code === 'CLIENT_MISCONFIGURED')) {
        await this.markNeedsRevalidation(client.id, error);
      }
      throw error;
    }
  }

  /** Frees the lease, and wakes the waiters so one of them takes it at once. */
  private async releaseLease(clientId: string): Promise<void> {
    const released = await this.clients.update({ id: clientId, refreshLeaseOwner: this.instanceId }, { refreshLeaseOwner: null, refreshLeaseUntil: null });
    if (released.affected) await this.feed.announce(clientId);
  }
}

/** The end of a token's freshness: a margin before expiry, 5 minutes or half the lifetime for short-lived tokens. */
function freshUntil(tokens: TokenSet): number {
  return tokens.expiresAt - Math.min((tokens.expiresAt - tokens.receivedAt) / 2, MAX_MARGIN_MS);
}

function isFresh(tokens: TokenSet): boolean {
  return freshUntil(tokens) > Date.now();
}
