import { DataSource } from 'typeorm';
import { POSTGRES_MIGRATIONS } from '../src/database/migrations/postgres/index.js';
import { SQLITE_MIGRATIONS } from '../src/database/migrations/sqlite/index.js';
import { createTestDatabase, libraryDataSourceOptions, type TestDatabase } from '../../../test/support/test-database.js';

/** Migrations that move data, run over rows written by the schema before them. */
describe('Migrations that carry data over', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(() => db.drop());

  async function migrate(upTo: string | null) {
    const options = libraryDataSourceOptions(db);
    const all = (db.kind === 'postgres' ? POSTGRES_MIGRATIONS : SQLITE_MIGRATIONS) as unknown as { name: string }[];
    const until = upTo ? all.findIndex((m) => m.name.startsWith(upTo)) : all.length;
    const ds = new DataSource({ ...options, migrations: all.slice(0, until) as never, migrationsRun: true });
    await ds.initialize();
    return ds;
  }

  it('SessionUser: a session signed in before the upgrade stays linked to its person; one for a deleted person is not', async () => {
    const before = await migrate('SessionUser');
    const session = (sid: string, id: string) => [sid, JSON.stringify({ cookie: {}, adminUser: { id, email: 'a@example.test', role: 'admin' } }), new Date(Date.now() + 60_000).toISOString()];
    const p = (n: number) => (db.kind === 'postgres' ? `$${n}` : '?');
    await before.query(`INSERT INTO "admin_user" ("id", "email", "role") VALUES (${p(1)}, ${p(2)}, 'admin')`, ['u-1', 'a@example.test']);
    for (const [sid, id] of [['kept', 'u-1'], ['orphan', 'u-gone'], ['anonymous', '']] as const) {
      await before.query(`INSERT INTO "admin_session" ("sid", "data", "expiresAt") VALUES (${p(1)}, ${p(2)}, ${p(3)})`, id ? session(sid, id) : [sid, '{"cookie":{}}', new Date().toISOString()]);
    }
    await before.destroy();

    const after = await migrate(null);
    try {
      const rows = await after.query<{ sid: string; userId: string | null }[]>(`SELECT "sid", "userId" FROM "admin_session" ORDER BY "sid"`);
      expect(rows).toEqual([
        { sid: 'anonymous', userId: null },
        { sid: 'kept', userId: 'u-1' },
        { sid: 'orphan', userId: null },
      ]);
    } finally {
      await after.destroy();
    }
  });
});
