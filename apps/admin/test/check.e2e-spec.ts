import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { MailboxService } from '@app/oauth-mail';
import { DovecotPeer, freePort } from '../../../test/support/dovecot-peer.js';
import { OidcPeer } from '../../../test/support/oidc-peer.js';
import { RelaySink } from '../../../test/support/relay-sink.js';
import { startTestApp, submit, type TestApp } from '../../../test/support/test-app.js';

const API = '/admin/api/resources';
const PASSWORD = `CANARY-PW-${randomUUID()}`;
const SECRET = `CANARY-CS-${randomUUID()}`;

describe('Check and the mailbox service against a real Dovecot', () => {
  let peer: OidcPeer;
  let sink: RelaySink;
  let dovecot: DovecotPeer;
  let microsoft: DovecotPeer;
  let shared: DovecotPeer;
  let t: TestApp;
  let agent: Awaited<ReturnType<TestApp['login']>>;
  const seen: string[] = [];

  async function validatedClient(login: string) {
    const clientId = `mail-${randomUUID().slice(0, 8)}`;
    const res = await submit(agent, `${API}/OAuthClient/actions/new`, {
      name: clientId, provider: 'generic', type: 'mailbox', clientId, clientSecret: SECRET,
      authorizeUrl: `${peer.issuer}/auth`, tokenUrl: `${peer.issuer}/token`, scope: 'openid email offline_access mail',
    });
    const id = res.body.record.params.id as string;
    await peer.registerClient(clientId, SECRET, [`http://127.0.0.1:3000/oauth/callback/${id}`]);
    const start = await submit(agent, `${API}/OAuthClient/records/${id}/validate`, {});
    const { redirect } = await peer.consent(start.body.authorizeUrl, login);
    const back = new URL(redirect!);
    expect((await agent.get(back.pathname + back.search)).status).toBe(303);
    return id;
  }

  async function mailbox(fields: Record<string, string | number>) {
    const res = await submit(agent, `${API}/Mailbox/actions/new`, { name: `mb-${randomUUID().slice(0, 6)}`, host: '127.0.0.1', ...fields });
    expect(res.body.notice).toMatchObject({ type: 'success' });
    return res.body.record.params.id as string;
  }

  async function check(id: string) {
    const res = await submit(agent, `${API}/Mailbox/records/${id}/check`, {});
    seen.push(res.text);
    expect(res.status).toBe(200);
    return res.body as { notice: { message: string; type: string }; check: { ok: boolean; stage?: string; code?: string }; record: { params: Record<string, unknown> } };
  }

  const imap = (d: DovecotPeer, enc: 'starttls' | 'ssl') => ({ direction: 'incoming', protocol: 'imap', encryption: enc, port: enc === 'ssl' ? d.ports.imaps : d.ports.imap });
  const pop3 = (d: DovecotPeer, enc: 'starttls' | 'ssl') => ({ direction: 'incoming', protocol: 'pop3', encryption: enc, port: enc === 'ssl' ? d.ports.pop3s : d.ports.pop3 });
  const smtp = (d: DovecotPeer, enc: 'starttls' | 'ssl') => ({ direction: 'outgoing', protocol: 'smtp', encryption: enc, port: enc === 'ssl' ? d.ports.submissions : d.ports.submission });

  let alice: string;

  beforeAll(async () => {
    peer = await OidcPeer.start();
    sink = await RelaySink.start();
    dovecot = await DovecotPeer.start({ issuer: peer.issuer, relayPort: sink.port, users: { 'pw@example.test': PASSWORD } });
    microsoft = await DovecotPeer.start({ issuer: peer.issuer, relayPort: sink.port, mechanisms: ['plain', 'login', 'xoauth2'] });
    shared = await DovecotPeer.start({ issuer: peer.issuer, relayPort: sink.port, mechanisms: ['plain', 'login', 'xoauth2'], delegation: true });
    sink.target = dovecot;
    t = await startTestApp({}, undefined, { mailTrustedCa: [dovecot.certificate, microsoft.certificate, shared.certificate] });
    agent = await t.login();
    alice = await validatedClient('alice@example.test');
  });
  afterAll(async () => {
    await t?.close();
    dovecot?.stop();
    microsoft?.stop();
    shared?.stop();
    await sink?.stop();
    await peer?.stop();
  });

  it('sends an OAuth token only to its provider\'s mail hosts: refused on save with the allowed hosts, and at Check after a database edit', async () => {
    const refused = await submit(agent, `${API}/Mailbox/actions/new`, { name: 'foreign', ...imap(dovecot, 'ssl'), host: '127.0.0.2', username: 'alice@example.test', oauthClientId: alice });
    expect(refused.body.record.errors.host.message).toMatch(/127\.0\.0\.2 is not a mail server of Generic OAuth 2\.0: its tokens are sent only to 127\.0\.0\.1\. Correct the Host, or add it to the OAuth client's Allowed Mail Hosts\./);

    const id = await mailbox({ ...imap(dovecot, 'ssl'), username: 'alice@example.test', oauthClientId: alice });
    let connections = 0;
    const foreign = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((done) => foreign.listen(0, '127.0.0.2', done));
    try {
      const port = (foreign.address() as { port: number }).port;
      await t.app.get(DataSource).query(`UPDATE mailbox SET host = '127.0.0.2', port = ${port} WHERE id = '${id}'`);
      const result = await check(id);
      expect(result.check).toMatchObject({ ok: false, stage: 'config', code: 'MAIL_HOST_NOT_ALLOWED' });
      expect(result.notice.message).toMatch(/its tokens are sent only to 127\.0\.0\.1.*No token was sent\./);
      expect(connections).toBe(0);
    } finally {
      foreign.close();
    }
  });

  it.each([
    ['IMAP', 'starttls'], ['IMAP', 'ssl'], ['POP3', 'starttls'], ['POP3', 'ssl'], ['SMTP', 'starttls'], ['SMTP', 'ssl'],
  ] as const)('is green for %s over %s with a password', async (protocol, enc) => {
    const build = { IMAP: imap, POP3: pop3, SMTP: smtp }[protocol];
    const id = await mailbox({ ...build(dovecot, enc), username: 'pw@example.test', password: PASSWORD });
    const res = await check(id);
    expect(res.notice).toEqual({ type: 'success', message: expect.stringMatching(/^Connection Successful: /) });
    expect(res.record.params).toMatchObject({ lastCheckStatus: 'ok', lastCheckMessage: res.notice.message });
    // The record answered is the one stored, though the action does not read it again.
    const shown = await agent.get(`${API}/Mailbox/records/${id}/show`);
    expect(shown.body.record.params).toEqual(res.record.params);
  });

  it.each([
    ['IMAP', 'starttls', 'default'], ['IMAP', 'ssl', 'default'], ['POP3', 'starttls', 'default'], ['POP3', 'ssl', 'default'],
    ['SMTP', 'starttls', 'default'], ['SMTP', 'ssl', 'default'],
    ['IMAP', 'ssl', 'microsoft'], ['POP3', 'ssl', 'microsoft'], ['SMTP', 'starttls', 'microsoft'],
  ] as const)('is green for %s over %s with the OAuth client (%s server)', async (protocol, enc, server) => {
    const build = { IMAP: imap, POP3: pop3, SMTP: smtp }[protocol];
    const id = await mailbox({ ...build(server === 'microsoft' ? microsoft : dovecot, enc), username: 'alice@example.test', oauthClientId: alice });
    const res = await check(id);
    expect(res.notice).toEqual({ type: 'success', message: expect.stringMatching(/^Connection Successful: /) });
  });

  it('logs in with XOAUTH2 where that is all the server offers (Microsoft-like)', () => {
    expect(microsoft.log()).toMatch(/method=XOAUTH2/);
    expect(microsoft.log()).not.toMatch(/method=OAUTHBEARER/);
  });

  it('opens a shared mailbox with a delegate\'s token, and refuses a non-delegate', async () => {
    // The authorization server lists alice (not bob) as a delegate of shared@example.test.
    const bob = await validatedClient('bob@example.test');
    for (const build of [imap, pop3]) {
      const delegate = await check(await mailbox({ ...build(shared, 'ssl'), username: 'shared@example.test', oauthClientId: alice }));
      expect(delegate.notice).toEqual({ type: 'success', message: expect.stringMatching(/^Connection Successful/) });
      const stranger = await check(await mailbox({ ...build(shared, 'ssl'), username: 'shared@example.test', oauthClientId: bob }));
      expect(stranger.notice).toEqual({ type: 'error', message: expect.stringMatching(/refused the login[\s\S]*may use this protocol/) });
      expect(stranger.check.stage).toBe('auth');
    }
    const [row] = await t.app.get(DataSource).query(`SELECT "validationStatus" FROM oauth_client WHERE id = '${bob}'`);
    expect(row.validationStatus).toBe('valid');
  });

  it('says how to enable SMTP AUTH when a Microsoft-like server answers 535 5.7.139', async () => {
    // Exchange Online's answer when Authenticated SMTP is off for the tenant or mailbox.
    const server = new SMTPServer({
      key: readFileSync(join(dovecot.dir, 'tls/key.pem')),
      cert: dovecot.certificate,
      authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'],
      logger: false,
      onAuth(_auth: unknown, _session: unknown, done: (error: Error | null) => void) {
        done(Object.assign(new Error('5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.'), { responseCode: 535 }));
      },
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const res = await check(await mailbox({ direction: 'outgoing', protocol: 'smtp', encryption: 'starttls', port, username: 'pw@example.test', password: PASSWORD }));
      expect(res.check.stage).toBe('auth');
      expect(res.notice.message).toMatch(/5\.7\.139 .*enable "Authenticated SMTP" in the Microsoft 365 admin center/);
      expect(res.notice.message).not.toContain(PASSWORD);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('lets overlapping Checks of one mailbox share one login', async () => {
    const id = await mailbox({ ...imap(dovecot, 'ssl'), username: 'pw@example.test', password: PASSWORD });
    const logins = () => (dovecot.log().match(/Login: user=<pw@example\.test>/g) ?? []).length;
    const before = logins();
    const results = await Promise.all([check(id), check(id), check(id)]);
    expect(results.map((r) => r.notice.type)).toEqual(['success', 'success', 'success']);
    expect(logins() - before).toBe(1);
  });

  it('is red with the cause an admin can act on', async () => {
    // Dovecot says "Authentication failed." (or the like): one full stop, then what to check.
    const WRONG_PASSWORD = /^The server refused the login: [^]*[^.]\. Check the Username \(pw@example\.test\) and the Password/;
    const cases: [Record<string, string | number>, string, RegExp][] = [
      [{ ...imap(dovecot, 'ssl'), username: 'pw@example.test', password: 'wrong password' }, 'auth', WRONG_PASSWORD],
      [{ ...pop3(dovecot, 'ssl'), username: 'pw@example.test', password: 'wrong password' }, 'auth', WRONG_PASSWORD],
      [{ ...smtp(dovecot, 'starttls'), username: 'pw@example.test', password: 'wrong password' }, 'auth', WRONG_PASSWORD],
      [{ ...imap(dovecot, 'ssl'), port: dovecot.ports.imap + 10_000 > 65535 ? 1 : dovecot.ports.imap + 10_000, username: 'pw@example.test', password: PASSWORD }, 'connect', /refused the connection/],
      [{ ...imap(dovecot, 'ssl'), host: 'no-such-host.invalid', username: 'pw@example.test', password: PASSWORD }, 'connect', /could not be resolved/],
      [{ ...imap(dovecot, 'ssl'), port: dovecot.ports.imap, username: 'pw@example.test', password: PASSWORD }, 'tls', /TLS connection .* failed/],
      [{ ...imap(dovecot, 'starttls'), username: 'pw@example.test', password: PASSWORD, folder: 'No such folder' }, 'open', /folder "No such folder" could not be opened/],
      [{ ...imap(dovecot, 'ssl'), username: 'pw@example.test', password: PASSWORD, status: 'disabled' }, 'config', /disabled/],
      // Request forgery from settings: the cloud metadata address is never contacted.
      [{ ...imap(dovecot, 'ssl'), host: '169.254.169.254', username: 'pw@example.test', password: PASSWORD }, 'connect', /169\.254\.169\.254 is in a network this server never connects to/],
    ];
    for (const [fields, stage, message] of cases) {
      const res = await check(await mailbox(fields));
      expect({ stage: res.check.stage, message: res.notice.message, type: res.notice.type }).toEqual({ stage, message: expect.stringMatching(message), type: 'error' });
      expect(res.notice.message).not.toMatch(/\.\./);
      expect(res.record.params.lastCheckStatus).toBe('failed');
    }
  });

  it('refreshes an expired access token and is green', async () => {
    await peer.setAccessTokenTtl(2);
    const client = await validatedClient('dave@example.test');
    await peer.setAccessTokenTtl(3600);
    await new Promise((r) => setTimeout(r, 2500));
    const before = await peer.requests('/token');
    const res = await check(await mailbox({ ...imap(dovecot, 'ssl'), username: 'dave@example.test', oauthClientId: client }));
    expect(res.notice.type).toBe('success');
    expect((await peer.requests('/token')) - before).toBe(1);
  });

  it('is red for a revoked token and marks the client for validation again', async () => {
    const client = await validatedClient('carol@example.test');
    const id = await mailbox({ ...imap(dovecot, 'ssl'), username: 'carol@example.test', oauthClientId: client });
    expect((await check(id)).notice.type).toBe('success');
    await peer.revokeAccount('carol@example.test');
    const res = await check(id);
    expect(res.notice).toEqual({ type: 'error', message: expect.stringMatching(/must be validated again/) });
    const [row] = await t.app.get(DataSource).query(`SELECT "validationStatus" FROM oauth_client WHERE id = '${client}'`);
    expect(row.validationStatus).toBe('needs_revalidation');
  });

  it('is red but keeps the client valid when the authorization server is down', async () => {
    const id = await mailbox({ ...imap(dovecot, 'ssl'), username: 'alice@example.test', oauthClientId: alice });
    await peer.fault('/token/introspection', { status: 500, times: 10 });
    const res = await check(id);
    expect(res.notice.type).toBe('error');
    expect(res.notice.message).toMatch(/could not check the login right now/);
    await peer.reset();
    const [row] = await t.app.get(DataSource).query(`SELECT "validationStatus" FROM oauth_client WHERE id = '${alice}'`);
    expect(row.validationStatus).toBe('valid');
  });

  it('is red for a disabled client', async () => {
    const client = await validatedClient('erin@example.test');
    const id = await mailbox({ ...imap(dovecot, 'ssl'), username: 'erin@example.test', oauthClientId: client });
    const edit = await agent.get(`${API}/OAuthClient/records/${client}/show`);
    const p = edit.body.record.params;
    await submit(agent, `${API}/OAuthClient/records/${client}/edit`, { name: p.name, provider: p.provider, type: p.type, clientId: p.clientId, authorizeUrl: p.authorizeUrl, tokenUrl: p.tokenUrl, scope: p.scope, status: 'disabled' });
    const res = await check(id);
    expect(res.notice.message).toMatch(/is disabled/);
    expect(res.check.stage).toBe('token');
  });

  it('fetchNew returns a delivered message once, over IMAP and POP3; send delivers into the Maildir', async () => {
    const mail = t.app.get(MailboxService);
    const imapBox = await mailbox({ ...imap(dovecot, 'ssl'), username: 'alice@example.test', oauthClientId: alice });
    const popBox = await mailbox({ ...pop3(dovecot, 'ssl'), username: 'alice@example.test', oauthClientId: alice });
    const out = await mailbox({ ...smtp(dovecot, 'starttls'), username: 'alice@example.test', oauthClientId: alice, emailDisplay: 'alice@example.test', displayName: 'Alice' });
    await mail.fetchNew(imapBox);
    await mail.fetchNew(popBox);
    const subject = `Round trip ${randomUUID()}`;
    const sent = await mail.send(out, { to: 'alice@example.test', subject, text: 'Hello from oauth-mail' });
    expect(sent.messageId).toMatch(/@/);
    expect(sink.messages.at(-1)?.raw).toContain(subject);
    const viaImap = await mail.fetchNew(imapBox);
    expect(viaImap.map((m) => m.raw.toString())).toEqual([expect.stringContaining(subject)]);
    expect(await mail.fetchNew(imapBox)).toEqual([]);
    const viaPop = await mail.fetchNew(popBox);
    expect(viaPop.map((m) => m.raw.toString())).toEqual([expect.stringContaining(subject)]);
    expect(await mail.fetchNew(popBox)).toEqual([]);
  });

  // Last: a second app in this process takes over the entities' BaseEntity data source (TypeORM binds it
  // globally), which AdminJS uses; the first app's panel is not used after this.
  it('is red for an untrusted self-signed certificate', async () => {
    const strict = await startTestApp();
    const strictAgent = await strict.login();
    const res = await submit(strictAgent, `${API}/Mailbox/actions/new`, { name: 'strict', host: '127.0.0.1', ...imap(dovecot, 'ssl'), username: 'pw@example.test', password: PASSWORD });
    const checked = await submit(strictAgent, `${API}/Mailbox/records/${res.body.record.params.id}/check`, {});
    expect(checked.body.notice.message).toMatch(/self-signed certificate/);
    expect(checked.body.check.stage).toBe('tls');
    await strict.close();
  });

  it('leaks no password or token into notices, logs or stored messages', async () => {
    const rows = await t.app.get(DataSource).query('SELECT "lastCheckMessage" FROM mailbox');
    const everything = seen.join('\n') + t.output.text + JSON.stringify(rows);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toMatch(/Bearer [\w-]{10,}/);
  });
});
