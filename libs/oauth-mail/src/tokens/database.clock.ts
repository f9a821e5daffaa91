import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OAUTH_MAIL_MODULE_OPTIONS } from '../oauth-mail.module-definition.js';
import type { OAuthMailModuleOptions } from '../oauth-mail.options.js';

/** How often the offset to the database's clock is measured again (clocks drift, NTP steps). */
const REMEASURE_MS = 5 * 60 * 1000;

/**
 * The database's clock, read from this process: the process's clock plus an offset
 * measured against the database at start and every five minutes. Every process of a
 * deployment shares one database, so they agree on when a token stops being fresh
 * and when a refresh lease ends even when their own clocks drift by minutes; one
 * process's early refresh would otherwise race another's, and an authorization
 * server with refresh-token reuse detection revokes the whole grant.
 */
@Injectable()
export class DatabaseClock implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DatabaseClock.name);
  private readonly local: () => number;
  private offset = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(OAUTH_MAIL_MODULE_OPTIONS) options: OAuthMailModuleOptions,
  ) {
    this.local = options.clock ?? Date.now;
  }

  /** Now on the database's clock, epoch ms. */
  now(): number {
    return this.local() + this.offset;
  }

  async onModuleInit(): Promise<void> {
    await this.measure();
    this.timer = setInterval(() => void this.measure(), REMEASURE_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async measure(): Promise<void> {
    try {
      const before = this.local();
      const database = await this.databaseNow();
      const after = this.local();
      // The database read its clock somewhere during the round trip: take the middle.
      this.offset = Math.round(database - (before + after) / 2);
    } catch (error) {
      // The last offset stays (0 before the first): the process's clock is the fallback, not a failed start.
      this.logger.warn(`Could not read the database's clock (${(error as Error).message}); token freshness and refresh leases use this process's clock until the next try.`);
    }
  }

  private async databaseNow(): Promise<number> {
    if (this.dataSource.options.type === 'postgres') {
      const [row] = await this.dataSource.query<{ now: string }[]>('SELECT (extract(epoch from clock_timestamp()) * 1000)::float8::text AS now');
      return Number(row.now);
    }
    // SQLite: UTC with milliseconds.
    const [row] = await this.dataSource.query<{ now: string }[]>("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS now");
    return Date.parse(row.now);
  }
}
