// P2 (issue #12): a burst of callers on an expired token costs about one refresh, sends exactly
// one token request, and a valid token costs no database read. Against the real authorization
// server of the tests (test/peers/oidc-server.mjs), on SQLite in one process and on PostgreSQL
// with three processes.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { loadPeer, ratioRow } from './peers.mjs';

const BURST = 1000;
const PROCESSES = 3;
const PER_PROCESS = 300;
const now = () => performance.timeOrigin + performance.now();

/** A Generic client validated against the peer through the library, as a person would. */
async function validatedClient(app, lib, peer) {
  const clientId = `bench-${randomBytes(4).toString('hex')}`;
  const created = await app.get(lib.OAuthClientService).create({
    name: clientId, provider: 'generic', type: 'mailbox', clientId, clientSecret: 'bench-secret',
    authorizeUrl: `${peer.issuer}/auth`, tokenUrl: `${peer.issuer}/token`, scope: 'openid email offline_access mail',
  });
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
  await peer.registerClient(clientId, 'bench-secret', [app.get(lib.OAuthClientService).redirectUri(created.value.id)]);
  const started = await app.get(lib.OAuthValidationService).start(created.value.id, null);
  if (!started.ok) throw new Error(started.message);
  const { redirect } = await peer.consent(started.authorizeUrl, 'bench@example.test');
  const outcome = await app.get(lib.OAuthValidationService).complete(created.value.id, Object.fromEntries(new URL(redirect).searchParams), null);
  if (!outcome.ok) throw new Error(outcome.message);
  return created.value;
}

/** Stores the client's tokens again as expired (refresh token kept): the next caller must refresh. */
async function expire(app, lib, client) {
  const row = await app.get(DataSource).getRepository(lib.OAuthClient).findOneByOrFail({ id: client.id });
  const tokens = JSON.parse(app.get(lib.SecretVault).open(lib.OAuthClient, row, 'accessTokenEncrypted'));
  const at = Date.now();
  await app.get(lib.TokenService).saveValidation(row, { ...tokens, receivedAt: at - 3_600_000, expiresAt: at - 1000 }, row.validatedIdentity);
}

/** Times `fn` once; throws unless the peer saw exactly one token request meanwhile. */
async function timedOneRefresh(peer, fn) {
  const before = await peer.requests('/token');
  const started = now();
  await fn();
  const ms = now() - started;
  const sent = (await peer.requests('/token')) - before;
  if (sent !== 1) throw new Error(`expected exactly 1 token request, the peer saw ${sent}`);
  return ms;
}

/** Rows for bench/run.mjs. `bootSqlite(options)` boots the example host on a SQLite file. */
export async function tokenBurst(bootSqlite, lib, { ExampleHostModule, options, postgresUrl, rounds = 15 }) {
  const { OidcPeer } = await loadPeer('oidc-peer');
  const peer = await OidcPeer.start();
  const rows = [];
  try {
    const app = await bootSqlite({});
    try {
      const client = await validatedClient(app, lib, peer);
      const tokens = app.get(lib.TokenService);
      const single = [];
      const burst = [];
      for (let i = 0; i < rounds + 2; i++) {
        const alone = async () => {
          await expire(app, lib, client);
          return timedOneRefresh(peer, () => tokens.getAccessToken(client.id));
        };
        const many = async () => {
          await expire(app, lib, client);
          return timedOneRefresh(peer, () => Promise.all(Array.from({ length: BURST }, () => tokens.getAccessToken(client.id))));
        };
        const [a, b] = i % 2 ? [await many(), await alone()].reverse() : [await alone(), await many()];
        if (i < 2) continue; // warm-up
        single.push(a);
        burst.push(b);
      }
      rows.push(ratioRow(`${BURST} concurrent getAccessToken, expired token (SQLite, 1 process, 1 token request)`, burst, 'one refresh alone', single, '≤ 1.5', 1.5));

      const repo = app.get(DataSource).getRepository(lib.OAuthClient);
      await tokens.getAccessToken(client.id);
      const cached = [];
      const reads = [];
      for (let i = 0; i < rounds + 2; i++) {
        let started = now();
        await Promise.all(Array.from({ length: BURST }, () => tokens.getAccessToken(client.id)));
        const c = now() - started;
        started = now();
        await Promise.all(Array.from({ length: BURST }, () => repo.findOneBy({ id: client.id })));
        const r = now() - started;
        if (i < 2) continue;
        cached.push(c);
        reads.push(r);
      }
      rows.push(ratioRow(`${BURST} concurrent getAccessToken, valid token (SQLite)`, cached, `${BURST} findOneBy(id)`, reads, '≤ 0.10', 0.1));
    } finally {
      await app.close();
    }
    rows.push(await acrossProcesses(peer, lib, { ExampleHostModule, options, postgresUrl, rounds }));
  } finally {
    await peer.stop();
  }
  return rows;
}

/** 3 processes × 300 callers on one PostgreSQL, against one refresh alone in one process. */
async function acrossProcesses(peer, lib, { ExampleHostModule, options, postgresUrl, rounds }) {
  const name = `oauth_mail_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  const { POSTGRES_MIGRATIONS } = await import('../dist/apps/admin/src/database/migrations/postgres/index.js');
  const database = { type: 'postgres', url: url.toString(), migrations: POSTGRES_MIGRATIONS, migrationsRun: true };
  const app = await NestFactory.createApplicationContext(ExampleHostModule.forRoot(database, options), { logger: false });
  const workers = [];
  try {
    const client = await validatedClient(app, lib, peer);
    for (let i = 0; i < PROCESSES; i++) {
      const worker = fork(new URL('./token-burst.worker.mjs', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      workers.push(worker);
    }
    const ask = (worker, message) =>
      new Promise((done, fail) => {
        worker.once('message', (reply) => (reply.error ? fail(new Error(reply.error)) : done(reply)));
        worker.send(message);
      });
    await Promise.all(workers.map((w) => ask(w, { boot: { url: url.toString(), options, clientId: client.id, callers: PER_PROCESS } })));
    const single = [];
    const spread = [];
    for (let i = 0; i < rounds + 2; i++) {
      await expire(app, lib, client);
      const a = await timedOneRefresh(peer, () => app.get(lib.TokenService).getAccessToken(client.id));
      await expire(app, lib, client);
      // Let the workers hear of the expiry (NOTIFY) before they are asked.
      await new Promise((r) => setTimeout(r, 50));
      const b = await timedOneRefresh(peer, () => Promise.all(workers.map((w) => ask(w, { burst: true }))));
      if (i < 2) continue;
      single.push(a);
      spread.push(b);
    }
    return ratioRow(`${PROCESSES} processes × ${PER_PROCESS} getAccessToken, expired token (PostgreSQL, 1 token request)`, spread, 'one refresh alone', single, '≤ 2.0', 2);
  } finally {
    for (const w of workers) w.kill();
    await app.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
