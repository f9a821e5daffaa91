import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { AccessTokenCache } from './access-token.cache.js';

/** The PostgreSQL channel every process of a deployment listens on; the payload is `<sender>:<client id>`. */
export const CLIENT_CHANGE_CHANNEL = 'oauth_mail_client_changed';

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/** The part of a pg client this feed uses. */
interface ListeningClient {
  query(sql: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): void;
  on(event: 'error' | 'end', listener: (error?: Error) => void): void;
  removeAllListeners(): void;
}

/**
 * Says that an OAuth client row changed (tokens saved, settings edited, disabled,
 * deleted), to this process at once and, on PostgreSQL, to every other process
 * through LISTEN/NOTIFY. Each change drops the client's cached token, and wakes
 * whoever waits for another process's refresh, with no polling delay.
 *
 * On PostgreSQL one pooled connection is held for LISTEN, from the first time a
 * token is cached or awaited (so a command that never asks for one, or an app that
 * fails to start, holds none). Only while it listens may tokens be kept in memory
 * (`live`): a change made while nobody listened would go unheard. When it is lost,
 * the cache is emptied and it is opened again with backoff; meanwhile waiters fall
 * back to their own timeouts.
 */
@Injectable()
export class ClientChangeFeed implements OnModuleDestroy {
  private readonly logger = new Logger(ClientChangeFeed.name);
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Names this process in its notifications, so it skips its own (it acted on them when it sent them). */
  private readonly sender = randomUUID();
  private listener: { client: ListeningClient; release: (error?: Error) => void } | null = null;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private connecting: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: AccessTokenCache,
  ) {}

  /** Whether other processes hear of changes (PostgreSQL), rather than this one only. */
  get sharedAcrossProcesses(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /**
   * Whether every change of a client reaches this process now, so a token may be
   * kept in memory. Asking starts listening when it has not (PostgreSQL).
   */
  get live(): boolean {
    if (!this.sharedAcrossProcesses) return true;
    this.ensureListening();
    return this.listener !== null;
  }

  /**
   * Gives the connection back before the host's shutdown hooks run: TypeORM closes
   * its pool on application shutdown, and a pool waits for every client it lent.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.connecting;
    const listening = this.listener;
    this.listener = null;
    if (!listening) return;
    listening.client.removeAllListeners();
    await listening.client.query(`UNLISTEN ${CLIENT_CHANGE_CHANNEL}`).catch(() => undefined);
    listening.release();
  }

  /**
   * Announces a change of the client row. Inside a transaction (`queryRunner`),
   * other processes hear of it when it commits, and not at all if it rolls back.
   */
  async announce(clientId: string, queryRunner?: QueryRunner): Promise<void> {
    this.changed(clientId);
    if (!this.sharedAcrossProcesses) return;
    const sql = 'SELECT pg_notify($1, $2)';
    const params = [CLIENT_CHANGE_CHANNEL, `${this.sender}:${clientId}`];
    await (queryRunner && !queryRunner.isReleased ? queryRunner.query(sql, params) : this.dataSource.query(sql, params));
  }

  /** Resolves at the next change of the client, or after `ms`, whichever is first. */
  waitFor(clientId: string, ms: number): { promise: Promise<void>; cancel(): void } {
    if (this.sharedAcrossProcesses) this.ensureListening();
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => (wake = resolve));
    const set = this.waiters.get(clientId) ?? new Set();
    this.waiters.set(clientId, set);
    const done = () => {
      clearTimeout(timer);
      set.delete(done);
      if (!set.size) this.waiters.delete(clientId);
      wake();
    };
    const timer = setTimeout(done, ms);
    set.add(done);
    return { promise, cancel: done };
  }

  private changed(clientId: string): void {
    this.cache.forget(clientId);
    for (const wake of [...(this.waiters.get(clientId) ?? [])]) wake();
  }

  private ensureListening(): void {
    if (this.listener || this.connecting || this.reconnectTimer || this.stopped) return;
    this.connecting = this.listen()
      .catch((error: Error) => {
        this.logger.warn(`Could not listen on ${CLIENT_CHANGE_CHANNEL} (${error.message}); retrying.`);
        this.scheduleReconnect();
      })
      .finally(() => (this.connecting = null));
  }

  private async listen(): Promise<void> {
    const [client, release] = (await (this.dataSource.driver as PostgresDriver).obtainMasterConnection()) as [ListeningClient, (error?: Error) => void];
    const lost = (error?: Error) => {
      if (this.listener?.client !== client) return;
      this.listener = null;
      client.removeAllListeners();
      release(error ?? new Error('closed'));
      // Changes made while nobody listened are unknown: every cached token is read again.
      this.cache.clear();
      this.logger.warn(`Lost the ${CLIENT_CHANGE_CHANNEL} listener (${error?.message ?? 'connection closed'}); reconnecting.`);
      this.scheduleReconnect();
    };
    client.on('notification', (message) => {
      const [sender, clientId] = message.payload?.split(':') ?? [];
      if (message.channel === CLIENT_CHANGE_CHANNEL && clientId && sender !== this.sender) this.changed(clientId);
    });
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.query(`LISTEN ${CLIENT_CHANGE_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners();
      release(error as Error);
      throw error;
    }
    this.listener = { client, release };
    this.reconnectDelay = RECONNECT_MIN_MS;
    // A token read before this moment may have changed unheard: none of those reads is kept.
    this.cache.clear();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(delay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.ensureListening();
    }, delay);
    this.reconnectTimer.unref();
  }
}
