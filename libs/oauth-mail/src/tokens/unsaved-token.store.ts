import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { SecretVault } from '../crypto/secret-vault.js';
import { OAuthClient } from '../entities/oauth-client.entity.js';
import { backoffDelay } from '../net/backoff.js';
import { ClientChangeFeed } from './client-change.feed.js';
import type { TokenSet } from './token-set.js';

const RETRY = { baseMs: 500, maxMs: 30_000 };

interface Unsaved {
  readonly tokens: TokenSet;
  /** The row's token ciphertext the set replaces: the save lands only while the row still holds it. */
  readonly replaces: string | null;
  attempt: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Token sets the provider issued but the database would not store. Under strict
 * rotation the refresh token of such a set is the only one that still works, and the
 * stored one is already spent, so the set is kept in memory: this process serves its
 * access token, refreshes with its refresh token, and saves it again with backoff until
 * it lands or the row changes under it (a new validation, a cleared token).
 */
@Injectable()
export class UnsavedTokenStore implements OnModuleDestroy {
  private readonly logger = new Logger(UnsavedTokenStore.name);
  private readonly sets = new Map<string, Unsaved>();
  private stopped = false;

  constructor(
    @InjectRepository(OAuthClient) private readonly clients: Repository<OAuthClient>,
    private readonly vault: SecretVault,
    private readonly feed: ClientChangeFeed,
  ) {}

  /** The columns that store `tokens` as the client's current token set. */
  columns(clientId: string, tokens: TokenSet): Pick<OAuthClient, 'accessTokenEncrypted' | 'accessTokenExpiresAt' | 'lastError'> {
    return { accessTokenEncrypted: this.vault.seal(OAuthClient, clientId, 'accessTokenEncrypted', JSON.stringify(tokens)), accessTokenExpiresAt: new Date(tokens.expiresAt), lastError: null };
  }

  /** The unsaved set for `client`, while its row still holds what the set replaces. */
  get(client: OAuthClient): TokenSet | undefined {
    const unsaved = this.sets.get(client.id);
    return unsaved && unsaved.replaces === client.accessTokenEncrypted ? unsaved.tokens : undefined;
  }

  /** Keeps `tokens`, which the database refused with `error`, and starts saving them again. */
  keep(clientId: string, tokens: TokenSet, replaces: string | null, error: unknown): void {
    this.drop(clientId);
    const unsaved: Unsaved = { tokens, replaces, attempt: 0, timer: null };
    this.sets.set(clientId, unsaved);
    this.logger.warn(`The new token set of OAuth client ${clientId} could not be saved (${describe(error)}). This process keeps it in memory and uses it, and saves it again until the database takes it.`);
    this.schedule(clientId, unsaved);
  }

  /** Forgets the client's unsaved set: a newer one was saved. */
  drop(clientId: string): void {
    const unsaved = this.sets.get(clientId);
    if (unsaved?.timer) clearTimeout(unsaved.timer);
    this.sets.delete(clientId);
  }

  private schedule(clientId: string, unsaved: Unsaved): void {
    if (this.stopped) return;
    unsaved.timer = setTimeout(() => void this.save(clientId, unsaved), backoffDelay(unsaved.attempt++, RETRY));
    unsaved.timer.unref();
  }

  private async save(clientId: string, unsaved: Unsaved): Promise<void> {
    if (this.sets.get(clientId) !== unsaved) return;
    try {
      const saved = await this.clients.update({ id: clientId, accessTokenEncrypted: unsaved.replaces ?? IsNull() }, this.columns(clientId, unsaved.tokens));
      if (this.sets.get(clientId) !== unsaved) return;
      this.sets.delete(clientId);
      if (!saved.affected) {
        this.logger.warn(`The unsaved token set of OAuth client ${clientId} was dropped: the client changed meanwhile (validated again, or its tokens cleared).`);
        return;
      }
      this.logger.log(`The new token set of OAuth client ${clientId} is saved, after ${unsaved.attempt} attempt${unsaved.attempt === 1 ? '' : 's'}.`);
      await this.feed.announce(clientId);
    } catch (error) {
      if (this.sets.get(clientId) !== unsaved) return;
      if (unsaved.attempt % 10 === 0) this.logger.warn(`The new token set of OAuth client ${clientId} still cannot be saved (${describe(error)}); trying again.`);
      this.schedule(clientId, unsaved);
    }
  }

  onModuleDestroy(): void {
    this.stopped = true;
    for (const clientId of [...this.sets.keys()]) {
      this.logger.error(`The process stops with the new token set of OAuth client ${clientId} still unsaved. If the provider rotates refresh tokens, the client needs Validate.`);
      this.drop(clientId);
    }
  }
}

/** A database error in a log line: its class and message (the driver keeps query parameters out of the message). */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : 'unknown error';
}
