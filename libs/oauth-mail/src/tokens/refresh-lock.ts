import type { EntityManager } from 'typeorm';

/** What `RefreshLock.run` gives back: the work's value, or that another process holds the lock. */
export type Locked<T> = { locked: true; value: T } | { locked: false };

/**
 * One process at a time refreshes a client's token. `run` tries the lock without
 * waiting; when it is taken, `work` runs with the manager to read and write through
 * (inside the lock's transaction, where it has one) and the lock is freed afterwards,
 * whatever `work` does.
 */
export interface RefreshLock {
  run<T>(clientId: string, work: (manager: EntityManager) => Promise<T>): Promise<Locked<T>>;
}
