import 'reflect-metadata';
import { spawn, spawnSync } from 'node:child_process';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { freePort } from '../../../test/support/dovecot-peer.js';
import { launchBrowser } from '../../../test/support/browser.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, submit, TEST_KEY } from '../../../test/support/test-app.js';

const cookieOf = (res: request.Response) =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('oauth_mail_admin='))?.split(';')[0];

describe('Admin app boot, login and sessions', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('runs its migrations on an empty database and leaves nothing for the entities to change', async () => {
    const t = await startTestApp({}, db);
    const pending = await t.app.get(DataSource).driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    await t.stop();
  });

  it('on a first start without ADMIN_EMAIL creates one admin with a random password, printed once', async () => {
    const first = await startTestApp({ ADMIN_EMAIL: '', ADMIN_PASSWORD: '' }, db);
    const printed = /e-mail:\s+(\S+)\n\s+password:\s+(\S+)/.exec(first.output.text);
    expect(printed).not.toBeNull();
    const [, email, password] = printed!;
    const login = await first.http.post('/admin/login').set('Origin', first.origin).type('form').send({ email, password });
    expect(login.status).toBe(302);
    await first.stop();

    const second = await startTestApp({ ADMIN_EMAIL: '', ADMIN_PASSWORD: '' }, db);
    expect(second.output.text).not.toContain('No admin existed');
    await second.stop();
  });

  it('ADMIN_EMAIL and ADMIN_PASSWORD create the admin, and update its password at the next start', async () => {
    const first = await startTestApp({}, db);
    await first.login();
    await first.stop();
    const second = await startTestApp({ ADMIN_PASSWORD: 'a brand new password' }, db);
    const old = await second.http.post('/admin/login').set('Origin', second.origin).type('form').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(old.text).toContain('invalidCredentials');
    const fresh = await second.http.post('/admin/login').set('Origin', second.origin).type('form').send({ email: ADMIN_EMAIL.toUpperCase(), password: 'a brand new password' });
    expect(fresh.status).toBe(302);
    const [row] = await db.query<{ passwordHash: string }>(`SELECT "passwordHash" FROM admin_user`);
    expect(row.passwordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(row)).not.toContain('brand new');
    await second.stop();
  });

  it('keeps a session across a restart: sessions live in the database', async () => {
    const first = await startTestApp({}, db);
    const res = await first.http.post('/admin/login').set('Origin', first.origin).type('form').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const cookie = cookieOf(res)!;
    expect(cookie).toBeDefined();
    await first.stop();

    const second = await startTestApp({}, db);
    const list = await second.http.get('/admin/api/resources/OAuthClient/actions/list').set('Cookie', cookie);
    expect(list.status).toBe(200);
    expect(list.body.meta.total).toBe(0);
    const anonymous = await second.http.get('/admin/api/resources/OAuthClient/actions/list');
    expect(anonymous.status).toBe(302);
    const [{ n }] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM admin_session');
    expect(Number(n)).toBeGreaterThan(0);
    await second.stop();
  });

  it('gives a new session id at login, so a planted id is worthless; logout ends the session', async () => {
    const t = await startTestApp({}, db);
    const first = cookieOf(await t.http.post('/admin/login').set('Origin', t.origin).type('form').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }))!;
    const second = cookieOf(
      await t.http.post('/admin/login').set('Origin', t.origin).set('Cookie', first).type('form').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    )!;
    expect(second).not.toBe(first);
    expect((await t.http.get('/admin/api/resources/Mailbox/actions/list').set('Cookie', first)).status).toBe(302);
    expect((await t.http.get('/admin/api/resources/Mailbox/actions/list').set('Cookie', second)).status).toBe(200);
    await t.http.get('/admin/logout').set('Cookie', second);
    expect((await t.http.get('/admin/api/resources/Mailbox/actions/list').set('Cookie', second)).status).toBe(302);
    await t.stop();
  });
});

describe('The built app as `npm start` runs it', () => {
  // The production bundle (scripts/bundle-server.mjs), with AdminJS's frontend and bundler shimmed out.
  const main = 'dist/server/main.mjs';

  it('refuses to start in production without an encryption key, saying why', () => {
    const run = spawnSync(process.execPath, [main], { env: { PATH: process.env.PATH, NODE_ENV: 'production', ADMIN_SESSION_SECRET: 'x'.repeat(40) }, encoding: 'utf8', timeout: 20000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/OAUTH_MAIL_ENCRYPTION_KEY is not set/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('serves the login page, lets the printed admin in, and keeps the session over a restart', async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    const env = { PATH: process.env.PATH, DATA_DIR: db.dir, DATABASE_URL: db.url, PORT: String(port), OAUTH_MAIL_PUBLIC_BASE_URL: `http://127.0.0.1:${port}` };
    const children: ReturnType<typeof spawn>[] = [];
    const start = async () => {
      const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      for (let i = 0; i < 100 && !out.includes('Admin at'); i++) await new Promise((r) => setTimeout(r, 100));
      return { child, output: () => out };
    };
    const stop = (child: ReturnType<typeof spawn>) => new Promise((done) => child.once('exit', done).kill('SIGTERM'));
    const base = `http://127.0.0.1:${port}`;
    try {
      const first = await start();
      const page = await request(base).get('/admin/login');
      expect(page.status).toBe(200);
      expect(page.text).toContain('"action":"/admin/login"');
      const [, email, password] = /e-mail:\s+(\S+)\n\s+password:\s+(\S+)/.exec(first.output())!;
      const cookie = cookieOf(await request(base).post('/admin/login').set('Origin', base).type('form').send({ email, password }))!;
      // The layout and every script it loads: AdminJS's own assets are found from its original location.
      const layout = await request(base).get('/admin').set('Cookie', cookie);
      expect(layout.status).toBe(200);
      const scripts = [...layout.text.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
      expect(scripts).toEqual(expect.arrayContaining([expect.stringMatching(/app\.bundle\.js$/), expect.stringMatching(/components\.bundle\.js$/), expect.stringMatching(/design-system\.bundle\.js$/)]));
      for (const src of scripts) expect([src, (await request(base).get(src)).status]).toEqual([src, 200]);
      expect((await request(base).get('/admin/api/dashboard').set('Cookie', cookie)).status).toBe(200);
      // And a real browser: the panel renders from the bundled server with no script error.
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`${base}/admin`);
        await page.locator('input[name="email"]').fill(email);
        await page.locator('input[name="password"]').fill(password);
        await page.locator('form button').click();
        await page.getByText('0 of 0 OK').waitFor();
        await page.goto(`${base}/admin/resources/Mailbox`);
        await page.getByRole('link', { name: /Create new/i }).waitFor();
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
      await stop(first.child);

      const second = await start();
      expect((await request(base).get('/admin/api/resources/Mailbox/actions/list').set('Cookie', cookie)).status).toBe(200);
      expect(second.output()).not.toContain('No admin existed');
      await stop(second.child);
    } finally {
      children.forEach((c) => c.exitCode === null && c.kill('SIGKILL'));
      await db.drop();
    }
  });

  it('rotates the encryption key with the real command', async () => {
    const db = await createTestDatabase();
    const t = await startTestApp({}, db);
    const agent = await t.login();
    await submit(agent, '/admin/api/resources/OAuthClient/actions/new', { name: 'G', provider: 'google', type: 'mailbox', clientId: 'g', clientSecret: 'gs' });
    await submit(agent, '/admin/api/resources/Mailbox/actions/new', { name: 'M', direction: 'incoming', protocol: 'imap', host: 'imap.example.com', encryption: 'ssl', username: 'm@example.com', password: 'pw' });
    await t.stop();
    const newKey = 'k2:' + Buffer.alloc(32, 42).toString('base64');
    const env = { PATH: process.env.PATH, DATA_DIR: db.dir, DATABASE_URL: db.url, OAUTH_MAIL_ENCRYPTION_KEY: newKey, ADMIN_SESSION_SECRET: 'x'.repeat(40) };
    const withoutOld = spawnSync(process.execPath, ['dist/apps/admin/src/cli/rotate-keys.js'], { env, encoding: 'utf8' });
    expect(withoutOld.status).toBe(1);
    // Refused at start (F19), before anything is read or rewritten, naming the key id and the columns that need it.
    expect(withoutOld.stderr).toMatch(/key ids that are not configured: "ktest1" \(oauth_client\.clientSecretEncrypted, mailbox\.passwordEncrypted\)/);
    const run = spawnSync(process.execPath, ['dist/apps/admin/src/cli/rotate-keys.js'], { env: { ...env, OAUTH_MAIL_ENCRYPTION_KEYS_PREVIOUS: TEST_KEY }, encoding: 'utf8' });
    expect(run.stdout).toContain('Re-encrypted 2 of 2 stored secrets');
    expect(run.status).toBe(0);
    const rows = await db.query<{ v: string }>(`SELECT "clientSecretEncrypted" AS v FROM oauth_client UNION ALL SELECT "passwordEncrypted" AS v FROM mailbox`);
    expect(rows.map((r) => r.v.split('.')[1])).toEqual(['k2', 'k2']);
    await db.drop();
  });
});
