import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { freePort } from '../../../test/support/dovecot-peer.js';
import { LDAP_READER_DN, LDAP_SUFFIX, LdapPeer } from '../../../test/support/ldap-peer.js';
import { OidcPeer } from '../../../test/support/oidc-peer.js';
import { startTestApp, submit, type TestApp } from '../../../test/support/test-app.js';

const API = '/admin/api/resources';
const SECRET = `CANARY-CS-${randomUUID()}`;
const BIND_PASSWORD = `CANARY-BIND-${randomUUID()}`;

describe('Sign-in through a User-type OAuth client (SSO)', () => {
  let peer: OidcPeer;
  let ldap: LdapPeer;
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['login']>>;

  async function userClient(fields: Record<string, string> = {}) {
    const clientId = `sso-${randomUUID().slice(0, 8)}`;
    const res = await submit(admin, `${API}/OAuthClient/actions/new`, {
      name: `SSO ${clientId}`, provider: 'generic', type: 'user', clientId, clientSecret: SECRET,
      authorizeUrl: `${peer.issuer}/auth`, tokenUrl: `${peer.issuer}/token`, scope: 'openid email profile',
      userDataSource: 'id_token', usernameAttribute: 'email', userFields: 'email = email\nname = name', loginButtonCaption: `Sign in with ${clientId}`, ...fields,
    });
    expect(res.body.notice).toMatchObject({ type: 'success' });
    const id = res.body.record.params.id as string;
    await peer.registerClient(clientId, SECRET, [`http://127.0.0.1:3000/oauth/callback/${id}`]);
    return { id, clientId };
  }

  /** A fresh browser: starts at the login button, signs in at the provider, comes back. */
  async function signIn(id: string, login: string, beforeCallback?: (authorizeUrl: URL) => Promise<void>, server: OidcPeer = peer) {
    const browser = t.browser();
    const start = await browser.get(`/oauth/sign-in/${id}`);
    expect(start.status).toBe(303);
    const authorizeUrl = new URL(start.headers.location);
    await beforeCallback?.(authorizeUrl);
    const { redirect } = await server.consent(authorizeUrl.toString(), login);
    const back = new URL(redirect!);
    const callback = await browser.get(back.pathname + back.search);
    return { browser, callback, authorizeUrl };
  }

  const users = () => t.app.get(DataSource).query('SELECT email, role, name, "ssoIssuer", "ssoSubject", "passwordHash" FROM admin_user ORDER BY email');

  beforeAll(async () => {
    peer = await OidcPeer.start();
    ldap = await LdapPeer.start([
      { uid: 'ada', cn: 'Ada Lovelace', mail: 'ada@example.test', title: 'admin' },
      { uid: 'bob', cn: 'Bob Viewer', mail: 'bob@example.test' },
      { uid: 'cleo', cn: 'Cleo Admin', mail: 'cleo@example.test', groups: ['staff', 'mail-admins'] },
      { uid: 'dan', cn: 'Dan Plain', mail: 'dan@example.test' },
    ], BIND_PASSWORD);
    t = await startTestApp({}, undefined, { providerBaseUrls: { google: peer.issuer }, mailTrustedCa: [ldap.certificate] });
    admin = await t.login();
  });
  afterAll(async () => {
    await t?.close();
    await peer?.stop();
    ldap?.stop();
  });

  it('keys a person on one issuer whether a client reads the ID token or Endpoint User Data (an issuer with a path)', async () => {
    const realm = await OidcPeer.start({ issuerPath: '/realms/staff' });
    try {
      const client = async (fields: Record<string, string>) => {
        const clientId = `realm-${randomUUID().slice(0, 8)}`;
        const res = await submit(admin, `${API}/OAuthClient/actions/new`, {
          name: clientId, provider: 'generic', type: 'user', clientId, clientSecret: SECRET, authorizeUrl: `${realm.issuer}/auth`, tokenUrl: `${realm.issuer}/token`,
          scope: 'openid email profile', usernameAttribute: 'email', ...fields,
        });
        const id = res.body.record.params.id as string;
        await realm.registerClient(clientId, SECRET, [`http://127.0.0.1:3000/oauth/callback/${id}`]);
        return id;
      };
      const viaIdToken = await client({ userDataSource: 'id_token' });
      const viaEndpoint = await client({ userDataSource: 'endpoint', userDataEndpoint: `${realm.issuer}/me` });
      expect((await signIn(viaIdToken, 'rita@example.test', undefined, realm)).callback.status).toBe(303);
      const second = await signIn(viaEndpoint, 'rita@example.test', undefined, realm);
      expect(second.callback.status).toBe(303);
      const rita = (await users()).filter((u: { email: string }) => u.email === 'rita@example.test');
      expect(rita).toEqual([expect.objectContaining({ ssoIssuer: realm.issuer, ssoSubject: 'rita@example.test' })]);
    } finally {
      await realm.stop();
    }
  });

  it('lists a button per enabled User-type client', async () => {
    const { id, clientId } = await userClient();
    const res = await t.http.get('/oauth/sign-in');
    expect(res.body).toEqual(expect.arrayContaining([{ clientId: id, caption: `Sign in with ${clientId}`, icon: null }]));
  });

  it('signs a first-time person in: user created per mapping (viewer), fresh session id, panel open; a second sign-in updates', async () => {
    const { id } = await userClient();
    const { browser, callback } = await signIn(id, 'ann@example.test');
    expect(callback.status).toBe(303);
    expect(callback.headers.location).toBe('/admin');
    expect((await browser.get(`${API}/Mailbox/actions/list`)).status).toBe(200);
    const [ann] = (await users()).filter((u: { email: string }) => u.email === 'ann@example.test');
    expect(ann).toMatchObject({ role: 'viewer', name: 'ann', ssoIssuer: peer.issuer, ssoSubject: 'ann@example.test', passwordHash: null });
    // The mapping changes; the next sign-in updates the same user instead of creating another.
    expect((await submit(admin, `${API}/OAuthClient/records/${id}/edit`, { userFields: 'email = email\nname = preferred_username' })).body.notice.type).toBe('success');
    const again = await signIn(id, 'ann@example.test');
    expect(again.callback.status).toBe(303);
    const anns = (await users()).filter((u: { email: string }) => u.email === 'ann@example.test');
    expect(anns).toEqual([expect.objectContaining({ name: 'ann@example.test', ssoSubject: 'ann@example.test' })]);
  });

  it('gives the role the User Create Expression sets, and refuses when it denies or fails', async () => {
    const { id } = await userClient({ userCreateExpression: 'claims.email.endsWith("@example.test") ? dyn({"role": "admin"}) : dyn(false)' });
    expect((await signIn(id, 'boss@example.test')).callback.status).toBe(303);
    expect((await users()).find((u: { email: string }) => u.email === 'boss@example.test')).toMatchObject({ role: 'admin' });
    const denied = await signIn(id, 'eve@elsewhere.test');
    expect(denied.callback.status).toBe(403);
    expect(denied.callback.text).toContain('not allowed to sign in here');
    const broken = await userClient({ userCreateExpression: 'claims.missing.deep == 1' });
    const failed = await signIn(broken.id, 'frank@example.test');
    expect(failed.callback.status).toBe(403);
    expect(failed.callback.text).not.toMatch(/missing|stack|Error:/);
    const emails = (await users()).map((u: { email: string }) => u.email);
    expect(emails).not.toContain('eve@elsewhere.test');
    expect(emails).not.toContain('frank@example.test');
  });

  it('records who changed the sign-in rules, naming the fields but never their values', async () => {
    const { id } = await userClient();
    const expression = 'claims.email.endsWith("@audited.test")';
    const res = await submit(admin, `${API}/OAuthClient/records/${id}/edit`, { userCreateExpression: expression, clientSecret: 'a-new-secret-value' });
    expect(res.body.notice).toMatchObject({ type: 'success' });
    expect(t.output.text).toContain(`admin@example.test changed OAuthClient ${id}: clientSecret, userCreateExpression`);
    const log = await admin.get(`${API}/AuditEvent/actions/list`);
    expect(log.body.records[0].params).toMatchObject({ actor: 'admin@example.test', action: 'changed', resource: 'OAuthClient', records: expect.stringMatching(/^SSO sso-/), recordIds: id, fields: 'clientSecret, userCreateExpression' });
    const everything = t.output.text + log.text + JSON.stringify(await t.app.get(DataSource).query('SELECT * FROM audit_event'));
    expect(everything).not.toContain(expression);
    expect(everything).not.toContain('a-new-secret-value');
  });

  it('Test sign-in rules: shows what a first sign-in would get from sample claims, with the stored or an edited expression, saving nothing', async () => {
    const { id } = await userClient({ userCreateExpression: 'claims.hd == "example.com" ? dyn({"role": "admin"}) : dyn(false)' });
    const test = async (data: Record<string, string>) => (await submit(admin, `${API}/OAuthClient/records/${id}/testRules`, data)).body.rules;
    expect(await test({ claims: JSON.stringify({ email: 'Ann@Example.com', name: 'Ann', hd: 'example.com' }) })).toEqual({ ok: true, email: 'ann@example.com', name: 'Ann', role: 'admin' });
    expect(await test({ claims: JSON.stringify({ email: 'bo@other.test', hd: 'other.test' }) })).toMatchObject({ ok: false, message: expect.stringContaining('not allowed'), detail: expect.stringContaining('denied') });
    expect(await test({ claims: JSON.stringify({ email: 'bo@other.test' }), expression: 'claims.missing == 1' })).toMatchObject({ ok: false, detail: expect.stringMatching(/^error: /) });
    expect(await test({ claims: JSON.stringify({ email: 'bo@other.test' }), expression: 'directory.role == "admin"', directory: '{"role": "admin"}' })).toMatchObject({ ok: true, role: 'admin' });
    expect(await test({ claims: '[1, 2]' })).toMatchObject({ ok: false, message: expect.stringContaining('must be a JSON object') });
    expect(await test({ claims: '{}', directory: '{"role": 1}' })).toMatchObject({ ok: false, message: expect.stringContaining('directory entry') });
    const stored = (await admin.get(`${API}/OAuthClient/records/${id}/show`)).body.record.params.userCreateExpression;
    expect(stored).toBe('claims.hd == "example.com" ? dyn({"role": "admin"}) : dyn(false)');
  });

  it('never joins accounts by e-mail: the same address from another issuer is refused', async () => {
    const { id } = await userClient();
    // admin@example.test is the password admin of this app.
    const res = await signIn(id, 'admin@example.test');
    expect(res.callback.status).toBe(403);
    expect(res.callback.text).toContain('never joined by e-mail');
  });

  it('refuses a tampered ID token, a wrong nonce and a wrong audience', async () => {
    const { id, clientId } = await userClient();
    const key = await peer.signingKey();
    const signer = await importJWK(key, 'RS256');
    const forge = async (claims: Record<string, unknown>) =>
      new SignJWT({ email: 'mallory@example.test', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .setIssuer(peer.issuer)
        .setSubject('mallory@example.test')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(signer);
    const cases: [(nonce: string) => Promise<string>, RegExp][] = [
      [async (nonce) => (await forge({ aud: clientId, nonce })).replace(/\.([^.]+)\./, (_m, p: string) => `.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'admin' })).toString('base64url')}.`), /could not be verified/],
      [async () => forge({ aud: clientId, nonce: 'another nonce' }), /nonce mismatch/],
      [async (nonce) => forge({ aud: 'another-client', nonce }), /could not be verified/],
    ];
    for (const [token, message] of cases) {
      const res = await signIn(id, 'mallory@example.test', async (url) => {
        await peer.fault('/token', { status: 200, body: { access_token: 'x', token_type: 'Bearer', expires_in: 60, id_token: await token(url.searchParams.get('nonce')!) } });
      });
      expect(res.callback.status).toBe(403);
      expect(res.callback.text).toMatch(message);
    }
    expect((await users()).map((u: { email: string }) => u.email)).not.toContain('mallory@example.test');
  });

  it('admits only the allowed domains when the client has an allowlist', async () => {
    const { id } = await userClient({ allowedDomains: 'example.test' });
    expect((await signIn(id, 'ivy@example.test')).callback.status).toBe(303);
    const outsider = await signIn(id, 'jack@elsewhere.test');
    expect(outsider.callback.status).toBe(403);
    expect(outsider.callback.text).toContain('organisation is not allowed');
    const bad = await submit(admin, `${API}/OAuthClient/actions/new`, { name: 'x', provider: 'generic', type: 'user', clientId: 'x', clientSecret: 'x', authorizeUrl: `${peer.issuer}/auth`, tokenUrl: `${peer.issuer}/token`, scope: 'openid', userDataSource: 'id_token', usernameAttribute: 'email', allowedDomains: 'common, not a domain', userCreateExpression: 'process.env.HOME == "/root"' });
    expect(bad.body.record.errors.allowedDomains.message).toMatch(/tenant GUIDs or domains/);
    expect(bad.body.record.errors.userCreateExpression.message).toBe('This expression cannot run: Unknown variable: process');
    // A multi-tenant Azure client names its tenants, and reads the ID token.
    const open = await submit(admin, `${API}/OAuthClient/actions/new`, { name: 'x', provider: 'azure', type: 'user', tenantId: 'organizations', clientId: randomUUID(), clientSecret: 'x', userDataSource: 'endpoint' });
    expect(open.body.record.errors.allowedDomains.message).toMatch(/must list the tenant IDs/);
    expect(open.body.record.errors.userDataSource.message).toMatch(/Azure sign-in reads the ID token/);
  });

  it('signs in with the Google preset (only its base URL replaced)', async () => {
    const res = await submit(admin, `${API}/OAuthClient/actions/new`, { name: 'Google staff', provider: 'google', type: 'user', clientId: 'staff.apps.googleusercontent.com', clientSecret: SECRET, userFields: 'name = name' });
    expect(res.body.notice).toMatchObject({ type: 'success' });
    const id = res.body.record.params.id as string;
    await peer.registerClient('staff.apps.googleusercontent.com', SECRET, [`http://127.0.0.1:3000/oauth/callback/${id}`]);
    const { callback, authorizeUrl } = await signIn(id, 'kate@example.test');
    expect(authorizeUrl.pathname).toBe('/o/oauth2/v2/auth');
    expect(authorizeUrl.searchParams.get('scope')).toBe('openid profile email');
    expect(callback.status).toBe(303);
    expect((await users()).find((u: { email: string }) => u.email === 'kate@example.test')).toMatchObject({ ssoIssuer: peer.issuer, name: 'kate' });
  });

  it('reads the person from Endpoint User Data with the access token when User Data Source is Endpoint', async () => {
    const { id } = await userClient({ userDataSource: 'endpoint', userDataEndpoint: `${peer.issuer}/me`, scope: 'openid email profile' });
    const { callback } = await signIn(id, 'hugo@example.test');
    expect(callback.status).toBe(303);
    expect((await users()).find((u: { email: string }) => u.email === 'hugo@example.test')).toMatchObject({ name: 'hugo', ssoIssuer: peer.issuer, ssoSubject: 'hugo@example.test' });
    expect(await peer.requests('/me')).toBeGreaterThan(0);
    const failing = await signIn(id, 'iris@example.test', async () => {
      await peer.fault('/me', { status: 500 });
    });
    expect(failing.callback.status).toBe(403);
    expect(failing.callback.text).toContain('Endpoint User Data did not return the signed-in user');
    // The access token is never sent to a cloud metadata address.
    const metadata = await userClient({ userDataSource: 'endpoint', userDataEndpoint: 'https://169.254.169.254/latest/meta-data', scope: 'openid email profile' });
    const blocked = await signIn(metadata.id, 'ivan@example.test');
    expect(blocked.callback.status).toBe(403);
    expect(blocked.callback.text).toContain('169.254.169.254 is in a network this server never connects to');
  });

  it('refuses a callback that arrives in another browser session', async () => {
    const { id } = await userClient();
    const browser = t.browser();
    const start = await browser.get(`/oauth/sign-in/${id}`);
    const { redirect } = await peer.consent(start.headers.location, 'gina@example.test');
    const back = new URL(redirect!);
    const other = await t.http.get(back.pathname + back.search);
    expect(other.status).toBe(403);
    expect(other.text).toContain('another browser session');
  });

  describe('Related LDAPs', () => {
    const seen: string[] = [];
    const directory = async (fields: Record<string, string> = {}) => {
      const res = await submit(admin, `${API}/LdapDirectory/actions/new`, {
        name: `Directory ${randomUUID().slice(0, 8)}`, url: ldap.url, bindDn: LDAP_READER_DN, bindPassword: BIND_PASSWORD,
        baseDn: `ou=people,${LDAP_SUFFIX}`, attributeMap: 'name = cn\nemail = mail\nrole = title', ...fields,
      });
      seen.push(res.text);
      return res;
    };
    const testConnection = async (id: string) => {
      const res = await submit(admin, `${API}/LdapDirectory/records/${id}/testConnection`, {});
      seen.push(res.text);
      return res.body as { notice: { message: string; type: string }; check: { ok: boolean; stage?: string; code?: string } };
    };

    it('refuses unusable directory settings field by field, and writes nothing', async () => {
      const res = await directory({ name: '', url: 'http://ldap.example.com', baseDn: 'people', searchFilter: '(uid=ada)' });
      expect(res.body.record.errors).toMatchObject({
        name: { message: expect.stringMatching(/Enter a name/) },
        url: { message: expect.stringMatching(/ldaps:\/\//) },
        baseDn: { message: expect.stringMatching(/Enter a DN/) },
        searchFilter: { message: expect.stringMatching(/\{username\}/) },
      });
      const plain = await directory({ url: 'ldap://ldap.example.com' });
      expect(plain.body.record.errors.url.message).toMatch(/unencrypted/);
      const noPassword = await directory({ bindPassword: '' });
      expect(noPassword.body.record.errors.bindPassword.message).toMatch(/password of the Bind DN/);
      const anonymous = await directory({ url: 'ldap://ldap.example.com', bindDn: '', bindPassword: '' });
      expect(anonymous.body.record.errors.url.message).toMatch(/unencrypted/);
      expect(await t.app.get(DataSource).query('SELECT id FROM ldap_directory')).toEqual([]);
    });

    it('Test connection: green with the right account, over LDAP and LDAPS; a clear error for a wrong password, a closed port and an untrusted certificate', async () => {
      const good = await directory();
      expect(good.body.notice).toMatchObject({ type: 'success' });
      expect(good.body.record.params).toMatchObject({ bindPasswordStatus: 'set', attributeMap: 'name = cn\nemail = mail\nrole = title' });
      expect(Object.keys(good.body.record.params).filter((k) => k.startsWith('attributeMap.'))).toEqual([]);
      expect(await testConnection(good.body.record.params.id)).toMatchObject({ notice: { type: 'success', message: expect.stringMatching(/^Connection Successful/) } });
      const tls = await directory({ url: ldap.ldapsUrl });
      expect(await testConnection(tls.body.record.params.id)).toMatchObject({ check: { ok: true } });
      const startTls = await directory({ startTls: 'true' });
      expect(await testConnection(startTls.body.record.params.id)).toMatchObject({ check: { ok: true } });

      const wrong = await directory({ bindPassword: 'not-the-password' });
      expect(await testConnection(wrong.body.record.params.id)).toMatchObject({
        notice: { type: 'error', message: expect.stringMatching(/refused Bind DN and Bind Password/) },
        check: { ok: false, stage: 'bind', code: 'LDAP_BIND_FAILED' },
      });
      const metadata = await directory({ url: 'ldaps://169.254.169.254' });
      expect(await testConnection(metadata.body.record.params.id)).toMatchObject({ notice: { message: expect.stringMatching(/never connects to/) }, check: { code: 'EGRESS_BLOCKED' } });
      const closed = await directory({ url: `ldap://127.0.0.1:${await freePort()}` });
      expect(await testConnection(closed.body.record.params.id)).toMatchObject({ notice: { message: expect.stringMatching(/refused the connection/) }, check: { code: 'LDAP_CONNECT_FAILED' } });
      const stranger = await LdapPeer.start([]);
      try {
        for (const fields of [{ url: stranger.ldapsUrl }, { url: stranger.url, startTls: 'true' }] as Record<string, string>[]) {
          const untrusted = await directory(fields);
          expect(await testConnection(untrusted.body.record.params.id)).toMatchObject({ notice: { message: expect.stringMatching(/self-signed/) }, check: { code: 'LDAP_TLS_FAILED' } });
        }
      } finally {
        stranger.stop();
      }
      // The stored password is never sent to another server without being typed again.
      const moved = await submit(admin, `${API}/LdapDirectory/records/${good.body.record.params.id}/edit`, { url: ldap.ldapsUrl });
      expect(moved.body.record.errors.bindPassword.message).toMatch(/Enter the bind password again/);
      const [row] = await t.app.get(DataSource).query(`SELECT "bindPasswordEncrypted", "lastTestStatus", "lastTestMessage" FROM ldap_directory WHERE id = '${wrong.body.record.params.id}'`);
      expect(row).toMatchObject({ lastTestStatus: 'failed', lastTestMessage: expect.stringMatching(/invalid credentials/) });
      expect(row.bindPasswordEncrypted).toMatch(/^v1\./);
      // The dashboard lists the directories that failed their last test.
      const dashboard = await admin.get('/admin/api/dashboard');
      expect(dashboard.body.directories.failing.map((d: { name: string }) => d.name)).toContain(wrong.body.record.params.name);
    });

    it('links a signing-in person to their directory entry and enriches the user; refuses people not in it and unknown directory names', async () => {
      const dir = await directory();
      const name = dir.body.record.params.name as string;
      const unknown = await submit(admin, `${API}/OAuthClient/actions/new`, { name: 'x', provider: 'generic', type: 'user', clientId: 'x', clientSecret: 'x', authorizeUrl: `${peer.issuer}/auth`, tokenUrl: `${peer.issuer}/token`, scope: 'openid', userDataSource: 'id_token', usernameAttribute: 'email', relatedLdaps: `${name}, Nowhere` });
      expect(unknown.body.record.errors.relatedLdaps.message).toMatch(/No LDAP directory is named "Nowhere"/);

      const { id } = await userClient({ relatedLdaps: name, userCreateExpression: 'directory.role == "admin" || claims.email == "bob@example.test"' });
      // A directory that a client names keeps its name and stays.
      const renamed = await submit(admin, `${API}/LdapDirectory/records/${dir.body.record.params.id}/edit`, { name: 'Renamed' });
      expect(renamed.body.record.errors.name.message).toMatch(/name this directory in Related LDAPs, so it cannot be renamed/);
      const deleted = await submit(admin, `${API}/LdapDirectory/records/${dir.body.record.params.id}/delete`, {});
      expect(deleted.body.notice).toMatchObject({ type: 'error', message: expect.stringMatching(/cannot be deleted/) });
      expect(await t.app.get(DataSource).query(`SELECT name FROM ldap_directory WHERE id = '${dir.body.record.params.id}'`)).toEqual([{ name }]);
      // Lists and mappings read back as the form writes them.
      expect((await admin.get(`${API}/OAuthClient/records/${id}/show`)).body.record.params).toMatchObject({ relatedLdaps: name, userFields: 'email = email\nname = name' });
      expect((await signIn(id, 'ada@example.test')).callback.status).toBe(303);
      const [ada] = await t.app.get(DataSource).query(`SELECT role, name, "ldapDirectory", "ldapDn" FROM admin_user WHERE email = 'ada@example.test'`);
      expect(ada).toEqual({ role: 'admin', name: 'Ada Lovelace', ldapDirectory: name, ldapDn: `uid=ada,ou=people,${LDAP_SUFFIX}` });
      const bob = await signIn(id, 'bob@example.test');
      expect(bob.callback.status).toBe(303);
      expect((await users()).find((u: { email: string }) => u.email === 'bob@example.test')).toMatchObject({ role: 'viewer', name: 'Bob Viewer' });
      // A viewer may look at directories but not test (or change) them, nor read the audit log.
      const audit = await bob.browser.get(`${API}/AuditEvent/actions/list`);
      expect(audit.body).toMatchObject({ records: [], notice: { type: 'error' } });
      expect((await bob.browser.get(`${API}/LdapDirectory/records/${dir.body.record.params.id}/show`)).status).toBe(200);
      const tested = await submit(bob.browser, `${API}/LdapDirectory/records/${dir.body.record.params.id}/testConnection`, {});
      expect(tested.body.notice?.type).toBe('error');
      expect((await t.app.get(DataSource).query(`SELECT "lastTestAt" FROM ldap_directory WHERE id = '${dir.body.record.params.id}'`))[0].lastTestAt).toBeNull();

      const stranger = await signIn(id, 'carol@example.test');
      expect(stranger.callback.status).toBe(403);
      expect(stranger.callback.text).toContain('not in the organisation');
      expect((await users()).map((u: { email: string }) => u.email)).not.toContain('carol@example.test');
    });

    it('hands every value of a multi-valued attribute (groups) to User Create Expression as a list', async () => {
      const dir = await directory({ attributeMap: 'name = cn\ngroups = businessCategory[]' });
      const { id } = await userClient({ relatedLdaps: dir.body.record.params.name as string, userCreateExpression: '"mail-admins" in directory.groups ? dyn({"role": "admin"}) : dyn(true)' });
      expect((await signIn(id, 'cleo@example.test')).callback.status).toBe(303);
      expect((await signIn(id, 'dan@example.test')).callback.status).toBe(303);
      const byEmail = Object.fromEntries((await users()).map((u: { email: string; role: string; name: string }) => [u.email, u]));
      expect(byEmail['cleo@example.test']).toMatchObject({ role: 'admin', name: 'Cleo Admin' });
      expect(byEmail['dan@example.test']).toMatchObject({ role: 'viewer', name: 'Dan Plain' });
    });

    it('a directory that refuses the bind password gives a clear sign-in error, and no secret leaks anywhere', async () => {
      const dir = await directory();
      const { id } = await userClient({ relatedLdaps: dir.body.record.params.name as string });
      const edited = await submit(admin, `${API}/LdapDirectory/records/${dir.body.record.params.id}/edit`, { bindPassword: 'not-the-password' });
      expect(edited.body.notice).toMatchObject({ type: 'success' });
      const refused = await signIn(id, 'ada@example.test');
      expect(refused.callback.status).toBe(403);
      // The person gets a clear but plain message; the directory's details are for admins (log, Test connection).
      expect(refused.callback.text).toContain('directory could not be asked');
      expect(refused.callback.text).toContain('Test connection');
      expect(refused.callback.text).not.toMatch(/Bind DN|127\.0\.0\.1/);
      expect(t.output.text).toMatch(/directory lookup failed \(LDAP_BIND_FAILED: .*refused Bind DN and Bind Password/);
      seen.push(refused.callback.text, (await admin.get(`${API}/LdapDirectory/records/${dir.body.record.params.id}/show`)).text);
      const rows = await t.app.get(DataSource).query('SELECT * FROM ldap_directory');
      expect(seen.join('\n') + t.output.text + JSON.stringify(rows)).not.toContain(BIND_PASSWORD);
    });
  });
});
