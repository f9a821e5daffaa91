import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { choose, launchBrowser, newWindow, screenshot } from '../../../test/support/browser.js';
import { DovecotPeer, freePort } from '../../../test/support/dovecot-peer.js';
import { LDAP_READER_DN, LDAP_SUFFIX, LdapPeer } from '../../../test/support/ldap-peer.js';
import { OidcPeer } from '../../../test/support/oidc-peer.js';
import { RelaySink } from '../../../test/support/relay-sink.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from '../../../test/support/test-app.js';

const SECRET = `CANARY-CS-${randomUUID()}`;

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

  async function check(mailboxId: string, expected: RegExp) {
    await page.goto(`${base}/admin/resources/Mailbox/records/${mailboxId}/check`);
    await page.waitForURL(/\/show$/);
    await page.getByText(expected).first().waitFor();
  }

  beforeAll(async () => {
    peer = await OidcPeer.start();
    sink = await RelaySink.start();
    dovecot = await DovecotPeer.start({ issuer: peer.issuer, relayPort: sink.port });
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
    const imapId = await saveAndOpen('Mailbox', 'Support inbox');

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
    const directoryId = await saveAndOpen('LdapDirectory', 'Head office');
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

  it('loads the panel without any request leaving the machine', () => {
    // The test provider's own pages load a web font; the admin's pages must load nothing from outside.
    expect(outside.filter((r) => r.from.startsWith(base))).toEqual([]);
  });
});
