import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type session from 'express-session';
import { DataSource } from 'typeorm';
import { AdminSession } from './admin-session.entity.js';
import { AdminUser } from './admin-user.entity.js';
import { TOUCH_EVERY_MS, TypeOrmSessionStore } from './typeorm-session.store.js';

describe(TypeOrmSessionStore.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'session-store-'));
  const dataSource = new DataSource({ type: 'better-sqlite3', database: join(dir, 'sessions.sqlite'), entities: [AdminSession, AdminUser], synchronize: true });
  beforeAll(() => dataSource.initialize());
  afterAll(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const data = (expires: number) => ({ cookie: { expires: new Date(expires) } }) as unknown as session.SessionData;
  const call = (fn: (done: (err?: unknown) => void) => void) => new Promise<void>((ok, fail) => fn((err) => (err ? fail(err instanceof Error ? err : new Error('the store failed')) : ok())));

  it('writes an unchanged session\'s expiry at most once a minute, and again after that', async () => {
    const sessions = dataSource.getRepository(AdminSession);
    let clock = Date.now();
    const start = clock;
    const store = new TypeOrmSessionStore(sessions, () => clock);
    await call((done) => store.set('s1', data(start + 1000), done));
    // Requests within the minute: no write, however far the cookie's expiry moves.
    await call((done) => store.touch('s1', data(start + 2000), done));
    await call((done) => store.touch('s1', data(start + 3000), done));
    expect((await sessions.findOneByOrFail({ sid: 's1' })).expiresAt.getTime()).toBe(start + 1000);
    clock = start + TOUCH_EVERY_MS + 1;
    await call((done) => store.touch('s1', data(start + 4000), done));
    expect((await sessions.findOneByOrFail({ sid: 's1' })).expiresAt.getTime()).toBe(start + 4000);
  });
});
