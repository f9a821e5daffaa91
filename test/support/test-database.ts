import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { POSTGRES_MIGRATIONS } from '../../apps/admin/src/database/migrations/postgres/index.js';
import { SQLITE_MIGRATIONS } from '../../apps/admin/src/database/migrations/sqlite/index.js';

/** A database of a test's own: a SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set. */
export interface TestDatabase {
  readonly kind: 'sqlite' | 'postgres';
  /** The DATABASE_URL the app gets. */
  readonly url: string;
  /** A folder of the test's own (the app's DATA_DIR). */
  readonly dir: string;
  /** Runs SQL on the raw database, bypassing the app (to read what is really stored). */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  drop(): Promise<void>;
}

export const usingPostgres = () => !!process.env.TEST_DATABASE_URL;

/**
 * TypeORM options for a host of the library on this database, with the schema
 * built as the product builds it (the app's migrations, which are idempotent):
 * TypeORM's `synchronize` would also issue concurrent queries on one pg client.
 */
export function libraryDataSourceOptions(db: Pick<TestDatabase, 'kind' | 'url'>): DataSourceOptions {
  return db.kind === 'postgres'
    ? { type: 'postgres', url: db.url, migrations: POSTGRES_MIGRATIONS, migrationsRun: true }
    : { type: 'better-sqlite3', database: db.url.slice('sqlite:'.length), migrations: SQLITE_MIGRATIONS, migrationsRun: true };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mail-test-'));
  const server = process.env.TEST_DATABASE_URL;
  if (!server) {
    const file = join(dir, 'test.sqlite');
    const { default: Database } = await import('better-sqlite3');
    return {
      kind: 'sqlite',
      url: `sqlite:${file}`,
      dir,
      async query<T>(sql: string) {
        const db = new Database(file, { readonly: true });
        try {
          return db.prepare(sql).all() as T[];
        } finally {
          db.close();
        }
      },
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `oauth_mail_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    url: url.toString(),
    dir,
    async query<T>(sql: string) {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return (await client.query(sql)).rows as T[];
      } finally {
        await client.end();
      }
    },
    async drop() {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
