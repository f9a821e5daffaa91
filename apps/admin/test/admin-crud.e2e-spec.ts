import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { startTestApp, submit, type TestApp } from '../../../test/support/test-app.js';

const API = '/admin/api/resources';
const CANARY_SECRET = `CANARY-CS-${randomUUID()}`;
const CANARY_SECRET_2 = `CANARY-CS2-${randomUUID()}`;
const CANARY_PASSWORD = `CANARY-PW-${randomUUID()}`;

const generic = {
  name: 'Keycloak support',
  provider: 'generic',
  type: 'mailbox',
  clientId: 'support-mail',
  clientSecret: CANARY_SECRET,
  authorizeUrl: 'https://sso.example.com/realms/x/protocol/openid-connect/auth',
  tokenUrl: 'https://sso.example.com/realms/x/protocol/openid-connect/token',
  scope: 'openid email offline_access',
};
const azure = { name: 'M365 support', provider: 'azure', type: 'mailbox', clientId: '11111111-2222-3333-4444-555555555555', clientSecret: CANARY_SECRET, tenantId: 'contoso.onmicrosoft.com' };
const google = { name: 'Gmail support', provider: 'google', type: 'mailbox', clientId: '123-abc.apps.googleusercontent.com', clientSecret: CANARY_SECRET };

describe('AdminJS panel (create, list, show, edit, delete; validation; secrets)', () => {
  let t: TestApp;
  let agent: Awaited<ReturnType<TestApp['login']>>;
  const bodies: string[] = [];

  const record = async (res: { status: number; text: string; body: any }) => {
    bodies.push(res.text);
    expect(res.status).toBe(200);
    return res.body;
  };
  const create = async (resource: string, fields: Record<string, string | number>) =>
    record(await submit(agent, `${API}/${resource}/actions/new`, fields));

  beforeAll(async () => {
    t = await startTestApp();
    agent = await t.login();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends anonymous visitors to the login page and refuses a wrong password', async () => {
    const anonymous = await t.http.get(`${API}/OAuthClient/actions/list`);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toBe('/admin/login');
    const wrong = await t.http.post('/admin/login').set('Origin', t.origin).type('form').send({ email: 'admin@example.test', password: 'wrong password' });
    expect(wrong.status).toBe(200);
    expect(wrong.text).toContain('invalidCredentials');
    expect(wrong.headers['set-cookie'] ?? []).not.toEqual(expect.arrayContaining([expect.stringMatching(/^oauth_mail_admin=/)]));
  });

  it('answers /health with the database state', async () => {
    const res = await t.http.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: { status: 'up' } });
  });

  it('creates an OAuth client of each provider, with presets filling what Azure and Google leave empty', async () => {
    for (const fields of [generic, azure, google]) {
      const body = await create('OAuthClient', fields);
      expect(body.notice).toEqual({ message: 'successfullyCreated', type: 'success' });
      expect(body.record.params).toMatchObject({ name: fields.name, provider: fields.provider, validationStatus: 'not_validated', status: 'enabled' });
      expect(body.record.params.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const list = await record(await agent.get(`${API}/OAuthClient/actions/list?perPage=50`));
    expect(list.meta.total).toBe(3);
    const byName = Object.fromEntries(list.records.map((r: any) => [r.params.name, r]));
    expect(byName['M365 support'].params).toMatchObject({ provider: 'azure', type: 'mailbox', status: 'enabled' });
    // The stored row has no URLs for Azure: the preset supplies them at use.
    const [row] = await t.db.query<{ authorizeUrl: string | null; tenantId: string }>(
      `SELECT "authorizeUrl", "tenantId" FROM oauth_client WHERE name = 'M365 support'`,
    );
    expect(row).toEqual({ authorizeUrl: null, tenantId: 'contoso.onmicrosoft.com' });
  });

  it('shows the Redirect URI and whether the secret is set, never the secret', async () => {
    const list = await record(await agent.get(`${API}/OAuthClient/actions/list`));
    const id = list.records.find((r: any) => r.params.name === 'Keycloak support').params.id;
    const show = await record(await agent.get(`${API}/OAuthClient/records/${id}/show`));
    expect(show.record.params.redirectUri).toBe(`http://127.0.0.1:3000/oauth/callback/${id}`);
    expect(show.record.params.clientSecretStatus).toBe('set');
    expect(show.record.params.accessTokenStatus).toBe('none');
    const leaked = Object.keys(show.record.params).filter((k) => /Encrypted$|^clientSecret$|^accessToken$|^refreshToken$|^originalAccessToken$/.test(k));
    expect(leaked).toEqual([]);
  });

  it('edits a client: an empty secret keeps the stored one, a new one replaces it', async () => {
    const list = await record(await agent.get(`${API}/OAuthClient/actions/list`));
    const id = list.records.find((r: any) => r.params.name === 'Gmail support').params.id;
    const [before] = await t.db.query<{ clientSecretEncrypted: string }>(`SELECT "clientSecretEncrypted" FROM oauth_client WHERE id = '${id}'`);

    const kept = await record(await submit(agent, `${API}/OAuthClient/records/${id}/edit`, { ...google, name: 'Gmail support desk', clientSecret: '' }));
    expect(kept.notice.type).toBe('success');
    const [afterKeep] = await t.db.query<{ clientSecretEncrypted: string; name: string }>(`SELECT name, "clientSecretEncrypted" FROM oauth_client WHERE id = '${id}'`);
    expect(afterKeep).toEqual({ name: 'Gmail support desk', clientSecretEncrypted: before.clientSecretEncrypted });

    const replaced = await record(await submit(agent, `${API}/OAuthClient/records/${id}/edit`, { ...google, clientSecret: CANARY_SECRET_2 }));
    expect(replaced.notice.type).toBe('success');
    const [afterReplace] = await t.db.query<{ clientSecretEncrypted: string }>(`SELECT "clientSecretEncrypted" FROM oauth_client WHERE id = '${id}'`);
    expect(afterReplace.clientSecretEncrypted).not.toBe(before.clientSecretEncrypted);
    expect(afterReplace.clientSecretEncrypted).toMatch(/^v1\.ktest1\./);
  });

  it('editing the client id of a validated client drops its tokens and marks it not validated', async () => {
    const body = await create('OAuthClient', { ...generic, name: 'Validated one' });
    const id = body.record.params.id;
    // Stand in for a completed Validate (that flow has its own suite).
    const { OAuthClient } = await import('@app/oauth-mail');
    const { DataSource } = await import('typeorm');
    const ds = t.app.get(DataSource);
    await ds.getRepository(OAuthClient).update({ id }, { validationStatus: 'valid', validatedIdentity: 'alice@example.test', accessTokenEncrypted: 'v1.ktest1.x.y.z', accessTokenExpiresAt: new Date() });

    await record(await submit(agent, `${API}/OAuthClient/records/${id}/edit`, { ...generic, name: 'Validated one', clientId: 'another-client' }));
    const row = await ds.getRepository(OAuthClient).findOneByOrFail({ id });
    expect(row).toMatchObject({ clientId: 'another-client', validationStatus: 'not_validated', validatedIdentity: null, accessTokenEncrypted: null, accessTokenExpiresAt: null });
  });

  it('answers each invalid OAuth client field with a message under that field, and writes nothing', async () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ ...generic, name: '' }, 'name', /Enter a name/],
      [{ ...generic, provider: 'yahoo' }, 'provider', /Choose one of/],
      [{ ...generic, authorizeUrl: '' }, 'authorizeUrl', /authorization endpoint/],
      [{ ...generic, tokenUrl: 'http://sso.example.com/token' }, 'tokenUrl', /https/],
      [{ ...generic, tokenUrl: 'javascript:alert(1)' }, 'tokenUrl', /https/],
      [{ ...generic, tokenUrl: 'https://user:pw@sso.example.com/token' }, 'tokenUrl', /user name and password/],
      [{ ...generic, authorizeUrl: 'https://sso.example.com/auth#x' }, 'authorizeUrl', /fragment/],
      [{ ...generic, scope: '' }, 'scope', /scopes/],
      [{ ...generic, scopeSeparator: ';;' }, 'scopeSeparator', /exactly one character/],
      [{ ...generic, clientSecret: '' }, 'clientSecret', /Value, not its Secret ID/],
      [{ ...generic, clientSecret: 'x'.repeat(5000) }, 'clientSecret', /at most 4096/],
      [{ ...generic, clientId: 'has space' }, 'clientId', /spaces/],
      [{ ...generic, name: 'x'.repeat(300) }, 'name', /at most 200/],
      [{ ...generic, name: 'evil\u202ename' }, 'name', /invisible/],
      [{ ...generic, proxy: 'socks9://proxy:1080' }, 'proxy', /socks5/],
      [{ ...generic, proxy: 'socks5://proxy.example.com:1080' }, 'proxy', /tunnelled with HTTP CONNECT, so https:\/\/ and socks5:\/\/ proxies are not supported/],
      [{ ...generic, proxy: 'https://proxy.example.com:3128' }, 'proxy', /tunnelled with HTTP CONNECT/],
      [{ ...generic, allowedMailHosts: 'imap.example.com, *.co.uk' }, 'allowedMailHosts', /"\*\.co\.uk" would match a whole public suffix/],
      [{ ...generic, allowedMailHosts: 'not a host' }, 'allowedMailHosts', /is not a host name or \*\.domain pattern/],
      [{ ...generic, proxy: 'proxy.example.com:70000' }, 'proxy', /1 to 65535|proxy/],
      [{ ...generic, proxy: 'http://u:p@proxy.example.com:3128' }, 'proxy', /credentials/],
      [{ ...azure, tenantId: '' }, 'tenantId', /Directory \(tenant\) ID/],
      [{ ...azure, tenantId: 'not a tenant' }, 'tenantId', /tenant GUID/],
      [{ ...generic, type: 'user', usernameAttribute: '' }, 'usernameAttribute', /claim that holds the username/],
    ];
    const [{ n: before }] = await t.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM oauth_client');
    for (const [fields, field, message] of cases) {
      const body = await create('OAuthClient', fields);
      expect(body.notice.type).toBe('error');
      expect({ field, error: body.record.errors?.[field]?.message }).toEqual({ field, error: expect.stringMatching(message) });
    }
    const [{ n: after }] = await t.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM oauth_client');
    expect(Number(after)).toBe(Number(before));
  });

  it('creates incoming and outgoing mailboxes, with a password or with an OAuth client', async () => {
    const list = await record(await agent.get(`${API}/OAuthClient/actions/list`));
    const clientId = list.records.find((r: any) => r.params.name === 'M365 support').params.id;
    const imap = await create('Mailbox', { name: 'Support IMAP', direction: 'incoming', protocol: 'imap', host: 'imap.example.com', port: 993, encryption: 'ssl', username: 'support@example.com', password: CANARY_PASSWORD });
    expect(imap.notice.type).toBe('success');
    expect(imap.record.params).toMatchObject({ folder: 'INBOX', port: 993 });
    const pop = await create('Mailbox', { name: 'Support POP3 (M365)', direction: 'incoming', protocol: 'pop3', host: 'outlook.office365.com', encryption: 'ssl', username: 'support@contoso.com', oauthClientId: clientId });
    expect(pop.notice.type).toBe('success');
    expect(pop.record.params).toMatchObject({ port: 995, oauthClientId: clientId, folder: null });
    const smtp = await create('Mailbox', { name: 'Support SMTP', direction: 'outgoing', protocol: 'smtp', host: 'smtp.office365.com', port: 587, encryption: 'starttls', username: 'support@contoso.com', oauthClientId: clientId, emailDisplay: 'help@contoso.com', displayName: 'Contoso Help' });
    expect(smtp.notice.type).toBe('success');

    const mailboxes = await record(await agent.get(`${API}/Mailbox/actions/list?perPage=50`));
    expect(mailboxes.meta.total).toBe(3);
    const popRow = mailboxes.records.find((r: any) => r.params.name === 'Support POP3 (M365)');
    expect(popRow.populated.oauthClientId.params.name).toBe('M365 support');
    const show = await record(await agent.get(`${API}/Mailbox/records/${imap.record.params.id}/show`));
    expect(show.record.params.passwordStatus).toBe('set');
    // The stored password is never sent to another host without being typed again.
    const moved = await record(await submit(agent, `${API}/Mailbox/records/${imap.record.params.id}/edit`, { host: 'imap.elsewhere.example' }));
    expect(moved.record.errors.password.message).toMatch(/Enter the password again/);
    expect((await record(await submit(agent, `${API}/Mailbox/records/${imap.record.params.id}/edit`, { name: 'Support IMAP' }))).notice.type).toBe('success');
  });

  it('answers each invalid mailbox field with a message under that field, and writes nothing', async () => {
    const base = { name: 'Bad', direction: 'incoming', protocol: 'imap', host: 'imap.example.com', port: '993', encryption: 'ssl', username: 'u@example.com', password: 'pw' };
    const users = await record(await agent.get(`${API}/OAuthClient/actions/list`));
    const userClient = await create('OAuthClient', { ...generic, name: 'SSO', type: 'user', usernameAttribute: 'preferred_username', userDataSource: 'id_token' });
    const mailClient = users.records.find((r: any) => r.params.name === 'M365 support').params.id;
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ ...base, port: '0' }, 'port', /1 to 65535/],
      [{ ...base, port: '65536' }, 'port', /1 to 65535/],
      [{ ...base, port: 'abc' }, 'port', /1 to 65535/],
      [{ ...base, port: '143' }, 'port', /plain start/],
      [{ ...base, encryption: 'starttls', port: '993' }, 'port', /TLS from the start/],
      [{ ...base, host: 'imap.example.com\r\nA1 LOGOUT' }, 'host', /spaces or control/],
      [{ ...base, host: 'imap example.com' }, 'host', /spaces or control/],
      [{ ...base, host: 'https://imap.example.com' }, 'host', /without a scheme/],
      [{ ...base, host: '' }, 'host', /server name/],
      [{ ...base, protocol: 'smtp' }, 'protocol', /IMAP or POP3/],
      [{ ...base, direction: 'outgoing', protocol: 'imap', port: '465' }, 'protocol', /SMTP/],
      [{ ...base, encryption: 'tls13' }, 'encryption', /Choose one of/],
      [{ ...base, username: 'a\u0001b@example.com' }, 'username', /control characters/],
      [{ ...base, username: '' }, 'username', /username/],
      [{ ...base, password: '' }, 'password', /password, or choose an OAuth client/],
      [{ ...base, password: '', oauthClientId: mailClient, encryption: 'none', port: '143' }, 'encryption', /encrypted connection/],
      [{ ...base, password: '', oauthClientId: userClient.record.params.id }, 'oauthClientId', /type Mailbox/],
      [{ ...base, password: '', oauthClientId: randomUUID() }, 'oauthClientId', /does not exist/],
      [{ ...base, direction: 'outgoing', protocol: 'smtp', port: '465', emailDisplay: 'not-an-address' }, 'emailDisplay', /e-mail address/],
    ];
    for (const [fields, field, message] of cases) {
      const body = await create('Mailbox', fields);
      expect(body.notice.type).toBe('error');
      expect({ field, error: body.record.errors?.[field]?.message }).toEqual({ field, error: expect.stringMatching(message) });
    }
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM mailbox WHERE name = 'Bad'`);
    expect(Number(n)).toBe(0);
  });

  it('ignores server-managed fields posted by a form', async () => {
    const body = await create('OAuthClient', { ...generic, name: 'Sneaky', validationStatus: 'valid', accessTokenEncrypted: 'v1.forged', clientSecretEncrypted: 'v1.forged' });
    const [row] = await t.db.query<Record<string, string>>(`SELECT "validationStatus", "accessTokenEncrypted", "clientSecretEncrypted" FROM oauth_client WHERE id = '${body.record.params.id}'`);
    expect(row.validationStatus).toBe('not_validated');
    expect(row.accessTokenEncrypted).toBeNull();
    expect(row.clientSecretEncrypted).toMatch(/^v1\.ktest1\.[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('searches, filters and deletes; deleting a client keeps its mailboxes without it', async () => {
    const search = await record(await agent.get(`${API}/OAuthClient/search/M365`));
    expect(search.records.map((r: any) => r.title)).toEqual(['M365 support']);
    const filtered = await record(await agent.get(`${API}/OAuthClient/actions/list?filters.provider=azure`));
    expect(filtered.records).toHaveLength(1);
    const clientId = filtered.records[0].params.id;
    const deleted = await record(await agent.post(`${API}/OAuthClient/records/${clientId}/delete`).send());
    expect(deleted.notice.type).toBe('success');
    const rows = await t.db.query<{ oauthClientId: string | null }>(`SELECT "oauthClientId" FROM mailbox WHERE name LIKE 'Support%'`);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.oauthClientId === null)).toBe(true);
    const gone = await agent.get(`${API}/OAuthClient/records/${clientId}/show`);
    expect(gone.text).not.toContain(CANARY_SECRET);
  });

  it('B38 refuses changes that do not come from the panel itself (CSRF): a foreign, a null or no Origin, or a cross-site request; nothing is sent out', async () => {
    const { AdminUser } = await import('../src/auth/admin-user.entity.js');
    const { DataSource } = await import('typeorm');
    const users = t.app.get(DataSource).getRepository(AdminUser);
    // Every outbound attempt (a mail login, a token or metadata request) would reach this listener.
    const connections: number[] = [];
    const listener = createServer((socket) => {
      connections.push(Date.now());
      socket.destroy();
    });
    await new Promise<void>((ok) => listener.listen(0, '127.0.0.1', ok));
    const port = (listener.address() as AddressInfo).port;
    try {
      const client = await create('OAuthClient', { ...generic, name: 'CSRF target', authorizeUrl: `http://127.0.0.1:${port}/auth`, tokenUrl: `http://127.0.0.1:${port}/token` });
      const mailbox = await create('Mailbox', { name: 'CSRF mailbox', direction: 'incoming', protocol: 'imap', host: '127.0.0.1', port, encryption: 'none', username: 'csrf@example.test', password: 'csrf password' });
      const user = await users.save(users.create({ email: 'csrf-target@example.test', role: 'viewer' }));
      const attacks = {
        Validate: () => agent.post(`${API}/OAuthClient/records/${client.record.params.id}/validate`),
        Check: () => agent.post(`${API}/Mailbox/records/${mailbox.record.params.id}/check`),
        Delete: () => agent.post(`${API}/Mailbox/records/${mailbox.record.params.id}/delete`),
        'Users edit': () => agent.post(`${API}/AdminUser/records/${user.id}/edit`).field('role', 'admin'),
      };
      const forgeries: Record<string, (req: ReturnType<typeof agent.post>) => ReturnType<typeof agent.post>> = {
        'a foreign Origin': (req) => req.set('Origin', 'https://evil.example'),
        'Origin: null': (req) => req.set('Origin', 'null'),
        'no Origin': (req) => req.unset('Origin'),
        'a cross-site request': (req) => req.unset('Origin').set('Sec-Fetch-Site', 'cross-site'),
        'a same-site page of another origin': (req) => req.set('Sec-Fetch-Site', 'same-site'),
      };
      for (const [action, send] of Object.entries(attacks)) {
        for (const [forgery, forge] of Object.entries(forgeries)) {
          const res = await forge(send());
          expect([action, forgery, res.status, res.text]).toEqual([action, forgery, 403, expect.stringContaining(`must send the header Origin: ${t.origin}`)]);
        }
      }
      await new Promise((settle) => setTimeout(settle, 200));
      expect(connections).toEqual([]);
      const [stored] = await t.db.query<{ lastCheckAt: string | null }>(`SELECT "lastCheckAt" FROM mailbox WHERE id = '${mailbox.record.params.id}'`);
      expect(stored).toEqual({ lastCheckAt: null });
      expect((await t.db.query(`SELECT id FROM oauth_transaction WHERE "clientId" = '${client.record.params.id}'`)).length).toBe(0);
      expect((await users.findOneByOrFail({ id: user.id })).role).toBe('viewer');

      // The same request from the panel's own page goes through: the listener sees the Check's connection.
      const checked = await agent.post(`${API}/Mailbox/records/${mailbox.record.params.id}/check`).set('Sec-Fetch-Site', 'same-origin');
      expect(checked.status).toBe(200);
      expect(connections.length).toBeGreaterThan(0);
      expect((await agent.get(`${API}/Mailbox/actions/list`).unset('Origin')).status).toBe(200);
      await users.delete({ id: user.id });
    } finally {
      listener.close();
    }
  });

  it('lets a viewer look but not change anything', async () => {
    const { AdminUser } = await import('../src/auth/admin-user.entity.js');
    const { hashPassword } = await import('../src/auth/password-hash.js');
    const { DataSource } = await import('typeorm');
    const users = t.app.get(DataSource).getRepository(AdminUser);
    await users.save(users.create({ email: 'viewer@example.test', role: 'viewer', passwordHash: await hashPassword('viewer password') }));
    const viewer = t.browser();
    await viewer.post('/admin/login').type('form').send({ email: 'viewer@example.test', password: 'viewer password' });
    const list = await viewer.get(`${API}/Mailbox/actions/list`);
    expect(list.status).toBe(200);
    const id = list.body.records[0].params.id;
    expect(list.body.records[0].recordActions.map((a: { name: string }) => a.name)).toEqual(['show']);
    expect((await viewer.get(`${API}/Mailbox/records/${id}/show`)).status).toBe(200);
    for (const [path, fields] of [[`${API}/Mailbox/records/${id}/check`, {}], [`${API}/Mailbox/records/${id}/delete`, {}], [`${API}/OAuthClient/actions/new`, { ...generic, name: 'by viewer' }]] as const) {
      const res = await submit(viewer, path, fields);
      expect(res.body.notice?.type).toBe('error');
    }
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM oauth_client WHERE name = 'by viewer'`);
    expect(Number(n)).toBe(0);
    expect((await t.db.query(`SELECT id FROM mailbox WHERE id = '${id}'`)).length).toBe(1);
  });

  it('Users: an admin changes a role and it applies at the next request; nobody changes or deletes themselves; a deleted user is signed out', async () => {
    const { AdminUser } = await import('../src/auth/admin-user.entity.js');
    const { hashPassword } = await import('../src/auth/password-hash.js');
    const { DataSource } = await import('typeorm');
    const users = t.app.get(DataSource).getRepository(AdminUser);
    const carl = await users.save(users.create({ email: 'carl@example.test', role: 'viewer', passwordHash: await hashPassword('carl password') }));
    const browser = t.browser();
    await browser.post('/admin/login').type('form').send({ email: 'carl@example.test', password: 'carl password' });
    const canEdit = async () => (await browser.get(`${API}/Mailbox/actions/list`)).body.records[0].recordActions.map((a: { name: string }) => a.name).includes('edit');
    expect(await canEdit()).toBe(false);

    const listed = await agent.get(`${API}/AdminUser/actions/list`);
    expect(listed.status).toBe(200);
    expect(listed.text).not.toMatch(/passwordHash|scrypt/);
    expect(listed.body.records.find((r: { params: { email: string } }) => r.params.email === 'carl@example.test').params.signsInWith).toBe('Password');

    expect((await submit(agent, `${API}/AdminUser/records/${carl.id}/edit`, { role: 'admin' })).body.notice.type).toBe('success');
    expect(await canEdit()).toBe(true);
    expect((await submit(agent, `${API}/AdminUser/records/${carl.id}/edit`, { role: 'viewer', name: 'Carl' })).body.notice.type).toBe('success');
    expect(await canEdit()).toBe(false);
    expect(await users.findOneBy({ id: carl.id })).toMatchObject({ role: 'viewer', name: 'Carl' });

    const me = listed.body.records.find((r: { params: { email: string } }) => r.params.email === 'admin@example.test').params.id;
    const ownRole = await submit(agent, `${API}/AdminUser/records/${me}/edit`, { role: 'viewer' });
    expect(ownRole.body.record.errors.role.message).toMatch(/your own role/);
    const ownDelete = await submit(agent, `${API}/AdminUser/records/${me}/delete`, {});
    expect(ownDelete.body.notice).toMatchObject({ type: 'error', message: expect.stringMatching(/your own account/) });
    expect(await users.findOneBy({ id: me })).not.toBeNull();
    // Viewers cannot touch users; nobody creates them here.
    expect((await submit(browser, `${API}/AdminUser/records/${me}/edit`, { name: 'x' })).body.notice?.type).toBe('error');
    expect((await submit(agent, `${API}/AdminUser/actions/new`, { email: 'x@example.test', role: 'admin' })).body.notice?.type).toBe('error');

    expect((await submit(agent, `${API}/AdminUser/records/${carl.id}/delete`, {})).body.notice.type).toBe('success');
    expect((await browser.get(`${API}/Mailbox/actions/list`)).status).not.toBe(200);
  });

  it('never lets a planted secret out: not in any response, log line or plain-text column', async () => {
    // Every record page of both resources, including bulk and search endpoints.
    for (const resource of ['OAuthClient', 'Mailbox']) {
      const list = await record(await agent.get(`${API}/${resource}/actions/list?perPage=100`));
      for (const r of list.records) {
        bodies.push((await agent.get(`${API}/${resource}/records/${r.params.id}/show`)).text);
        bodies.push((await agent.get(`${API}/${resource}/records/${r.params.id}/edit`)).text);
      }
      bodies.push((await agent.get(`${API}/${resource}/search/`)).text);
      const ids = list.records.map((r: any) => r.params.id).join(',');
      bodies.push((await agent.get(`${API}/${resource}/bulk/bulkDelete?recordIds=${ids}`)).text);
    }
    bodies.push((await agent.get('/admin/resources/OAuthClient')).text);
    const everything = bodies.join('\n') + t.output.text;
    for (const canary of [CANARY_SECRET, CANARY_SECRET_2, CANARY_PASSWORD]) {
      expect(everything).not.toContain(canary);
    }
    expect(everything).not.toMatch(/Encrypted"\s*:/);

    for (const table of ['oauth_client', 'mailbox']) {
      const dump = JSON.stringify(await t.db.query(`SELECT * FROM ${table}`));
      for (const canary of [CANARY_SECRET, CANARY_SECRET_2, CANARY_PASSWORD]) expect(dump).not.toContain(canary);
    }
  });
});
