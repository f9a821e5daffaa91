import type { DataSource, EntityManager } from 'typeorm';
import type { Locked, RefreshLock } from './refresh-lock.js';

/**
 * PostgreSQL: a transaction-level advisory lock on the client, held on one connection
 * for the whole refresh. It dies with its connection, so when the holder is killed
 * another process takes over at its next look (within a second), not after a lease's TTL.
 * The refresh reads and saves on that same connection, so a pool of N connections never
 * waits on itself however many clients refresh at once.
 */
export class AdvisoryRefreshLock implements RefreshLock {
  constructor(private readonly dataSource: DataSource) {}

  async run<T>(clientId: string, work: (manager: EntityManager) => Promise<T>): Promise<Locked<T>> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [`oauth_mail_refresh:${clientId}`])) as [{ locked: boolean }];
      if (!locked) {
        await runner.rollbackTransaction();
        return { locked: false };
      }
      const value = await work(runner.manager);
      await runner.commitTransaction();
      return { locked: true, value };
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
  }
}
