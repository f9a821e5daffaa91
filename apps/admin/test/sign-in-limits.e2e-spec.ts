import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OAuthTransaction } from '@app/oauth-mail';
import { OidcPeer } from '../../../test/support/oidc-peer.js';
import { startTestApp, submit, type TestApp } from '../../../test/support/test-app.js';

/** Anonymous sign-in starts store a transaction and a session each: they must not grow without bound. */
describe('Sign-in starts and callbacks are bounded (rate limit per client IP, expired transactions purged)', () => {
  let peer: OidcPeer;
  let t: TestApp;
  let clientId: string;
  const count = async (table: string) => Number((await t.app.get(DataSource).query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  beforeAll(async () => {
    peer = await OidcPeer.start();
    // The limit as shipped (OAUTH_MAIL_SIGN_IN_RATE_LIMIT unset: 30 a minute).
    t = await startTestApp({ OAUTH_MAIL_SIGN_IN_RATE_LIMIT: '' });
    const admin = await t.login();
    const res = await submit(admin, '/admin/api/resources/OAuthClient/actions/new', {
      name: 'Limited SSO', provider: 'generic', type: 'user', clientId: 'limited', clientSecret: `CANARY-${randomUUID()}`,
      authorizeUrl: `${peer.issuer}/auth`, tokenUrl: `${peer.issuer}/token`, scope: 'openid email', userDataSource: 'id_token', usernameAttribute: 'email',
    });
    clientId = res.body.record.params.id;
  });
  afterAll(async () => {
    await t?.close();
    await peer?.stop();
  });

  it('purges transactions an hour after they expired, at the next start', async () => {
    const db = t.app.get(DataSource);
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await db.getRepository(OAuthTransaction).insert(
      Array.from({ length: 20 }, () => ({
        id: randomUUID(), stateHash: randomUUID().replace(/-/g, '').repeat(2), clientId, purpose: 'sign_in' as const, initiatedBy: null, nonceHash: null,
        redirectUri: 'http://x', expectedIssuerOrigin: 'http://x', expectedIssuer: null, codeVerifierEncrypted: 'v1.x', nonceEncrypted: null, expiresAt: old, consumedAt: null,
      })),
    );
    expect(await count('oauth_transaction')).toBe(20);
    expect((await t.http.get(`/oauth/sign-in/${clientId}`)).status).toBe(303);
    expect(await count('oauth_transaction')).toBe(1);
  });

  it('answers 1,000 anonymous starts with at most the limit of transactions and sessions, the rest with a 429 page', async () => {
    const sessionsBefore = await count('admin_session');
    const statuses: number[] = [];
    let page = '';
    for (let batch = 0; batch < 50; batch++) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => t.http.get(`/oauth/sign-in/${clientId}`)));
      for (const a of answers) {
        statuses.push(a.status);
        if (a.status === 429) page = a.text;
      }
    }
    const started = statuses.filter((s) => s === 303).length;
    // The purge test above already used one start of this minute's allowance.
    expect(started).toBeLessThanOrEqual(29);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1000 - started);
    expect(page).toContain('Too many sign-in attempts');
    expect(page).not.toMatch(/ThrottlerException|statusCode/);
    expect(await count('oauth_transaction')).toBeLessThanOrEqual(30);
    expect((await count('admin_session')) - sessionsBefore).toBeLessThanOrEqual(29);
  });

  it('limits callbacks per client IP too', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => t.http.get(`/oauth/callback/${clientId}?code=x&state=${'y'.repeat(43)}`)));
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(10);
    expect(answers.filter((a) => a.status === 429)[0].headers['retry-after']).toMatch(/^\d+$/);
  });
});
