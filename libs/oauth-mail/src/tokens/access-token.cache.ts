import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DatabaseClock } from './database.clock.js';

/** setTimeout's longest delay; a token set living longer is dropped early and read again. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Entry {
  readonly accessToken: string;
  readonly timer: NodeJS.Timeout;
}

/**
 * Decrypted access tokens of this process, by client, each dropped at the moment
 * it stops being fresh: no plaintext outlives the token's own lifetime, and a hit
 * costs no database read. Entries go when the client row changes (`ClientChangeFeed`).
 *
 * A reader takes the client's `generation` before it reads the row and hands it to
 * `put`: when the row changed meanwhile the value it read is stale, and is not kept.
 */
@Injectable()
export class AccessTokenCache implements OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private readonly forgotten = new Map<string, number>();
  private cleared = 0;

  constructor(private readonly clock: DatabaseClock) {}

  get(clientId: string): string | undefined {
    return this.entries.get(clientId)?.accessToken;
  }

  /** Grows whenever the client's entry is forgotten or the cache cleared. */
  generation(clientId: string): number {
    return this.cleared + (this.forgotten.get(clientId) ?? 0);
  }

  /** Keeps `accessToken` until `freshUntil` (epoch ms, the database's clock), unless the client changed since `generation`. */
  put(clientId: string, accessToken: string, freshUntil: number, generation: number): void {
    if (generation !== this.generation(clientId)) return;
    this.drop(clientId);
    const ttl = freshUntil - this.clock.now();
    if (ttl <= 0) return;
    const timer = setTimeout(() => this.entries.delete(clientId), Math.min(ttl, MAX_TIMER_MS));
    timer.unref();
    this.entries.set(clientId, { accessToken, timer });
  }

  forget(clientId: string): void {
    this.forgotten.set(clientId, (this.forgotten.get(clientId) ?? 0) + 1);
    this.drop(clientId);
  }

  clear(): void {
    this.cleared++;
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.entries.clear();
  }

  private drop(clientId: string): void {
    const entry = this.entries.get(clientId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.entries.delete(clientId);
  }

  onModuleDestroy(): void {
    this.clear();
  }
}
