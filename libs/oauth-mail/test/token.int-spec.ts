import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource, type Logger } from 'typeorm';
import {
  ClientChangeFeed,
  MailboxService,
  MailboxSettingsService,
  OAuthClient,
  OAuthClientService,
  OAuthValidationService,
  SecretVault,
  TokenService,
  type OAuthMailError,
  type OAuthClientEvent,
  type OAuthMailModuleOptions,
  type TokenSet,
} from '@app/oauth-mail';
import { ExampleHostModule } from '../../../src/example-host.module.js';
import { ConnectProxy } from '../../../test/support/connect-proxy.js';
import { OidcPeer } from '../../../test/support/oidc-peer.js';
import { createTestDatabase, libraryDataSourceOptions, usingPostgres, type TestDatabase } from '../../../test/support/test-database.js';

const KEY = 'tk:' + Buffer.alloc(32, 21).toString('base64');
const BASE = 'https://mail-admin.example.com';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The main app's refresh backoff: short, so tests that refresh again after a failure wait only a moment. */
const BACKOFF = { baseMs: 200, maxMs: 400 };
const pastBackoff = () => sleep(BACKOFF.maxMs + 20);

async function waitFor(condition: () => Promise<boolean>, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe(TokenService.name, () => {
  let peer: OidcPeer;
  let db: TestDatabase;
  let app: INestApplicationContext;
  const apps: INestApplicationContext[] = [];

  /** Every SQL statement the apps send, for the tests that count them. */
  const statements: string[] = [];
  const statementLog: Logger = { logQuery: (sql) => void statements.push(sql), logQueryError() {}, logQuerySlow() {}, logSchemaBuild() {}, logMigration() {}, log() {} };

  async function boot(extra: Partial<OAuthMailModuleOptions> = {}) {
    const moduleRef = await Test.createTestingModule({
      imports: [ExampleHostModule.forRoot({ ...libraryDataSourceOptions(db), logging: ['query'], logger: statementLog }, { encryptionKey: KEY, publicBaseUrl: BASE, httpTimeoutMs: 2000, refreshBackoff: BACKOFF, ...extra })],
    }).compile();
    const ctx = await moduleRef.init();
    apps.push(ctx);
    return ctx;
  }

  /** A Generic client created and validated through the library, as alice. */
  async function validatedClient(on = app, fields: Record<string, string> = {}, login = 'alice@example.test') {
    const clientId = `app-${randomUUID().slice(0, 8)}`;
    const created = await on.get(OAuthClientService).create({
      name: clientId, provider: 'generic', type: 'mailbox', clientId, clientSecret: 'secret-1',
      authorizeUrl: `${peer.issuer}/auth`, tokenUrl: `${peer.issuer}/token`, scope: 'openid email offline_access mail', ...fields,
    });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const client = created.value;
    await peer.registerClient(fields.clientId ?? clientId, 'secret-1', [on.get(OAuthClientService).redirectUri(client.id)]);
    const started = await on.get(OAuthValidationService).start(client.id, null);
    if (!started.ok) throw new Error(started.message);
    const { redirect } = await peer.consent(started.authorizeUrl, login);
    const outcome = await on.get(OAuthValidationService).complete(client.id, Object.fromEntries(new URL(redirect!).searchParams), null);
    if (!outcome.ok) throw new Error(outcome.message);
    return client.id;
  }

  const stored = async (id: string, on = app) => {
    const row = await on.get(DataSource).getRepository(OAuthClient).findOneByOrFail({ id });
    return { row, tokens: JSON.parse(on.get(SecretVault).open(OAuthClient, row, 'accessTokenEncrypted')!) as TokenSet };
  };

  beforeAll(async () => {
    peer = await OidcPeer.start();
    db = await createTestDatabase();
    app = await boot();
  });
  afterEach(() => peer.reset());
  afterAll(async () => {
    for (const a of apps) await a.close();
    await db?.drop();
    await peer?.stop();
  });

  it('returns the stored token while it is fresh, without calling the provider', async () => {
    const id = await validatedClient();
    const { tokens } = await stored(id);
    const before = await peer.requests('/token');
    expect(await app.get(TokenService).getAccessToken(id)).toBe(tokens.accessToken);
    expect(await peer.requests('/token')).toBe(before);
  });

  it('serves a fresh token from memory: no SQL statement per call once it is known', async () => {
    const id = await validatedClient();
    const tokens = app.get(TokenService);
    const token = await tokens.getAccessToken(id);
    // On PostgreSQL tokens are kept only once this process listens for changes, which the first call starts.
    await waitFor(async () => app.get(ClientChangeFeed).live);
    await tokens.getAccessToken(id);
    statements.length = 0;
    const all = await Promise.all(Array.from({ length: 200 }, () => tokens.getAccessToken(id)));
    expect(new Set(all)).toEqual(new Set([token]));
    expect(statements).toEqual([]);
  });

  it('stops serving a cached token at once when the client is disabled (in this process, and on PostgreSQL in every other)', async () => {
    const other = await boot();
    const id = await validatedClient();
    const token = await app.get(TokenService).getAccessToken(id);
    expect(await other.get(TokenService).getAccessToken(id)).toBe(token);
    await app.get(OAuthClientService).update(id, { status: 'disabled' });
    await expect(app.get(TokenService).getAccessToken(id)).rejects.toMatchObject({ code: 'CLIENT_DISABLED' });
    if (usingPostgres()) {
      // NOTIFY reaches the other process's listener asynchronously: within a moment, not a token lifetime.
      await waitFor(() => other.get(TokenService).getAccessToken(id).then(() => false, (e: { code: string }) => e.code === 'CLIENT_DISABLED'));
    }
    await app.get(OAuthClientService).update(id, { status: 'enabled' });
    expect(await app.get(TokenService).getAccessToken(id)).toBe(token);
  });

  it('refreshes a cached token the mail server refused, once, and serves the new one from memory', async () => {
    const id = await validatedClient();
    const tokens = app.get(TokenService);
    const refused = await tokens.getAccessToken(id);
    const before = await peer.requests('/token');
    const renewed = await Promise.all(Array.from({ length: 20 }, () => tokens.getAccessToken(id, { rejected: refused })));
    expect(new Set(renewed).size).toBe(1);
    expect(renewed[0]).not.toBe(refused);
    expect((await peer.requests('/token')) - before).toBe(1);
    statements.length = 0;
    expect(await tokens.getAccessToken(id)).toBe(renewed[0]);
    expect(statements).toEqual([]);
  });

  it('refreshes ahead of expiry and saves the rotated refresh token', async () => {
    await peer.setAccessTokenTtl(4);
    const id = await validatedClient();
    const first = await stored(id);
    // A 4-second token is refreshed at half its life.
    await new Promise((r) => setTimeout(r, 2100));
    const token = await app.get(TokenService).getAccessToken(id);
    const second = await stored(id);
    expect(token).not.toBe(first.tokens.accessToken);
    expect(second.tokens.accessToken).toBe(token);
    expect(second.tokens.refreshToken).not.toBe(first.tokens.refreshToken);
    expect(second.row.accessTokenExpiresAt!.getTime()).toBeGreaterThan(first.row.accessTokenExpiresAt!.getTime());
  });

  it.each([
    ['an HTML page', { rawBody: '<html><body>Sign in</body></html>', contentType: 'text/html' }],
    ['a JSON array', { body: [{ access_token: 'a', token_type: 'Bearer' }] }],
    ['no access_token', { body: { token_type: 'Bearer', expires_in: 3600, refresh_token: 'would-replace' } }],
    ['token_type "mac"', { body: { access_token: 'a', token_type: 'mac', expires_in: 3600, refresh_token: 'would-replace' } }],
    ['expires_in -5', { body: { access_token: 'a', token_type: 'Bearer', expires_in: -5, refresh_token: 'would-replace' } }],
    ['expires_in "abc"', { body: { access_token: 'a', token_type: 'Bearer', expires_in: 'abc', refresh_token: 'would-replace' } }],
  ])('F07/F08 refuses a refresh answered 200 with %s: stored tokens untouched and decryptable, the client still valid', async (_shape, fault) => {
    const id = await validatedClient();
    const before = await stored(id);
    await peer.fault('/token', { status: 200, ...fault, times: 1 });
    await expect(app.get(TokenService).getAccessToken(id, { forceRefresh: true })).rejects.toMatchObject({ code: 'TOKEN_RESPONSE_INVALID' });
    const after = await stored(id);
    expect(after.tokens).toEqual(before.tokens);
    expect(after.row.validationStatus).toBe('valid');
    // The same refresh token still works: the next refresh succeeds against the real server.
    expect(await app.get(TokenService).getAccessToken(id, { forceRefresh: true })).not.toBe(before.tokens.accessToken);
  });

  it('F08 replaces access and refresh token together when the provider rotates the refresh token', async () => {
    const id = await validatedClient();
    const before = await stored(id);
    await peer.fault('/token', { status: 200, body: { access_token: 'rotated-access', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rotated-refresh' }, times: 1 });
    expect(await app.get(TokenService).getAccessToken(id, { forceRefresh: true })).toBe('rotated-access');
    const after = await stored(id);
    expect(after.tokens).toMatchObject({ accessToken: 'rotated-access', refreshToken: 'rotated-refresh', idToken: before.tokens.idToken });
    expect(after.row.accessTokenExpiresAt!.getTime()).toBe(after.tokens.expiresAt);
  });

  /** Makes the database refuse every change of a client's stored token set (a trigger: the write fails after the token response, as an outage would). */
  async function refuseTokenWrites(): Promise<() => Promise<void>> {
    const ds = app.get(DataSource);
    if (usingPostgres()) {
      await ds.query(`CREATE OR REPLACE FUNCTION refuse_token_writes() RETURNS trigger AS $$ BEGIN IF NEW."accessTokenEncrypted" IS DISTINCT FROM OLD."accessTokenEncrypted" THEN RAISE EXCEPTION 'token writes refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
      await ds.query('CREATE TRIGGER refuse_token_writes BEFORE UPDATE ON oauth_client FOR EACH ROW EXECUTE FUNCTION refuse_token_writes()');
      return async () => void (await ds.query('DROP TRIGGER refuse_token_writes ON oauth_client'));
    }
    await ds.query(`CREATE TRIGGER refuse_token_writes BEFORE UPDATE OF "accessTokenEncrypted" ON oauth_client WHEN NEW."accessTokenEncrypted" IS NOT OLD."accessTokenEncrypted" BEGIN SELECT RAISE(ABORT, 'token writes refused'); END`);
    return async () => void (await ds.query('DROP TRIGGER refuse_token_writes'));
  }

  it('F13 keeps a rotated token set the database refused: served and used from memory, saved once the database takes writes again', async () => {
    const id = await validatedClient();
    const first = await stored(id);
    const allow = await refuseTokenWrites();
    let second: string;
    try {
      second = await app.get(TokenService).getAccessToken(id, { forceRefresh: true });
      expect(second).not.toBe(first.tokens.accessToken);
      // The write was refused: the row still holds the spent refresh token.
      expect((await stored(id)).tokens).toEqual(first.tokens);
      // Callers are served the new token without another request.
      const before = await peer.requests('/token');
      expect(await app.get(TokenService).getAccessToken(id)).toBe(second);
      expect(await peer.requests('/token')).toBe(before);
      // The next refresh sends the rotated refresh token held in memory (the spent one would revoke the grant), and its save fails too.
      second = await app.get(TokenService).getAccessToken(id, { forceRefresh: true });
      expect((await peer.requests('/token')) - before).toBe(1);
    } finally {
      await allow();
    }
    // Saved again with backoff: the newest set lands.
    await waitFor(async () => (await stored(id)).tokens.accessToken === second, 10_000);
    const landed = await stored(id);
    expect(landed.tokens.refreshToken).not.toBe(first.tokens.refreshToken);
    expect(landed.row.validationStatus).toBe('valid');
    // And it works: a refresh from the saved set succeeds against the rotating server.
    expect(await app.get(TokenService).getAccessToken(id, { forceRefresh: true })).not.toBe(second);
    expect((await stored(id)).row.validationStatus).toBe('valid');
  });

  it('keeps the old refresh token when the provider sends none (Google)', async () => {
    const id = await validatedClient();
    const { tokens } = await stored(id);
    await peer.fault('/token', { status: 200, body: { access_token: 'new-access-token', token_type: 'Bearer', expires_in: 3600 } });
    expect(await app.get(TokenService).getAccessToken(id, { forceRefresh: true })).toBe('new-access-token');
    expect((await stored(id)).tokens.refreshToken).toBe(tokens.refreshToken);
  });

  // F17: processes agree on the database's clock, not their own.
  it('F17 a process whose clock runs 5 minutes ahead finds a fresh token fresh: 0 extra token requests', async () => {
    const ahead = await boot({ clock: () => Date.now() + 5 * 60_000 });
    // 9 minutes: fresh until 4.5 minutes before expiry, which the fast clock has already passed.
    await peer.setAccessTokenTtl(540);
    const id = await validatedClient();
    const { tokens } = await stored(id);
    const before = await peer.requests('/token');
    expect(await ahead.get(TokenService).getAccessToken(id)).toBe(tokens.accessToken);
    expect(await app.get(TokenService).getAccessToken(id)).toBe(tokens.accessToken);
    expect((await peer.requests('/token')) - before).toBe(0);
  });

  it('F17 a refresh lease taken by a process whose clock runs 5 minutes behind still holds: one token request', async () => {
    const behind = await boot({ clock: () => Date.now() - 5 * 60_000 });
    const id = await validatedClient();
    const old = (await stored(id)).tokens.accessToken;
    const before = await peer.requests('/token');
    await peer.fault('/token', { delayMs: 600, times: 1 });
    const first = behind.get(TokenService).getAccessToken(id, { rejected: old });
    // On PostgreSQL the lock is an advisory lock, which no clock ends; there the test shows the clock changes nothing.
    if (usingPostgres()) await new Promise((r) => setTimeout(r, 200));
    else await waitFor(async () => (await stored(id)).row.refreshLeaseOwner !== null);
    const second = app.get(TokenService).getAccessToken(id, { rejected: old });
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect((await peer.requests('/token')) - before).toBe(1);
  });

  it('shares one refresh among concurrent callers in a process', async () => {
    const id = await validatedClient();
    const rejected = (await stored(id)).tokens.accessToken;
    const before = await peer.requests('/token');
    // Ten callers whose login was refused with the same token.
    const tokens = await Promise.all(Array.from({ length: 10 }, () => app.get(TokenService).getAccessToken(id, { rejected })));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(rejected);
    expect((await peer.requests('/token')) - before).toBe(1);
  });

  it('shares one refresh across processes on one database (lease on the client row)', async () => {
    const other = await boot();
    const id = await validatedClient();
    const old = (await stored(id)).tokens.accessToken;
    const before = await peer.requests('/token');
    await peer.fault('/token', { delayMs: 400, times: 1 });
    const [a, b] = await Promise.all([
      app.get(TokenService).getAccessToken(id, { rejected: old }),
      other.get(TokenService).getAccessToken(id, { rejected: old }),
    ]);
    expect(a).toBe(b);
    expect(a).not.toBe(old);
    expect((await peer.requests('/token')) - before).toBe(1);
    expect((await stored(id)).row.refreshLeaseOwner).toBeNull();
  });

  (usingPostgres() ? it : it.skip)('F16 a process killed while it refreshes: another takes over within 5 s, and its callers wait rather than fail', async () => {
    const id = await validatedClient();
    const before = await peer.requests('/token');
    // The killed process's token request never completes.
    await peer.fault('/token', { delayMs: 30_000, status: 503, times: 1 });
    const holder = spawn(process.execPath, ['test/peers/token-refresher.mjs'], { env: { ...process.env, DATABASE_URL: db.url, OAUTH_MAIL_KEY: KEY, CLIENT_ID: id }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    holder.stdout.on('data', (d) => (output += d));
    holder.stderr.on('data', (d) => (output += d));
    try {
      // Its request reached the authorization server: it holds the lock.
      await waitFor(async () => (await peer.requests('/token')) > before, 20_000).catch(() => Promise.reject(new Error(`the second process did not refresh: ${output}`)));
      const waiting = app.get(TokenService).getAccessToken(id, { forceRefresh: true });
      await new Promise((r) => setTimeout(r, 300));
      holder.kill('SIGKILL');
      const killedAt = Date.now();
      const token = await waiting;
      expect(Date.now() - killedAt).toBeLessThan(5000);
      expect((await stored(id)).tokens.accessToken).toBe(token);
      expect(output).not.toContain('refreshed');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('marks the client for re-validation on invalid_grant, emits one event, and stops calling the provider', async () => {
    const id = await validatedClient();
    const events: OAuthClientEvent[] = [];
    const sub = app.get(TokenService).events$.subscribe((e) => events.push(e));
    await peer.revokeAccount('alice@example.test');
    await expect(app.get(TokenService).getAccessToken(id, { forceRefresh: true })).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
    const before = await peer.requests('/token');
    for (let i = 0; i < 5; i++) await expect(app.get(TokenService).getAccessToken(id)).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
    expect(await peer.requests('/token')).toBe(before);
    sub.unsubscribe();
    expect(events.filter((e) => e.type === 'needs_revalidation' && e.clientId === id)).toHaveLength(1);
    expect((await stored(id)).row).toMatchObject({ validationStatus: 'needs_revalidation', lastError: expect.stringMatching(/Validate the client again/) });
  });

  it('F02 treats 5xx and timeouts as temporary: tokens kept, client still valid, lease released, the next request only after a backoff', async () => {
    const id = await validatedClient();
    const { tokens } = await stored(id);
    await peer.fault('/token', { status: 503 });
    await expect(app.get(TokenService).getAccessToken(id, { forceRefresh: true })).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true });
    await pastBackoff();
    await peer.fault('/token', { delayMs: 3000 });
    await expect(app.get(TokenService).getAccessToken(id, { forceRefresh: true })).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: expect.stringMatching(/did not answer in time/) });
    const after = await stored(id);
    expect(after.row).toMatchObject({ validationStatus: 'valid', refreshLeaseOwner: null });
    expect(after.tokens.refreshToken).toBe(tokens.refreshToken);
    // Two failures in a row: the next caller is told to wait, without a request.
    const before = await peer.requests('/token');
    await expect(app.get(TokenService).getAccessToken(id, { forceRefresh: true })).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryAfter: expect.any(Date) });
    expect(await peer.requests('/token')).toBe(before);
    // and it recovers
    await new Promise((r) => setTimeout(r, 1200));
    expect(await app.get(TokenService).getAccessToken(id, { forceRefresh: true })).not.toBe(tokens.accessToken);
  });

  it('F03 ends a token answer trickling in at one byte per 200 ms at the whole request\'s deadline, not at an idle timeout', async () => {
    const id = await validatedClient();
    await peer.fault('/token', { trickleMs: 200 });
    const started = Date.now();
    await expect(app.get(TokenService).getAccessToken(id, { forceRefresh: true })).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: expect.stringMatching(/did not answer in time \(within 2000 ms\)/) });
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await stored(id)).row.validationStatus).toBe('valid');
  });

  it.each([
    ['delay-seconds', () => '120'],
    ['an HTTP date', () => new Date(Date.now() + 120_000).toUTCString()],
  ])('F04 honours Retry-After as %s: the current token served while unexpired, and no request before the wait ends', async (_form, header) => {
    const patient = await boot({ refreshBackoff: {} });
    const service = patient.get(TokenService);
    const id = await validatedClient(patient);
    const { row, tokens } = await stored(id, patient);
    // Past its freshness, two minutes before expiry: due for a refresh, still usable.
    const now = Date.now();
    await service.saveValidation(row, { ...tokens, receivedAt: now - 3_480_000, expiresAt: now + 120_000 }, row.validatedIdentity);
    await peer.fault('/token', { status: 429, headers: { 'Retry-After': header() }, body: { error: 'temporarily_unavailable' } });
    const before = await peer.requests('/token');
    expect(await service.getAccessToken(id)).toBe(tokens.accessToken);
    expect(new Set(await Promise.all(Array.from({ length: 50 }, () => service.getAccessToken(id))))).toEqual(new Set([tokens.accessToken]));
    // A caller whose token a server refused needs a new one: it is told at once when to come back.
    const refused = await service.getAccessToken(id, { rejected: tokens.accessToken }).catch((e: OAuthMailError) => e);
    expect(refused).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true, message: expect.stringMatching(/asked to be called again in 1[12]\d s.*No new token is asked for before/) });
    const waitMs = (refused as OAuthMailError).retryAfter!.getTime() - now;
    expect(waitMs).toBeGreaterThan(115_000);
    expect(waitMs).toBeLessThan(125_000);
    for (let i = 0; i < 10; i++) await expect(service.getAccessToken(id, { forceRefresh: true })).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryAfter: (refused as OAuthMailError).retryAfter });
    expect((await peer.requests('/token')) - before).toBe(1);
    expect((await stored(id, patient)).row.validationStatus).toBe('valid');
  });

  it('F04 gives a Check the provider\'s wait as retryAfter, and caps a Retry-After beyond the longest backoff', async () => {
    const capped = await boot({ refreshBackoff: { baseMs: 1000, maxMs: 60_000 } });
    const id = await validatedClient(capped);
    const { row, tokens } = await stored(id, capped);
    // Within the last 30 s of its life: too close to expiry to be served while the provider is unavailable.
    await capped.get(TokenService).saveValidation(row, { ...tokens, receivedAt: Date.now() - 3_590_000, expiresAt: Date.now() + 10_000 }, row.validatedIdentity);
    const made = await capped.get(MailboxSettingsService).create({ name: `F04 ${id}`, direction: 'incoming', protocol: 'imap', host: '127.0.0.1', port: 9, encryption: 'ssl', username: 'alice@example.test', oauthClientId: id });
    if (!made.ok) throw new Error(JSON.stringify(made.errors));
    await peer.fault('/token', { status: 503, headers: { 'Retry-After': '86400' } });
    const started = Date.now();
    const result = await capped.get(MailboxService).check(made.value.id);
    expect(result).toMatchObject({ ok: false, stage: 'token', code: 'PROVIDER_UNAVAILABLE', retryable: true, message: expect.stringMatching(/next token request is made after \d\d:\d\d:\d\d UTC/) });
    const waitMs = (result as { retryAfter: Date }).retryAfter.getTime() - started;
    expect(waitMs).toBeGreaterThan(55_000);
    expect(waitMs).toBeLessThan(65_000);
  });

  it('F20 treats a DNS failure (EAI_AGAIN) of the token host as temporary: backoff, tokens kept, never needs_revalidation', async () => {
    let dnsDown = false;
    const flaky = await boot({
      resolveHost: async (name) => {
        if (dnsDown) throw Object.assign(new Error(`getaddrinfo EAI_AGAIN ${name}`), { code: 'EAI_AGAIN' });
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    const id = await validatedClient(flaky, { tokenUrl: `http://localhost:${new URL(peer.issuer).port}/token` });
    const { tokens } = await stored(id, flaky);
    dnsDown = true;
    const before = await peer.requests('/token');
    await expect(flaky.get(TokenService).getAccessToken(id, { forceRefresh: true })).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true, message: expect.stringMatching(/could not be resolved/) });
    await expect(flaky.get(TokenService).getAccessToken(id, { forceRefresh: true })).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryAfter: expect.any(Date) });
    expect(await peer.requests('/token')).toBe(before);
    expect((await stored(id, flaky)).row.validationStatus).toBe('valid');
    dnsDown = false;
    await pastBackoff();
    expect(await flaky.get(TokenService).getAccessToken(id, { forceRefresh: true })).not.toBe(tokens.accessToken);
  });

  // Issue #19 defect 2: RFC 6749 §5.2 asks for a JSON error, but servers and proxies do not always send one.
  it.each([
    ['an empty body', { status: 400, rawBody: '' }],
    ['an HTML page', { status: 400, rawBody: '<html><body><h1>400 Bad Request</h1></body></html>', contentType: 'text/html' }],
    ['JSON without error', { status: 400, rawBody: '{"message":"refresh token expired"}', contentType: 'application/json' }],
    ['text/plain', { status: 401, rawBody: 'Unauthorized', contentType: 'text/plain' }],
  ])('treats a refresh answered 400/401 with %s as a refused grant: needs Validate, one event, the refresh token never sent again', async (_shape, fault) => {
    const id = await validatedClient();
    const events: OAuthClientEvent[] = [];
    const sub = app.get(TokenService).events$.subscribe((e) => events.push(e));
    await peer.fault('/token', fault);
    await expect(app.get(TokenService).getAccessToken(id, { forceRefresh: true })).rejects.toMatchObject({ code: 'TOKEN_REVOKED', retryable: false, status: fault.status });
    const before = await peer.requests('/token');
    for (let i = 0; i < 3; i++) await expect(app.get(TokenService).getAccessToken(id, { forceRefresh: true })).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
    expect(await peer.requests('/token')).toBe(before);
    sub.unsubscribe();
    expect(events.filter((e) => e.type === 'needs_revalidation' && e.clientId === id)).toHaveLength(1);
    expect((await stored(id)).row).toMatchObject({ validationStatus: 'needs_revalidation', lastError: expect.stringMatching(new RegExp(`HTTP ${fault.status}, without an OAuth error.*Validate the client again`)) });
  });

  it('keeps 429 and 5xx without an error body temporary: tokens kept, client still valid', async () => {
    const id = await validatedClient();
    const { tokens } = await stored(id);
    for (const fault of [{ status: 429, rawBody: '' }, { status: 502, rawBody: '<html>Bad Gateway</html>', contentType: 'text/html' }]) {
      await peer.fault('/token', fault);
      await expect(app.get(TokenService).getAccessToken(id, { forceRefresh: true })).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true });
      await pastBackoff();
    }
    expect((await stored(id)).row.validationStatus).toBe('valid');
    expect((await stored(id)).tokens.refreshToken).toBe(tokens.refreshToken);
  });

  it('reports a code exchange answered 400 without an error body as a provider error that says so', async () => {
    const clientId = `app-${randomUUID().slice(0, 8)}`;
    const created = await app.get(OAuthClientService).create({
      name: clientId, provider: 'generic', type: 'mailbox', clientId, clientSecret: 'secret-1',
      authorizeUrl: `${peer.issuer}/auth`, tokenUrl: `${peer.issuer}/token`, scope: 'openid email offline_access mail',
    });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    await peer.registerClient(clientId, 'secret-1', [app.get(OAuthClientService).redirectUri(created.value.id)]);
    const started = await app.get(OAuthValidationService).start(created.value.id, null);
    if (!started.ok) throw new Error(started.message);
    const { redirect } = await peer.consent(started.authorizeUrl, 'alice@example.test');
    await peer.fault('/token', { status: 400, rawBody: '' });
    const outcome = await app.get(OAuthValidationService).complete(created.value.id, Object.fromEntries(new URL(redirect!).searchParams), null);
    expect(outcome).toMatchObject({ ok: false, code: 'PROVIDER_ERROR', message: expect.stringMatching(/refused the code with HTTP 400 but gave no OAuth error/) });
  });

  it('refuses a disabled client; a new token URL needs the secret typed again, and drops the tokens', async () => {
    const id = await validatedClient();
    await app.get(OAuthClientService).update(id, { status: 'disabled' });
    await expect(app.get(TokenService).getAccessToken(id)).rejects.toMatchObject({ code: 'CLIENT_DISABLED' });
    expect(await app.get(OAuthClientService).update(id, { status: 'enabled', tokenUrl: `${peer.issuer}/token2` })).toMatchObject({ ok: false, errors: { clientSecret: expect.stringMatching(/Enter the Client Secret again/) } });
    await app.get(OAuthClientService).update(id, { status: 'enabled', tokenUrl: `${peer.issuer}/token2`, clientSecret: 'secret-1' });
    await expect(app.get(TokenService).getAccessToken(id)).rejects.toMatchObject({ code: 'CLIENT_NOT_VALIDATED' });
  });

  it('sends discovery and token requests through the client\'s proxy (HTTP CONNECT), and says so when the proxy is down', async () => {
    const proxy = await ConnectProxy.start();
    const id = await validatedClient(app, { proxy: proxy.address });
    // Validate: the RFC 9207 discovery, then the code exchange.
    expect(proxy.tunnels).toEqual([new URL(peer.issuer).host, new URL(peer.issuer).host]);
    await app.get(TokenService).getAccessToken(id, { forceRefresh: true });
    expect(proxy.tunnels).toHaveLength(3);
    await proxy.stop();
    await expect(app.get(TokenService).getAccessToken(id, { forceRefresh: true })).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect((await stored(id)).row.validationStatus).toBe('valid');
  });

  it('validates Azure and Google presets with only their base URL replaced, and explains AADSTS errors on refresh', async () => {
    const presets = await boot({ providerBaseUrls: { azure: peer.issuer, google: peer.issuer } });
    const azureId = await validatedClient(presets, { provider: 'azure', tenantId: 'organizations', clientId: randomUUID(), authorizeUrl: '', tokenUrl: '', scope: '' });
    const azure = await stored(azureId, presets);
    expect(azure.row).toMatchObject({ validationStatus: 'valid', validatedIdentity: 'alice@example.test' });
    expect(azure.tokens.scope).toContain('https://outlook.office.com/IMAP.AccessAsUser.All');
    await peer.fault('/token', { status: 401, body: { error: 'invalid_client', error_description: 'AADSTS7000222: The provided client secret keys are expired.' } });
    await expect(presets.get(TokenService).getAccessToken(azureId, { forceRefresh: true })).rejects.toMatchObject({
      code: 'CLIENT_MISCONFIGURED',
      message: expect.stringMatching(/AADSTS7000222: The Client Secret has expired/),
    });
    const googleId = await validatedClient(presets, { provider: 'google', clientId: 'g.apps.googleusercontent.com', authorizeUrl: '', tokenUrl: '', scope: '' });
    expect((await stored(googleId, presets)).tokens.scope).toContain('https://mail.google.com/');
    await peer.fault('/token', { status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } });
    await expect(presets.get(TokenService).getAccessToken(googleId, { forceRefresh: true })).rejects.toMatchObject({
      code: 'TOKEN_REVOKED',
      message: expect.stringMatching(/Testing app's 7-day limit/),
    });
  });
});
