import { randomUUID } from 'node:crypto';
import { Brackets, IsNull, LessThan, type DataSource, type EntityManager } from 'typeorm';
import { OAuthClient } from '../entities/oauth-client.entity.js';
import type { DatabaseClock } from './database.clock.js';
import type { Locked, RefreshLock } from './refresh-lock.js';

/** Longer than a refresh can take (the token request has its own deadline); a killed holder's lease ends after it. */
const LEASE_MS = 60_000;

/**
 * SQLite (and any database without advisory locks): a lease on the client row, taken
 * by one conditional UPDATE and given back when the work ends. A holder that dies keeps
 * it until it expires.
 */
export class RowLeaseRefreshLock implements RefreshLock {
  private readonly owner = randomUUID();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Pick<DatabaseClock, 'now'>,
    private readonly failed: (clientId: string) => Promise<void>,
  ) {}

  async run<T>(clientId: string, work: (manager: EntityManager) => Promise<T>): Promise<Locked<T>> {
    const clients = this.dataSource.getRepository(OAuthClient);
    // The database's clock: a process whose own clock runs behind would take a lease still held.
    const now = new Date(this.clock.now());
    const taken = await clients
      .createQueryBuilder()
      .update()
      .set({ refreshLeaseOwner: this.owner, refreshLeaseUntil: new Date(now.getTime() + LEASE_MS) })
      .where({ id: clientId })
      .andWhere(new Brackets((q) => q.where({ refreshLeaseUntil: IsNull() }).orWhere({ refreshLeaseUntil: LessThan(now) })))
      .execute();
    if (!taken.affected) return { locked: false };
    let done = false;
    try {
      const value = await work(this.dataSource.manager);
      done = true;
      return { locked: true, value };
    } finally {
      await clients.update({ id: clientId, refreshLeaseOwner: this.owner }, { refreshLeaseOwner: null, refreshLeaseUntil: null });
      // After a failed turn the waiters look again at once (after a success, the save is announced).
      if (!done) await this.failed(clientId);
    }
  }
}
