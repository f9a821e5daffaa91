import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { choose, launchBrowser, newWindow, screenshot } from '../../../test/support/browser.js';
import { DovecotPeer, freePort } from '../../../test/support/dovecot-peer.js';
import { LDAP_READER_DN, LDAP_SUFFIX, LdapPeer } from '../../../test/support/ldap-peer.js';
import { OidcPeer } from '../../../test/support/oidc-peer.js';
import { RelaySink } from '../../../test/support/relay-sink.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from '../../../test/support/test-app.js';

const SECRET = `CANARY-CS-${randomUUID()}`;
/** Password users for the Check all step. */
const BULK_USERS = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`bulk${i}@example.test`, 'bulk-password']));

describe('The seed walkthrough in a real browser', () => {
  let peer: OidcPeer;
  let sink: RelaySink;
  let dovecot: DovecotPeer;
  let ldap: LdapPeer;
  let t: TestApp;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  let base: string;
  const outside: { url: string; from: string }[] = [];
  const clientId = `support-${randomUUID().slice(0, 8)}`;
  let recordId: string;
  let imapId: string;
  let directoryId: string;

  /** The provider's own pages: sign in as `login`, then consent. */
  async function consentAt(p: Page, login: string) {
    const loginField = p.locator('input[name="login"]');
    const consent = p.locator('button[type="submit"]', { hasText: /continue/i });
    await loginField.or(consent).first().waitFor();
    // A provider that still knows the person skips straight to consent.
    if (await loginField.isVisible()) {
      await loginField.fill(login);
      await p.locator('input[name="password"]').fill('any');
      await p.locator('button[type="submit"]').click();
    }
    await consent.click();
  }

  const atProvider = (url: URL) => url.port === new URL(peer.issuer).port;

  async function validate() {
    await page.goto(`${base}/admin/resources/OAuthClient/records/${recordId}/validate`);
    await page.waitForURL((url) => atProvider(url) || url.pathname.endsWith('/show'));
    // A provider that still holds the person's session and grant answers at once.
    if (atProvider(new URL(page.url()))) {
      await screenshot(page, 'provider-login');
      await consentAt(page, 'alice@example.test');
    }
    await page.waitForURL(/\/show/);
    await page.getByText('Client validated as alice@example.test').waitFor();
  }

  /** Fills the Mailbox form's connection fields, signing in as alice. */
  async function fillMailbox(name: string, direction: string, protocol: string, port: number, encryption: string) {
    await page.goto(`${base}/admin/resources/Mailbox/actions/new`);
    await page.locator('input[name="name"]').fill(name);
    await choose(page, 'direction', direction);
    await choose(page, 'protocol', protocol);
    await page.locator('input[name="host"]').fill('127.0.0.1');
    await page.locator('input[name="port"]').fill(String(port));
    await choose(page, 'encryption', encryption);
    await page.locator('input[name="username"]').fill('alice@example.test');
  }

  /** Saves the form, opens the new record from the grid and returns its id. */
  async function saveAndOpen(resource: string, name: string): Promise<string> {
    await page.getByTestId('button-save').click();
    await page.waitForURL(new RegExp(`/resources/${resource}$`));
    await page.getByText(name).first().click();
    await page.waitForURL(/\/show$/);
    return /records\/([^/]+)\/show/.exec(page.url())![1];
  }

  /**
   * Clicks a record action (Check, Test connection) once on the record page, as an admin does;
   * returns how many POSTs it sent and how many notices say `expected`.
   */
  async function clickOnce(resource: string, id: string, action: string, expected: RegExp): Promise<{ posts: number; notices: number; text: string }> {
    await page.goto(`${base}/admin/resources/${resource}/records/${id}/show`);
    const endpoint = `/admin/api/resources/${resource}/records/${id}/${action}`;
    let posts = 0;
    const count = (request: Request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === endpoint) posts += 1;
    };
    page.on('request', count);
    try {
      await page.getByTestId(`action-${action}`).first().click();
      const notice = page.getByTestId('notice-wrapper').getByText(expected);
      await notice.first().waitFor();
      await page.waitForURL(/\/show$/);
      // A second request would have left by now: AdminJS re-renders the action right after its first fetch.
      await page.waitForTimeout(1500);
      return { posts, notices: await notice.count(), text: (await notice.first().textContent()) ?? '' };
    } finally {
      page.off('request', count);
    }
  }

  async function check(mailboxId: string, expected: RegExp) {
    await page.goto(`${base}/admin/resources/Mailbox/records/${mailboxId}/check`);
    await page.waitForURL(/\/show$/);
    await page.getByText(expected).first().waitFor();
  }

  beforeAll(async () => {
    peer = await OidcPeer.start();
    sink = await RelaySink.start();
    dovecot = await DovecotPeer.start({ issuer: peer.issuer, relayPort: sink.port, users: BULK_USERS });
    sink.target = dovecot;
    ldap = await LdapPeer.start([{ uid: 'hank', cn: 'Hank Hill', mail: 'hank@example.test' }]);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await startTestApp({ PORT: String(port), OAUTH_MAIL_PUBLIC_BASE_URL: base }, undefined, { mailTrustedCa: [dovecot.certificate] });
    await t.app.listen(port, '127.0.0.1');
    browser = await launchBrowser();
    admin = await newWindow(browser, outside);
    page = await admin.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    dovecot?.stop();
    ldap?.stop();
    await sink?.stop();
    await peer?.stop();
  });

  it('1. logs in at /admin', async () => {
    await page.goto(`${base}/admin`);
    await page.locator('input[name="email"]').fill(ADMIN_EMAIL);
    await page.locator('input[name="password"]').fill(ADMIN_PASSWORD);
    await screenshot(page, 'login');
    await page.locator('form button').click();
    await page.waitForURL(`${base}/admin`);
    await screenshot(page, 'dashboard');
  });

  it('2. creates a Generic OAuth client; the Redirect URI appears once saved', async () => {
    await page.goto(`${base}/admin/resources/OAuthClient/actions/new`);
    await page.locator('input[name="name"]').fill('Support mailbox');
    await choose(page, 'provider', 'generic');
    await choose(page, 'type', 'mailbox');
    await page.locator('input[name="clientId"]').fill(clientId);
    await page.locator('input[name="clientSecret"]').fill(SECRET);
    await page.locator('input[name="authorizeUrl"]').fill(`${peer.issuer}/auth`);
    await page.locator('input[name="tokenUrl"]').fill(`${peer.issuer}/token`);
    await page.locator('input[name="scope"]').fill('openid email offline_access mail');
    // The form starts with what the server would apply to an empty field.
    expect(await page.locator('input[name="scopeSeparator"]').inputValue()).toBe(' ');
    await page.locator('[data-testid="property-edit-status"]').getByText('Enabled').waitFor();
    // Help text stands under the field, not in a tooltip.
    await page.getByTestId('help-clientSecret').getByText("Azure: the secret's Value").waitFor();
    await screenshot(page, 'client-form');
    recordId = await saveAndOpen('OAuthClient', 'Support mailbox');
    const redirectUri = await page.locator('#redirect-uri').textContent();
    expect(redirectUri).toBe(`${base}/oauth/callback/${recordId}`);
    await peer.registerClient(clientId, SECRET, [redirectUri!]);
    await screenshot(page, 'client-saved');
  });

  it('3. Validate: the provider login and consent, then back with the green message', async () => {
    await validate();
    await screenshot(page, 'client-validated');
  });

  it('4. Copy URL: consent in a private window; the first window shows the new identity after a reload', async () => {
    await page.goto(`${base}/admin/resources/OAuthClient/records/${recordId}/copyUrl`);
    const url = await page.locator('#authorize-url').inputValue();
    expect(url).toContain('code_challenge=');
    await screenshot(page, 'copy-url');
    const incognito = await newWindow(browser, outside);
    const privatePage = await incognito.newPage();
    await privatePage.goto(url);
    await consentAt(privatePage, 'bob@example.test');
    await privatePage.getByText('Client validated as bob@example.test').waitFor();
    await screenshot(privatePage, 'private-window-result');
    await incognito.close();
    await page.goto(`${base}/admin/resources/OAuthClient/records/${recordId}/show`);
    await page.getByText('bob@example.test').first().waitFor();
    await screenshot(page, 'client-after-reload');
    // Back to alice, whose mailbox the next steps use; the provider remembers her, so sign out there first.
    // Cookies are per host, not per port: only the provider's (named _…) go, the admin session stays.
    await admin.clearCookies({ name: /^_/ });
    await validate();
  });

  it('5-6. creates an IMAP mailbox on the client; Check is green, red after revocation, green after Validate', async () => {
    await fillMailbox('Support inbox', 'incoming', 'imap', dovecot.ports.imaps, 'ssl');
    // The seed's '+' next to the OAuth Client field opens a new client form; the pencil edits the selected client.
    const [create] = await Promise.all([admin.waitForEvent('page'), page.getByTestId('oauth-client-create').click()]);
    await create.waitForURL(/\/resources\/OAuthClient\/actions\/new$/);
    await create.locator('input[name="name"]').waitFor();
    await create.close();
    await choose(page, 'oauthClientId', 'Support mailbox');
    const [edit] = await Promise.all([admin.waitForEvent('page'), page.getByTestId('oauth-client-edit').click()]);
    await edit.waitForURL(new RegExp(`/resources/OAuthClient/records/${recordId}/edit$`));
    await edit.locator('input[name="name"]').waitFor();
    expect(await edit.locator('input[name="name"]').inputValue()).toBe('Support mailbox');
    await edit.close();
    await screenshot(page, 'mailbox-form');
    imapId = await saveAndOpen('Mailbox', 'Support inbox');

    await check(imapId, /Connection Successful/);
    await screenshot(page, 'check-green');
    await peer.revokeAccount('alice@example.test');
    await check(imapId, /must be validated again/);
    await screenshot(page, 'check-red');
    await page.goto(`${base}/admin`);
    await page.getByTestId('clients-attention').getByText('must be validated again').waitFor();
    await page.getByTestId('Mailbox-failing').getByText('Support inbox').waitFor();
    await screenshot(page, 'dashboard-attention');
    await validate();
    await check(imapId, /Connection Successful/);
  });

  it('7. the same for an outgoing SMTP mailbox', async () => {
    await fillMailbox('Support outgoing', 'outgoing', 'smtp', dovecot.ports.submission, 'starttls');
    await choose(page, 'oauthClientId', 'Support mailbox');
    const smtpId = await saveAndOpen('Mailbox', 'Support outgoing');
    await check(smtpId, /Connection Successful/);
    await screenshot(page, 'smtp-check-green');
    await page.goto(`${base}/admin/resources/Mailbox`);
    await screenshot(page, 'mailbox-grid');
  });

  it('8. a person signs in with the login button of a User-type client and lands in the panel', async () => {
    const ssoClientId = `sso-${randomUUID().slice(0, 8)}`;
    const created = await page.request.post(`${base}/admin/api/resources/OAuthClient/actions/new`, {
      headers: { origin: base },
      multipart: {
        name: 'Staff SSO', provider: 'generic', type: 'user', clientId: ssoClientId, clientSecret: SECRET,
        authorizeUrl: `${peer.issuer}/auth`, tokenUrl: `${peer.issuer}/token`, scope: 'openid email profile',
        userDataSource: 'id_token', usernameAttribute: 'email', userFields: 'name = name', loginButtonCaption: 'Sign in with Staff SSO',
      },
    });
    const id = (await created.json()).record.params.id as string;
    await peer.registerClient(ssoClientId, SECRET, [`${base}/oauth/callback/${id}`]);
    // The admin tries the sign-in rules on sample claims first.
    await page.goto(`${base}/admin/resources/OAuthClient/records/${id}/testRules`);
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByText('A first sign-in creates ann@example.com (Ann Example) with the role viewer.').waitFor();
    await screenshot(page, 'test-sign-in-rules');
    const person = await newWindow(browser, outside);
    const p = await person.newPage();
    await p.goto(`${base}/admin/login`);
    await p.getByText('Sign in with Staff SSO').waitFor();
    await screenshot(p, 'login-with-sso');
    await p.getByText('Sign in with Staff SSO').click();
    await p.waitForURL(atProvider);
    await consentAt(p, 'hank@example.test');
    await p.waitForURL(`${base}/admin`);
    await p.getByRole('heading', { name: 'OAuth Mail', level: 2 }).waitFor();
    await screenshot(p, 'signed-in-with-sso');
    await person.close();
  });

  it('9. an LDAP directory: the form, then Test connection is green', async () => {
    await page.goto(`${base}/admin/resources/LdapDirectory/actions/new`);
    await page.locator('input[name="name"]').fill('Head office');
    await page.locator('input[name="url"]').fill(ldap.url);
    await page.locator('input[name="bindDn"]').fill(LDAP_READER_DN);
    await page.locator('input[name="bindPassword"]').fill(ldap.readerPassword);
    await page.locator('input[name="baseDn"]').fill(`ou=people,${LDAP_SUFFIX}`);
    await page.locator('textarea[name="attributeMap"]').fill('name = cn\nemail = mail');
    expect(await page.locator('input[name="searchFilter"]').inputValue()).toBe('(|(uid={username})(mail={username}))');
    await screenshot(page, 'ldap-directory-form');
    directoryId = await saveAndOpen('LdapDirectory', 'Head office');
    await page.goto(`${base}/admin/resources/LdapDirectory/records/${directoryId}/testConnection`);
    await page.waitForURL(/\/show$/);
    await page.getByText(/Connection Successful: bound as cn=reader/).first().waitFor();
    await screenshot(page, 'ldap-directory-test-green');
  });

  it('10. Users shows who signs in how; the Audit log shows who changed what', async () => {
    await page.goto(`${base}/admin/resources/AdminUser`);
    await page.getByText('hank@example.test').waitFor();
    await page.getByText(/^SSO \(/).first().waitFor();
    await screenshot(page, 'users');
    await page.goto(`${base}/admin/resources/AuditEvent`);
    await page.getByText('LdapDirectory').first().waitFor();
    await screenshot(page, 'audit-log');
  });

  it('11. a refused save keeps what was typed: the new endpoints stay in the form and are the ones stored', async () => {
    const created = await page.request.post(`${base}/admin/api/resources/OAuthClient/actions/new`, {
      headers: { origin: base },
      multipart: {
        name: 'Moved provider', provider: 'generic', type: 'mailbox', clientId: `moved-${randomUUID().slice(0, 8)}`, clientSecret: SECRET,
        authorizeUrl: `${peer.issuer}/auth`, tokenUrl: `${peer.issuer}/token`, scope: 'openid email offline_access mail', status: 'enabled', scopeSeparator: ' ',
      },
    });
    const id = (await created.json()).record.params.id as string;
    const newAuthorize = `${peer.issuer}/v2/auth`;
    const newToken = `${peer.issuer}/v2/token`;
    const stored = async () => (await t.db.query<{ authorizeUrl: string; tokenUrl: string; clientSecretEncrypted: string }>(
      `SELECT "authorizeUrl", "tokenUrl", "clientSecretEncrypted" FROM oauth_client WHERE id = '${id}'`))[0];
    const before = await stored();
    const field = (name: string) => page.locator(`input[name="${name}"]`);
    const save = async () => {
      const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/OAuthClient/records/${id}/edit`) && r.request().method() === 'POST'), page.getByTestId('button-save').click()]);
      return answer.text();
    };

    await page.goto(`${base}/admin/resources/OAuthClient/records/${id}/edit`);
    await field('authorizeUrl').fill(newAuthorize);
    await field('tokenUrl').fill(newToken);
    await save();
    // Refused: the token URL changed and the stored secret is never sent to a new one.
    await page.getByTestId('property-edit-clientSecret').getByText(/Enter the Client Secret again/).waitFor();
    expect(page.url()).toMatch(/\/edit$/);
    expect({ authorize: await field('authorizeUrl').inputValue(), token: await field('tokenUrl').inputValue() }).toEqual({ authorize: newAuthorize, token: newToken });
    await screenshot(page, 'refused-save-keeps-typed');

    // Refused again (no scope), this time with the secret typed: it is not echoed back, and the form keeps it.
    await field('clientSecret').fill(SECRET);
    await field('scope').fill('');
    const second = await save();
    expect(second).not.toContain(SECRET);
    await page.getByTestId('property-edit-scope').getByText(/Enter the scopes/).waitFor();
    expect({ authorize: await field('authorizeUrl').inputValue(), token: await field('tokenUrl').inputValue(), secret: await field('clientSecret').inputValue() })
      .toEqual({ authorize: newAuthorize, token: newToken, secret: SECRET });
    expect(await stored()).toEqual(before);

    await field('scope').fill('openid email offline_access mail');
    await save();
    await page.waitForURL(/\/resources\/OAuthClient$/);
    const after = await stored();
    expect({ authorizeUrl: after.authorizeUrl, tokenUrl: after.tokenUrl }).toEqual({ authorizeUrl: newAuthorize, tokenUrl: newToken });
    expect(after.clientSecretEncrypted).not.toBe(before.clientSecretEncrypted);
  });

  it('12. one click on Check (and on Test connection) sends one request and shows one notice', async () => {
    const mailbox = await clickOnce('Mailbox', imapId, 'check', /Connection Successful/);
    expect({ posts: mailbox.posts, notices: mailbox.notices }).toEqual({ posts: 1, notices: 1 });
    await screenshot(page, 'check-one-notice');
    const directory = await clickOnce('LdapDirectory', directoryId, 'testConnection', /Connection Successful/);
    expect({ posts: directory.posts, notices: directory.notices }).toEqual({ posts: 1, notices: 1 });
    // The next click runs anew.
    expect((await clickOnce('Mailbox', imapId, 'check', /Connection Successful/)).posts).toBe(1);
  });

  it('13. a wrong password: the message says to check the username and the password, in plain sentences', async () => {
    const created = await page.request.post(`${base}/admin/api/resources/Mailbox/actions/new`, {
      headers: { origin: base },
      multipart: {
        name: 'Wrong password', direction: 'incoming', protocol: 'imap', host: '127.0.0.1', port: String(dovecot.ports.imaps), encryption: 'ssl',
        username: 'alice@example.test', password: 'not the password', status: 'enabled', folder: 'INBOX',
      },
    });
    const id = (await created.json()).record.params.id as string;
    const { posts, notices, text } = await clickOnce('Mailbox', id, 'check', /refused the login/);
    expect({ posts, notices }).toEqual({ posts: 1, notices: 1 });
    expect(text).toMatch(/Check the Username \(alice@example\.test\) and the Password/);
    expect(text).not.toMatch(/\.\./);
    await screenshot(page, 'check-wrong-password');
  });

  it('14. Check all: 50 mailboxes, the one with a wrong password is the one red result, with progress on the way', async () => {
    const listed = await page.request.get(`${base}/admin/api/resources/Mailbox/actions/list?perPage=500`);
    const existing = ((await listed.json()) as { meta: { total: number } }).meta.total;
    for (let i = 0; i < 50 - existing; i++) {
      const made = await page.request.post(`${base}/admin/api/resources/Mailbox/actions/new`, {
        headers: { origin: base },
        multipart: {
          name: `Bulk ${String(i).padStart(2, '0')}`, direction: 'incoming', protocol: 'imap', host: '127.0.0.1', port: String(dovecot.ports.imaps), encryption: 'ssl',
          username: `bulk${i}@example.test`, password: 'bulk-password', status: 'enabled', folder: 'INBOX',
        },
      });
      expect(made.status()).toBe(200);
    }
    await page.goto(`${base}/admin/resources/Mailbox`);
    await page.locator('[data-css="Mailbox-checkAll-button"]').click();
    await page.getByTestId('bulk-check-progress').waitFor();
    expect(await page.getByTestId('bulk-check-counts').textContent()).toMatch(/of 50 checked/);
    await screenshot(page, 'check-all-progress');
    await page.getByTestId('bulk-check-counts').getByText('50 of 50 checked · 1 failed · 0 remaining · done').waitFor({ timeout: 30_000 });
    const red = page.locator('[data-testid="bulk-check-results"] tr[data-result="failed"]');
    expect(await red.count()).toBe(1);
    expect(await red.textContent()).toMatch(/Wrong password.*Failed.*Login.*refused the login/);
    expect(await page.locator('[data-testid="bulk-check-results"] tr[data-result="ok"]').count()).toBe(49);
    await page.getByLabel('Show').selectOption({ label: 'Failed at: Login' });
    expect(await page.locator('[data-testid="bulk-check-results"] tbody tr').count()).toBe(1);
    await screenshot(page, 'check-all-done');
  });

  it('loads the panel without any request leaving the machine', () => {
    // The test provider's own pages load a web font; the admin's pages must load nothing from outside.
    expect(outside.filter((r) => r.from.startsWith(base))).toEqual([]);
  });
});
