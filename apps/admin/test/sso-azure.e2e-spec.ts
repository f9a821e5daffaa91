import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { ConnectProxy } from '../../../test/support/connect-proxy.js';
import { OidcPeer } from '../../../test/support/oidc-peer.js';
import { startTestApp, submit, type TestApp } from '../../../test/support/test-app.js';

const API = '/admin/api/resources';
const SECRET = `CANARY-CS-${randomUUID()}`;
// The tenant the test authorization server puts in tid (Entra ID's directory id).
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

describe('Sign-in with the Azure preset (passport-azure-ad, https metadata on loopback)', () => {
  let peer: OidcPeer;
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['login']>>;

  async function azureClient(fields: Record<string, string> = {}) {
    const clientId = randomUUID();
    const res = await submit(admin, `${API}/OAuthClient/actions/new`, {
      name: `Entra ${clientId.slice(0, 8)}`, provider: 'azure', type: 'user', tenantId: TENANT, clientId, clientSecret: SECRET,
      userFields: 'name = name', ...fields,
    });
    expect(res.body.notice).toMatchObject({ type: 'success' });
    const id = res.body.record.params.id as string;
    // Entra ID takes the secret in the token request's body.
    await peer.registerClient(clientId, SECRET, [`http://127.0.0.1:3000/oauth/callback/${id}`], 'client_secret_post');
    return { id, clientId };
  }

  async function signIn(id: string, login: string) {
    const browser = t.browser();
    const start = await browser.get(`/oauth/sign-in/${id}`);
    expect(start.status).toBe(303);
    const authorizeUrl = new URL(start.headers.location);
    const { redirect } = await peer.consent(authorizeUrl.toString(), login);
    const back = new URL(redirect!);
    return { browser, authorizeUrl, callback: await browser.get(back.pathname + back.search) };
  }

  /** A sign-in whose token response carries an ID token signed with the AS's real key, with the claims `forge` gives for the request's nonce. */
  async function signInWithForgedIdToken(id: string, login: string, forge: (nonce: string) => Record<string, unknown>) {
    const session = t.browser();
    const begun = await session.get(`/oauth/sign-in/${id}`);
    const key = await peer.signingKey();
    const idToken = await new SignJWT({ tid: TENANT, oid: randomUUID(), preferred_username: login, ...forge(new URL(begun.headers.location).searchParams.get('nonce')!) })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .setSubject(login)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importJWK(key, 'RS256'));
    await peer.fault('/token', { status: 200, body: { access_token: 'x', token_type: 'Bearer', expires_in: 60, id_token: idToken } });
    const answer = await peer.consent(begun.headers.location, login);
    const url = new URL(answer.redirect!);
    return session.get(url.pathname + url.search);
  }

  const userRow = async (email: string) =>
    (await t.app.get(DataSource).query('SELECT email, role, name, "ssoIssuer", "ssoSubject" FROM admin_user')).find((u: { email: string }) => u.email === email);

  beforeAll(async () => {
    peer = await OidcPeer.start({ tls: true });
    t = await startTestApp({}, undefined, { providerBaseUrls: { azure: peer.issuer } });
    admin = await t.login();
  });
  afterAll(async () => {
    await t?.close();
    await peer?.stop();
  });

  it('signs a person in through the tenant metadata: state, nonce and PKCE on the request, user keyed on tid:oid; a second sign-in finds the same user', async () => {
    const { id } = await azureClient({ allowedDomains: TENANT });
    const { callback, authorizeUrl, browser } = await signIn(id, 'megan@contoso.test');
    expect(authorizeUrl.origin).toBe(peer.issuer);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('nonce')).toBeTruthy();
    expect(authorizeUrl.searchParams.get('state')).toBeTruthy();
    expect(callback.status).toBe(303);
    expect(callback.headers.location).toBe('/admin');
    expect((await browser.get(`${API}/Mailbox/actions/list`)).status).toBe(200);
    const megan = await userRow('megan@contoso.test');
    expect(megan).toMatchObject({ role: 'viewer', name: 'megan', ssoIssuer: peer.issuer });
    expect(megan.ssoSubject).toMatch(new RegExp(`^${TENANT}:[0-9a-f-]{36}$`));
    expect((await signIn(id, 'megan@contoso.test')).callback.status).toBe(303);
    expect((await t.app.get(DataSource).query('SELECT id FROM admin_user WHERE "ssoSubject" = \'' + megan.ssoSubject + '\'')).length).toBe(1);
  });

  it('signs in through a multi-tenant client (organizations): the ID token must name its own tenant as issuer', async () => {
    const { id, clientId } = await azureClient({ tenantId: 'organizations', allowedDomains: TENANT });
    const { callback } = await signIn(id, 'rosa@contoso.test');
    expect(callback.status).toBe(303);
    const rosa = await userRow('rosa@contoso.test');
    expect(rosa.ssoIssuer).toBe(`${peer.issuer}/${TENANT}/v2.0`);
    expect(rosa.ssoSubject).toMatch(new RegExp(`^${TENANT}:`));

    // Signed by the real key, but its iss names another tenant than its tid.
    const forged = await signInWithForgedIdToken(id, 'sam@contoso.test', (nonce) => ({ iss: `${peer.issuer}/${randomUUID()}/v2.0`, aud: clientId, nonce }));
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('names another issuer than its tenant');
    expect(await userRow('sam@contoso.test')).toBeUndefined();
  });

  it('goes through the client\'s proxy for metadata, keys and the code (HTTP CONNECT)', async () => {
    const proxy = await ConnectProxy.start();
    try {
      // A tenant of its own: passport-azure-ad caches metadata per URL.
      const { id } = await azureClient({ tenantId: randomUUID(), proxy: proxy.address });
      expect((await signIn(id, 'tara@contoso.test')).callback.status).toBe(303);
      expect(proxy.tunnels.length).toBeGreaterThanOrEqual(2);
      expect(new Set(proxy.tunnels)).toEqual(new Set([new URL(peer.issuer).host]));
    } finally {
      await proxy.stop();
    }
  });

  it('explains a tenant whose metadata cannot be loaded', async () => {
    // passport-azure-ad caches metadata per URL for 30 minutes: a tenant of its own is fetched afresh.
    const { id } = await azureClient({ tenantId: randomUUID() });
    await peer.fault('/.well-known/openid-configuration', { status: 500 });
    const res = await t.http.get(`/oauth/sign-in/${id}`);
    expect(res.status).toBe(502);
    expect(res.text).toContain('metadata could not be loaded. Check Tenant ID');
  });

  it('refuses a tenant outside the allowlist', async () => {
    const { id } = await azureClient({ allowedDomains: randomUUID() });
    const res = await signIn(id, 'nestor@contoso.test');
    expect(res.callback.status).toBe(403);
    expect(res.callback.text).toContain('organisation is not allowed');
    expect(await userRow('nestor@contoso.test')).toBeUndefined();
  });

  it('refuses a refused client secret with a clear message, a code from another sign-in, and a forged nonce or audience; nothing leaks', async () => {
    const { id, clientId } = await azureClient();
    await peer.registerClient(clientId, 'another-secret', [`http://127.0.0.1:3000/oauth/callback/${id}`], 'client_secret_post');
    const refused = await signIn(id, 'olive@contoso.test');
    expect(refused.callback.status).toBe(403);
    expect(refused.callback.text).toMatch(/refused the sign-in code: check the Client Secret/);

    const other = await azureClient();
    const browser = t.browser();
    const start = await browser.get(`/oauth/sign-in/${other.id}`);
    const foreign = await t.browser().get(`/oauth/sign-in/${other.id}`);
    const { redirect } = await peer.consent(foreign.headers.location, 'paul@contoso.test');
    // Another sign-in's code injected into this one: PKCE makes it worthless.
    const back = new URL(redirect!);
    back.searchParams.set('state', new URL(start.headers.location).searchParams.get('state')!);
    const injected = await browser.get(back.pathname + back.search);
    expect(injected.status).toBe(403);
    expect(await userRow('paul@contoso.test')).toBeUndefined();

    for (const claims of [{ aud: other.clientId, nonce: 'not-this-request' }, { aud: randomUUID() }]) {
      const forged = await signInWithForgedIdToken(other.id, 'quinn@contoso.test', (nonce) => ({ iss: peer.issuer, nonce, ...claims }));
      expect(forged.status).toBe(403);
      expect(forged.text).toContain('could not be verified');
    }
    expect(await userRow('quinn@contoso.test')).toBeUndefined();
    // Refused for the forged part itself, as passport-azure-ad reports through the app's logger.
    expect(t.output.text).toMatch(/invalid nonce/);
    expect(t.output.text).toMatch(/jwt audience is invalid/);
    expect(t.output.text + refused.callback.text + injected.text).not.toContain(SECRET);
    // passport-azure-ad's bunyan records go through the app's logger, never as raw JSON lines.
    expect(t.output.text).toContain('passport-azure-ad');
    expect(t.output.text).not.toMatch(/^\{"name":/m);
  });
});
