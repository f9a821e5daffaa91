// P4 (issue #12): the admin's Mailbox list pages and its dashboard over 10,000 OAuth clients and
// 100,000 mailboxes, on SQLite and PostgreSQL. Each page is an HTTP request on a signed-in session
// (session, person, AdminJS, JSON) against the raw `findAndCount` that fetches the same rows; the
// dashboard against its figures in plain SQL (one grouped count per table and the three short
// lists). Also counted: the SQL statements each request runs, session included.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Like } from 'typeorm';
import { bootAdmin } from './admin-app.mjs';
import { pair, ratioRow } from './peers.mjs';

const CLIENTS = 10_000;
const MAILBOXES = 100_000;
const PER_PAGE = 10;

/** The pages timed: AdminJS's query string, and the same query as `findAndCount` options. */
const PAGES = [
  ['first', '', {}],
  ['middle', `?page=${MAILBOXES / PER_PAGE / 2}`, { skip: MAILBOXES / 2 - PER_PAGE }],
  ['sorted', '?sortBy=host&direction=desc&page=2', { order: { host: 'DESC' }, skip: PER_PAGE }],
  ['filtered', '?filters.name=mailbox%20042', { where: { name: Like('%mailbox 042%') } }],
];

async function seed(dataSource) {
  const insert = async (entity, rows) => {
    for (let i = 0; i < rows.length; i += 1000) {
      await dataSource.createQueryBuilder().insert().into(entity).values(rows.slice(i, i + 1000)).callListeners(false).updateEntity(false).execute();
    }
  };
  const statuses = ['valid', 'valid', 'valid', 'error', 'not_validated', 'needs_revalidation'];
  const clients = Array.from({ length: CLIENTS }, (_, i) => ({
    id: randomUUID(), name: `client ${String(i).padStart(5, '0')}`, provider: 'generic', type: 'mailbox', clientId: `c${i}`, validationStatus: statuses[i % statuses.length],
  }));
  await insert('OAuthClient', clients);
  const checks = ['ok', 'ok', 'ok', 'failed', null];
  await insert(
    'Mailbox',
    Array.from({ length: MAILBOXES }, (_, i) => ({
      id: randomUUID(), name: `mailbox ${String((i * 7919) % MAILBOXES).padStart(6, '0')}`, direction: 'incoming', protocol: 'imap',
      host: `imap${i % 97}.example.test`, port: 993, encryption: 'ssl', username: `user${i}@example.test`,
      oauthClientId: i % 2 ? clients[i % CLIENTS].id : null, lastCheckStatus: checks[i % checks.length], lastCheckMessage: checks[i % checks.length] === 'failed' ? 'The server refused the login.' : null,
    })),
  );
}

async function measure(kind, databaseUrl, dir, rounds) {
  const { dataSource, call, close } = await bootAdmin({ DATA_DIR: dir, DATABASE_URL: databaseUrl });
  await seed(dataSource);
  const rows = [];
  try {
    const mailboxes = dataSource.getRepository('Mailbox');
    for (const [name, query, options] of PAGES) {
      const counts = [];
      const { p, r } = await pair(
        async () => counts.push((await call('GET', `/admin/api/resources/Mailbox/actions/list${query}`)).statements),
        () => mailboxes.findAndCount({ order: { name: 'ASC' }, take: PER_PAGE, skip: 0, ...options }),
        rounds,
      );
      rows.push(budget(ratioRow(`P4 ${kind}: Mailbox list, ${name} page (HTTP, signed in)`, p, 'raw findAndCount of the same rows', r, '≤ 3×, ≤ 4 statements', 3), counts, 4));
    }
    const counts = [];
    const q = (sql) => dataSource.query(sql);
    // The figures as a person would ask for them: one grouped count per table and three short lists.
    const plain = () =>
      Promise.all([
        q('SELECT "validationStatus", COUNT(*) FROM "oauth_client" GROUP BY "validationStatus"'),
        q('SELECT "lastCheckStatus", COUNT(*) FROM "mailbox" GROUP BY "lastCheckStatus"'),
        q(`SELECT "id", "name", "validationStatus", "lastError" FROM "oauth_client" WHERE "validationStatus" <> 'valid' AND "status" = 'enabled' AND "type" = 'mailbox' ORDER BY "name" LIMIT 20`),
        q(`SELECT "id", "name", "lastCheckMessage" FROM "mailbox" WHERE "lastCheckStatus" = 'failed' AND "status" = 'enabled' ORDER BY "name" LIMIT 20`),
        q(`SELECT "id", "name", "lastTestMessage" FROM "ldap_directory" WHERE "lastTestStatus" = 'failed' ORDER BY "name" LIMIT 20`),
      ]);
    const { p, r } = await pair(async () => counts.push((await call('GET', '/admin/api/dashboard')).statements), plain, rounds);
    rows.push(budget(ratioRow(`P4 ${kind}: dashboard (HTTP, signed in)`, p, 'its figures in plain SQL (5 statements)', r, '≤ 1.5×, ≤ 3 statements', 1.5), counts, 3));
  } finally {
    await close();
  }
  return rows;
}

/** Adds the most statements any request of the row ran, and holds it to `limit`. */
function budget(row, counts, limit) {
  const most = Math.max(...counts);
  return { ...row, statements: most, met: row.met && most <= limit };
}

/** The P4 rows for bench/run.mjs: SQLite, then PostgreSQL at `postgresUrl`. */
export async function adminPages({ postgresUrl, rounds = 20 }) {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mail-bench-admin-'));
  const server = new pg.Client({ connectionString: postgresUrl });
  const database = `oauth_mail_bench_${Date.now()}`;
  await server.connect();
  try {
    const rows = await measure('SQLite', `sqlite:${join(dir, 'admin.sqlite')}`, dir, rounds);
    await server.query(`CREATE DATABASE ${database}`);
    const url = new URL(postgresUrl);
    url.pathname = `/${database}`;
    rows.push(...(await measure('PostgreSQL', url.toString(), dir, rounds)));
    return rows;
  } finally {
    await server.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await server.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
