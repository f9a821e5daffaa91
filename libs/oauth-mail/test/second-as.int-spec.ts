import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  MailboxService,
  MailboxSettingsService,
  OAuthClient,
  OAuthClientService,
  OAuthSignInService,
  OAuthValidationService,
  SecretVault,
  TokenService,
  type OAuthMailModuleOptions,
  type TokenSet,
} from '@app/oauth-mail';
import { ExampleHostModule } from '../../../src/example-host.module.js';
import { DovecotPeer, ensureDovecot } from '../../../test/support/dovecot-peer.js';
import { GlewlwydPeer } from '../../../test/support/glewlwyd-peer.js';
import { RelaySink } from '../../../test/support/relay-sink.js';
import { createTestDatabase, libraryDataSourceOptions, type TestDatabase } from '../../../test/support/test-database.js';

// The library against a second, independently written authorization server: Glewlwyd 2.7
// (test/peers/README.md has what it does differently from oidc-provider). Tests that hit a known
// defect of issue #19 name it; each failed before its fix.

const KEY = 'gl:' + Buffer.alloc(32, 23).toString('base64');
const BASE = 'https://mail-admin.example.com';
const SECRET = 'glewlwyd-client-secret';
/** Plain OAuth 2.0 (no openid); the openid cases have tests of their own. */
const MAIL_SCOPE = 'email offline_access mail';

const decode = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;

describe('the library against Glewlwyd (second authorization server)', () => {
  let peer: GlewlwydPeer;
  let db: TestDatabase;
  let app: INestApplicationContext;
  const apps: INestApplicationContext[] = [];

  async function boot(extra: Partial<OAuthMailModuleOptions> = {}) {
    const moduleRef = await Test.createTestingModule({
      imports: [ExampleHostModule.forRoot(libraryDataSourceOptions(db), { encryptionKey: KEY, publicBaseUrl: BASE, httpTimeoutMs: 3000, ...extra })],
    }).compile();
    const ctx = await moduleRef.init();
    apps.push(ctx);
    return ctx;
  }

  /** Creates a Generic Mailbox client at `at` and starts Validate: the authorization URL and the client's ids. */
  async function startValidate(on: INestApplicationContext, at: GlewlwydPeer, scope: string) {
    const clientId = `gl-${randomUUID().slice(0, 8)}`;
    const created = await on.get(OAuthClientService).create({
      name: clientId, provider: 'generic', type: 'mailbox', clientId, clientSecret: SECRET,
      authorizeUrl: `${at.issuer}/auth`, tokenUrl: `${at.issuer}/token`, scope,
    });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const id = created.value.id;
    await at.registerClient(clientId, SECRET, [on.get(OAuthClientService).redirectUri(id)]);
    const started = await on.get(OAuthValidationService).start(id, null);
    if (!started.ok) throw new Error(started.message);
    return { id, clientId, authorizeUrl: started.authorizeUrl };
  }

  async function validatedClient(on = app, at = peer, scope = MAIL_SCOPE, login = 'alice@example.test') {
    const { id, clientId, authorizeUrl } = await startValidate(on, at, scope);
    const { redirect } = await at.consent(authorizeUrl, login);
    if (!redirect) throw new Error('Glewlwyd did not redirect back');
    const outcome = await on.get(OAuthValidationService).complete(id, Object.fromEntries(new URL(redirect).searchParams), null);
    if (!outcome.ok) throw new Error(outcome.message);
    return { id, clientId };
  }

  const stored = async (id: string, on = app) => {
    const row = await on.get(DataSource).getRepository(OAuthClient).findOneByOrFail({ id });
    return { row, tokens: JSON.parse(on.get(SecretVault).open(OAuthClient, row, 'accessTokenEncrypted')!) as TokenSet };
  };

  const refreshDirect = (clientId: string, refreshToken: string) =>
    fetch(`${peer.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    });

  beforeAll(async () => {
    const started = Date.now();
    peer = await GlewlwydPeer.start();
    // Startup budget of the issue: about 3 s (measured: about 0.3 s once installed).
    expect(Date.now() - started).toBeLessThan(5000);
    db = await createTestDatabase();
    app = await boot();
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await db?.drop();
    await peer?.stop();
  });

  it('publishes OpenID Connect discovery under its issuer, which has a path, and none at the RFC 8414 location', async () => {
    expect(new URL(peer.issuer).pathname).toBe('/api/oidc');
    const meta = (await (await fetch(`${peer.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: peer.issuer,
      authorization_endpoint: `${peer.issuer}/auth`,
      token_endpoint: `${peer.issuer}/token`,
      userinfo_endpoint: `${peer.issuer}/userinfo`,
      jwks_uri: `${peer.issuer}/jwks`,
      introspection_endpoint: `${peer.issuer}/introspect`,
      code_challenge_methods_supported: ['S256'],
    });
    // Unlike oidc-provider, no authorization_response_iss_parameter_supported, even with iss turned on.
    expect(meta.authorization_response_iss_parameter_supported).toBeUndefined();
    // RFC 8414 §3.1 (well-known segment between host and path) and the host root: both 404.
    expect((await fetch(`${peer.origin}/.well-known/oauth-authorization-server/api/oidc`)).status).toBe(404);
    expect((await fetch(`${peer.origin}/.well-known/openid-configuration`)).status).toBe(404);
  });

  it('validates a Generic Mailbox client (state, PKCE S256), stores JWT tokens, and refreshes with rotation', async () => {
    const { id, clientId } = await validatedClient();
    const first = await stored(id);
    expect(first.row.validationStatus).toBe('valid');
    // Glewlwyd's access tokens are RS256 JWTs (typ at+jwt) of about 800 characters; refresh tokens are opaque.
    expect(first.tokens.accessToken.split('.')).toHaveLength(3);
    expect(decode(first.tokens.accessToken)).toMatchObject({ iss: peer.issuer, client_id: clientId, scope: MAIL_SCOPE, type: 'access_token' });
    expect(first.tokens.accessToken.length).toBeGreaterThan(700);
    expect(first.tokens.refreshToken).toMatch(/^[A-Za-z0-9]{100,}$/);

    const token = await app.get(TokenService).getAccessToken(id, { forceRefresh: true });
    const second = await stored(id);
    expect(token).not.toBe(first.tokens.accessToken);
    expect(second.tokens.accessToken).toBe(token);
    // One-time refresh tokens: a new one at every refresh, kept by the library.
    expect(second.tokens.refreshToken).not.toBe(first.tokens.refreshToken);
    expect(second.row.validationStatus).toBe('valid');
    // The old one is dead now: reusing it gets HTTP 400 with an empty body and kills the chain.
    const reuse = await refreshDirect(clientId, first.tokens.refreshToken!);
    expect({ status: reuse.status, type: reuse.headers.get('content-type'), body: await reuse.text() }).toEqual({ status: 400, type: null, body: '' });
  });

  it('answers RFC 7662 introspection as active only to the client the token was issued to', async () => {
    const { id, clientId } = await validatedClient();
    const { tokens } = await stored(id);
    const introspect = (who: string, secret: string) =>
      fetch(`${peer.issuer}/introspect`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${who}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: tokens.accessToken }),
      });
    const own = await introspect(clientId, SECRET);
    expect(own.status).toBe(200);
    // `sub` is an opaque identifier; the login is in `username` (oidc-provider: sub = the login, plus email).
    expect(await own.json()).toMatchObject({ active: true, username: 'alice@example.test', client_id: clientId, scope: MAIL_SCOPE, sub: expect.not.stringContaining('@') });
    const other = await validatedClient();
    const foreign = await introspect(other.clientId, SECRET);
    expect({ status: foreign.status, body: await foreign.json() }).toEqual({ status: 200, body: { active: false } });
    expect((await introspect(clientId, 'wrong-secret')).status).toBe(401);
  });

  it('validates an openid client: the request carries a nonce, and the ID token echoes it', async () => {
    const { id, authorizeUrl } = await startValidate(app, peer, 'openid email offline_access mail');
    const withNonce = new URL(authorizeUrl);
    expect(withNonce.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    const { redirect } = await peer.consent(withNonce.toString(), 'alice@example.test');
    const outcome = await app.get(OAuthValidationService).complete(id, Object.fromEntries(new URL(redirect!).searchParams), null);
    expect(outcome).toMatchObject({ ok: true, identity: 'alice@example.test' });
    const { tokens } = await stored(id);
    expect(decode(tokens.idToken!)).toMatchObject({ iss: peer.issuer, aud: expect.anything(), nonce: withNonce.searchParams.get('nonce'), email: 'alice@example.test' });
  });

  it('refuses an openid request without a nonce with an error redirect (no iss in it)', async () => {
    const { authorizeUrl } = await startValidate(app, peer, 'openid email offline_access mail');
    const withoutNonce = new URL(authorizeUrl);
    withoutNonce.searchParams.delete('nonce');
    const { redirect } = await peer.consent(withoutNonce.toString(), 'alice@example.test');
    const params = new URL(redirect!).searchParams;
    expect(Object.fromEntries(params)).toMatchObject({ error: 'invalid_request', error_description: 'nonce required' });
    expect(params.has('iss')).toBe(false);
  });

  // #19 defect 1: Validate of a Mailbox client whose scope contains openid sent no nonce, which Glewlwyd refuses.
  it('validates a Mailbox client whose scope contains openid (defect 1: nonce for openid scope)', async () => {
    const { id } = await validatedClient(app, peer, 'openid email offline_access mail');
    expect((await stored(id)).row).toMatchObject({ validationStatus: 'valid', validatedIdentity: 'alice@example.test' });
  });

  // #19 defect 2: a refused refresh answered HTTP 400 with an empty body was read as temporary, and the dead token sent again.
  it('marks the client for re-validation when the refresh token was revoked (defect 2: empty-body 400 on refresh)', async () => {
    const { id, clientId } = await validatedClient();
    const { tokens } = await stored(id);
    // Use the refresh token once outside the library, then again: Glewlwyd breaks the chain, the stored one is dead.
    const used = (await (await refreshDirect(clientId, tokens.refreshToken!)).json()) as { refresh_token: string };
    expect((await refreshDirect(clientId, tokens.refreshToken!)).status).toBe(400);
    expect((await refreshDirect(clientId, used.refresh_token)).status).toBe(400);
    await expect(app.get(TokenService).getAccessToken(id, { forceRefresh: true })).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
    expect((await stored(id)).row.validationStatus).toBe('needs_revalidation');
  });

  // #19 defects 4 and 5: the issuer has a path; userinfo sign-ins were keyed on the host's origin, and metadata was looked up at the host root only.
  it('signs a person in through the ID token and through userinfo, keyed on the same issuer (with its path) and subject', async () => {
    const signIn = async (fields: Record<string, string>) => {
      const clientId = `gl-sso-${randomUUID().slice(0, 8)}`;
      const created = await app.get(OAuthClientService).create({
        name: clientId, provider: 'generic', type: 'user', clientId, clientSecret: SECRET,
        authorizeUrl: `${peer.issuer}/auth`, tokenUrl: `${peer.issuer}/token`, scope: 'openid email', usernameAttribute: 'email', ...fields,
      });
      if (!created.ok) throw new Error(JSON.stringify(created.errors));
      await peer.registerClient(clientId, SECRET, [app.get(OAuthClientService).redirectUri(created.value.id)]);
      const started = await app.get(OAuthSignInService).start(created.value.id, 'browser-session');
      if (!started.ok) throw new Error(started.message);
      const { redirect } = await peer.consent(started.authorizeUrl, 'alice@example.test');
      return app.get(OAuthSignInService).complete(created.value.id, Object.fromEntries(new URL(redirect!).searchParams), 'browser-session');
    };
    const viaIdToken = await signIn({ userDataSource: 'id_token' });
    const viaUserinfo = await signIn({ userDataSource: 'endpoint', userDataEndpoint: `${peer.issuer}/userinfo` });
    if (!viaIdToken.ok || !viaUserinfo.ok) throw new Error(JSON.stringify([viaIdToken, viaUserinfo]));
    expect(viaIdToken.identity).toMatchObject({ issuer: peer.issuer, username: 'alice@example.test' });
    expect({ issuer: viaUserinfo.identity.issuer, subject: viaUserinfo.identity.subject }).toEqual({ issuer: peer.issuer, subject: viaIdToken.identity.subject });
  });

  it('completes Validate when the server adds iss to the authorization response (RFC 9207)', async () => {
    const strict = await GlewlwydPeer.start({ issInResponse: true });
    try {
      const { authorizeUrl, id } = await startValidate(app, strict, MAIL_SCOPE);
      const { redirect } = await strict.consent(authorizeUrl, 'alice@example.test');
      const params = Object.fromEntries(new URL(redirect!).searchParams);
      expect(params.iss).toBe(strict.issuer);
      expect(await app.get(OAuthValidationService).complete(id, params, null)).toMatchObject({ ok: true });
    } finally {
      await strict.stop();
    }
  });

  describe('Check through Dovecot, which validates Glewlwyd tokens by introspection', () => {
    let sink: RelaySink;
    let dovecot: DovecotPeer;
    let mail: INestApplicationContext;
    let client: { id: string; clientId: string };

    beforeAll(async () => {
      ensureDovecot();
      sink = await RelaySink.start();
      dovecot = await DovecotPeer.start({ issuer: peer.origin, relayPort: sink.port });
      sink.target = dovecot;
      mail = await boot({ mailTrustedCa: [dovecot.certificate] });
      client = await validatedClient(mail);
      // DovecotPeer hard-wires oidc-provider's introspection (/token/introspection, dovecot:dovecot-secret,
      // username_attribute = email). Glewlwyd answers introspection only to the token's own client and names
      // the login `username`, so point the passdb there and reload (an option of DovecotPeer would do this).
      const introspection = new URL(`${peer.issuer}/introspect`);
      introspection.username = client.clientId;
      introspection.password = SECRET;
      writeFileSync(join(dovecot.dir, 'oauth2.conf.ext'), [
        'introspection_mode = post',
        `introspection_url = ${introspection}`,
        'force_introspection = yes',
        'username_attribute = username',
        'active_attribute = active',
        'active_value = true',
        'timeout_msecs = 3000',
      ].join('\n') + '\n');
      const reload = spawnSync('doveadm', ['-c', join(dovecot.dir, 'dovecot.conf'), 'reload'], { encoding: 'utf8' });
      if (reload.status !== 0) throw new Error(`doveadm reload: ${reload.stderr}`);
      await new Promise((r) => setTimeout(r, 300));
    });
    afterAll(async () => {
      dovecot?.stop();
      await sink?.stop();
    });

    const mailbox = async (fields: Record<string, unknown>) => {
      const created = await mail.get(MailboxSettingsService).create({
        name: `gl-${randomUUID().slice(0, 6)}`, host: '127.0.0.1', username: 'alice@example.test', oauthClientId: client.id, ...fields,
      });
      if (!created.ok) throw new Error(JSON.stringify(created.errors));
      return created.value.id;
    };

    it('checks IMAP (implicit TLS and STARTTLS) with a Glewlwyd JWT access token', async () => {
      for (const [encryption, port] of [['ssl', dovecot.ports.imaps], ['starttls', dovecot.ports.imap]] as const) {
        const result = await mail.get(MailboxService).check(await mailbox({ direction: 'incoming', protocol: 'imap', encryption, port }));
        expect({ encryption, ...result }).toMatchObject({ encryption, ok: true });
      }
      // Dovecot's oauth2 passdb asked Glewlwyd's introspection endpoint (the only token authority it has here).
      expect(dovecot.log()).toMatch(/Login: user=<alice@example.test>, method=OAUTHBEARER/);
    });

    it('checks POP3 with a Glewlwyd JWT access token', async () => {
      const result = await mail.get(MailboxService).check(await mailbox({ direction: 'incoming', protocol: 'pop3', encryption: 'ssl', port: dovecot.ports.pop3s }));
      expect(result).toMatchObject({ ok: true });
    });

    it('refreshes once and logs in again when Dovecot refuses a revoked access token, with the token cached in memory', async () => {
      const { tokens } = await stored(client.id, mail);
      // The Checks above left this very token in the process's cache.
      expect(await mail.get(TokenService).getAccessToken(client.id)).toBe(tokens.accessToken);
      const refreshes: string[] = [];
      const subscription = mail.get(TokenService).events$.subscribe((e) => e.type === 'refreshed' && refreshes.push(e.clientId));
      const revoked = await fetch(`${peer.issuer}/revoke`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: tokens.accessToken, token_type_hint: 'access_token' }),
      });
      expect(revoked.status).toBe(200);
      const result = await mail.get(MailboxService).check(await mailbox({ direction: 'incoming', protocol: 'imap', encryption: 'ssl', port: dovecot.ports.imaps }));
      expect(result).toMatchObject({ ok: true });
      expect((await stored(client.id, mail)).tokens.accessToken).not.toBe(tokens.accessToken);
      subscription.unsubscribe();
      expect(refreshes).toEqual([client.id]);
    });

    // #19 defect 3: AUTH XOAUTH2 with an ~800-character JWT makes a command line over 512 octets; Dovecot answers 500 5.5.2 Line too long.
    it('checks SMTP submission with a Glewlwyd JWT access token (defect 3: long-token SMTP)', async () => {
      const result = await mail.get(MailboxService).check(await mailbox({ direction: 'outgoing', protocol: 'smtp', encryption: 'ssl', port: dovecot.ports.submissions }));
      expect(result).toMatchObject({ ok: true });
    });
  });
});
