import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AdminUser } from '../src/auth/admin-user.entity.js';
import { hashPassword } from '../src/auth/password-hash.js';
import { OidcPeer } from '../../../test/support/oidc-peer.js';
import { startTestApp, submit, type TestApp } from '../../../test/support/test-app.js';

const API = '/admin/api/resources/OAuthClient';
const SECRET = `CANARY-CS-${randomUUID()}`;
/** The text of an HTML answer, entities decoded. */
const textOf = (html: string) => html.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

describe('Validate and Copy URL against a real authorization server', () => {
  let peer: OidcPeer;
  let t: TestApp;
  let agent: Awaited<ReturnType<TestApp['login']>>;
  const seen: string[] = [];

  /** Creates a client in the admin and registers it at the authorization server under its Redirect URI. */
  async function client(fields: Record<string, string> = {}) {
    const clientId = `app-${randomUUID().slice(0, 8)}`;
    const res = await submit(agent, `${API}/actions/new`, {
      name: `Generic ${clientId}`,
      provider: 'generic',
      type: 'mailbox',
      clientId,
      clientSecret: SECRET,
      authorizeUrl: `${peer.issuer}/auth`,
      tokenUrl: `${peer.issuer}/token`,
      scope: 'openid email offline_access mail',
      ...fields,
    });
    expect(res.body.notice?.type).toBe('success');
    const id = res.body.record.params.id as string;
    const show = await agent.get(`${API}/records/${id}/show`);
    await peer.registerClient(fields.clientId ?? clientId, SECRET, [show.body.record.params.redirectUri]);
    return { id, clientId: fields.clientId ?? clientId };
  }

  async function authorizeUrl(id: string, action = 'validate', as = agent) {
    const res = await submit(as, `${API}/records/${id}/${action}`, {});
    seen.push(res.text);
    expect(res.body.authorizeUrl).toBeDefined();
    return res.body.authorizeUrl as string;
  }

  const row = async (id: string) => (await t.app.get(DataSource).query(`SELECT * FROM oauth_client WHERE id = '${id}'`))[0];

  beforeAll(async () => {
    peer = await OidcPeer.start();
    t = await startTestApp();
    agent = await t.login();
  });
  afterAll(async () => {
    await t?.close();
    await peer?.stop();
  });

  it('Validate: builds the request (state, PKCE S256), comes back to the client page and stores the tokens encrypted', async () => {
    const { id } = await client();
    const url = new URL(await authorizeUrl(id));
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')!.length).toBeGreaterThanOrEqual(43);
    expect(url.searchParams.get('redirect_uri')).toBe(`http://127.0.0.1:3000/oauth/callback/${id}`);
    expect(url.searchParams.get('scope')).toBe('openid email offline_access mail');

    const { redirect } = await peer.consent(url.toString(), 'alice@example.test');
    expect(new URL(redirect!).searchParams.get('iss')).toBe(peer.issuer);
    const back = await agent.get(pathOf(redirect!));
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe(`/admin/resources/OAuthClient/records/${id}/show?validation=ok`);
    expect(back.headers['referrer-policy']).toBe('no-referrer');

    const stored = await row(id);
    expect(stored).toMatchObject({ validationStatus: 'valid', validatedIdentity: 'alice@example.test', lastError: null });
    expect(stored.accessTokenEncrypted).toMatch(/^v1\.ktest1\./);
    expect(stored.originalAccessTokenEncrypted).toMatch(/^v1\.ktest1\./);
    const list = await agent.get(`${API}/actions/list?perPage=50`);
    seen.push(list.text);
    expect(list.body.records.find((r: any) => r.params.id === id).params).toMatchObject({ validationStatus: 'valid', validatedIdentity: 'alice@example.test' });
  });

  it('Copy URL: the flow completes in a private window without a session; the admin sees the new status on reload', async () => {
    const { id } = await client();
    const url = await authorizeUrl(id, 'copyUrl');
    const { redirect } = await peer.consent(url, 'bob@example.test');
    const privateWindow = await t.http.get(pathOf(redirect!));
    expect(privateWindow.status).toBe(200);
    expect(privateWindow.text).toContain('Client validated as bob@example.test');
    expect(privateWindow.headers['content-security-policy']).toContain("default-src 'none'");
    const show = await agent.get(`${API}/records/${id}/show`);
    expect(show.body.record.params).toMatchObject({ validationStatus: 'valid', validatedIdentity: 'bob@example.test', accessTokenStatus: 'stored' });
  });

  it('refuses a replayed callback: one code, one token request', async () => {
    const { id } = await client();
    const { redirect } = await peer.consent(await authorizeUrl(id), 'alice@example.test');
    const before = await peer.requests('/token');
    expect((await t.http.get(pathOf(redirect!))).status).toBe(200);
    const again = await t.http.get(pathOf(redirect!));
    expect(again.status).toBe(400);
    expect(again.text).toContain('already used');
    expect((await peer.requests('/token')) - before).toBe(1);
  });

  it('refuses callbacks without state, with an unknown or duplicated state, for another client, or too old', async () => {
    const { id } = await client();
    const other = await client();
    const url = await authorizeUrl(id);
    const state = new URL(url).searchParams.get('state')!;
    const cases: [string, RegExp][] = [
      [`/oauth/callback/${id}?code=abc`, /no state/],
      [`/oauth/callback/${id}?code=abc&state=${'x'.repeat(43)}`, /does not match a pending request/],
      [`/oauth/callback/${id}?code=abc&state=${state}&state=${state}`, /repeats "state"/],
      [`/oauth/callback/${other.id}?code=abc&state=${state}`, /does not match a pending request/],
      [`/oauth/callback/not-a-client?code=abc&state=${state}`, /does not belong to an OAuth client/],
    ];
    const tokenCalls = await peer.requests('/token');
    for (const [path, message] of cases) {
      const res = await t.http.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(textOf(res.text)).toMatch(message);
    }
    // The real transaction survived the forgeries; now make it too old.
    await t.app.get(DataSource).query(`UPDATE oauth_transaction SET "expiresAt" = '2020-01-01 00:00:00' WHERE "clientId" = '${id}'`);
    const { redirect } = await peer.consent(url, 'alice@example.test');
    const late = await t.http.get(pathOf(redirect!));
    expect(late.status).toBe(400);
    expect(late.text).toContain('has expired');
    expect(await peer.requests('/token')).toBe(tokenCalls);
    expect((await row(id)).validationStatus).toBe('not_validated');
  });

  it("refuses a callback arriving in another admin's session, and the initiating admin's link still works", async () => {
    const { id } = await client();
    const ds = t.app.get(DataSource);
    await ds.getRepository(AdminUser).save(ds.getRepository(AdminUser).create({ email: 'other@example.test', passwordHash: await hashPassword('other admin password') }));
    const otherAdmin = t.browser();
    await otherAdmin.post('/admin/login').type('form').send({ email: 'other@example.test', password: 'other admin password' });
    const { redirect } = await peer.consent(await authorizeUrl(id), 'alice@example.test');
    const refused = await otherAdmin.get(pathOf(redirect!));
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('started by another admin');
    const mine = await agent.get(pathOf(redirect!));
    expect(mine.status).toBe(303);
    expect((await row(id)).validationStatus).toBe('valid');
  });

  it('shows a refused consent as a clear message, escaped and cut short, and keeps the status', async () => {
    const { id } = await client();
    const state = new URL(await authorizeUrl(id)).searchParams.get('state')!;
    const description = `<script>alert(1)</script>${'x'.repeat(10_000)}`;
    const res = await t.http.get(`/oauth/callback/${id}`).query({ error: 'access_denied', error_description: description, state, iss: peer.issuer });
    expect(res.status).toBe(400);
    expect(res.text).toContain('consent was refused');
    expect(res.text).not.toContain('<script>alert');
    expect(res.text).toContain('&lt;script&gt;');
    expect(res.text.length).toBeLessThan(3000);
    expect((await row(id)).validationStatus).toBe('not_validated');
    // The transaction is used up.
    expect((await t.http.get(`/oauth/callback/${id}`).query({ code: 'abc', state })).text).toContain('already used');
  });

  it('refuses an answer from another issuer (mix-up), without calling the token endpoint', async () => {
    const { id } = await client();
    const { redirect } = await peer.consent(await authorizeUrl(id), 'alice@example.test');
    const forged = new URL(redirect!);
    forged.searchParams.set('iss', 'https://evil.example.com');
    const before = await peer.requests('/token');
    const res = await t.http.get(pathOf(forged.toString()));
    expect(res.status).toBe(400);
    expect(res.text).toContain('another issuer');
    expect(await peer.requests('/token')).toBe(before);
    expect((await row(id)).accessTokenEncrypted).toBeNull();
  });

  it('refuses an answer without iss from a server whose metadata promises one (RFC 9207), and a same-origin iss that is not the issuer', async () => {
    for (const change of [(u: URL) => u.searchParams.delete('iss'), (u: URL) => u.searchParams.set('iss', `${peer.issuer}/other`)]) {
      const { id } = await client();
      const { redirect } = await peer.consent(await authorizeUrl(id), 'alice@example.test');
      const forged = new URL(redirect!);
      change(forged);
      const before = await peer.requests('/token');
      const res = await t.http.get(pathOf(forged.toString()));
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/names itself in every answer|another issuer/);
      expect(await peer.requests('/token')).toBe(before);
    }
  });

  it('never sends the code and secret to a token endpoint in a blocked network (cloud metadata)', async () => {
    const { id } = await client({ tokenUrl: 'https://169.254.169.254/token' });
    const { redirect } = await peer.consent(await authorizeUrl(id), 'alice@example.test');
    const res = await t.http.get(pathOf(redirect!));
    expect(res.status).toBe(400);
    expect(res.text).toContain('The token endpoint was not called: 169.254.169.254 is in a network this server never connects to');
    expect((await row(id)).accessTokenEncrypted).toBeNull();
  });

  it('explains token endpoint failures: provider down, wrong secret, Microsoft AADSTS codes', async () => {
    const cases: [object, RegExp][] = [
      [{ status: 500 }, /temporarily unavailable \(HTTP 500\)/],
      [{ status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } }, /Check the Client ID and Client Secret/],
      [{ status: 401, body: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' } }, /secret's Value \(shown once at creation\), not its Secret ID/],
      [{ status: 400, body: { error: 'invalid_grant', error_description: 'AADSTS50011: The redirect URI does not match.' } }, /Redirect Uri shown on this client/],
      [{ status: 200, body: ['not', 'a', 'token'] }, /invalid token response/],
    ];
    for (const [fault, message] of cases) {
      const { id } = await client();
      const { redirect } = await peer.consent(await authorizeUrl(id), 'alice@example.test');
      await peer.fault('/token', fault);
      const res = await t.http.get(pathOf(redirect!));
      expect(res.status).toBe(400);
      expect(textOf(res.text)).toMatch(message);
      const stored = await row(id);
      expect(stored.accessTokenEncrypted).toBeNull();
      expect(stored.lastError).toMatch(message);
    }
  });

  it('sends Azure and Google requests with their preset endpoints and parameters', async () => {
    const azureClient = randomUUID();
    const azure = await submit(agent, `${API}/actions/new`, { name: 'Azure', provider: 'azure', type: 'mailbox', tenantId: 'organizations', clientId: azureClient, clientSecret: SECRET });
    const azureUrl = new URL(await authorizeUrl(azure.body.record.params.id));
    expect(azureUrl.origin + azureUrl.pathname).toBe('https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize');
    expect(azureUrl.searchParams.get('prompt')).toBe('select_account');
    expect(azureUrl.searchParams.get('scope')).toContain('https://outlook.office.com/IMAP.AccessAsUser.All');
    const google = await submit(agent, `${API}/actions/new`, { name: 'Google', provider: 'google', type: 'mailbox', clientId: 'g.apps.googleusercontent.com', clientSecret: SECRET });
    const googleUrl = new URL(await authorizeUrl(google.body.record.params.id));
    expect(googleUrl.origin + googleUrl.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(googleUrl.searchParams.get('access_type')).toBe('offline');
    expect(googleUrl.searchParams.get('prompt')).toBe('consent');
  });

  it('does not validate a disabled client, and answers other methods on the callback with 405', async () => {
    const { id } = await client({ status: 'disabled' });
    const res = await submit(agent, `${API}/records/${id}/validate`, {});
    expect(res.body.authorizeUrl).toBeUndefined();
    expect(res.body.notice).toEqual({ type: 'error', message: expect.stringMatching(/disabled/) });
    expect((await t.http.post(`/oauth/callback/${id}`).send({ code: 'x' })).status).toBe(405);
  });

  it('leaks no secret, code verifier or token in any response or log line', async () => {
    const rows = await t.app.get(DataSource).query('SELECT id FROM oauth_client');
    for (const r of rows) seen.push((await agent.get(`${API}/records/${r.id}/show`)).text);
    const everything = seen.join('\n') + t.output.text;
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toMatch(/"(access_token|refresh_token|accessToken|refreshToken|code_verifier)"\s*:/);
    const dump = JSON.stringify(await t.app.get(DataSource).query('SELECT * FROM oauth_client')) + JSON.stringify(await t.app.get(DataSource).query('SELECT * FROM oauth_transaction'));
    expect(dump).not.toContain(SECRET);
  });
});
