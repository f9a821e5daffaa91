// P1 (issue #12): MailboxService.check against a raw client doing the same protocol steps on the
// same Dovecot, pair by pair in one run, the order alternating per round so drift cancels out.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import nodemailer from 'nodemailer';
import { bootAdmin } from './admin-app.mjs';
import { loadPeer, pair, ratioRow } from './peers.mjs';

const USER = 'bench@example.test';
const PASSWORD = 'bench-password';

/** Rows for bench/run.mjs: median of each side, min–max, N, ratio and goal. */
export async function checkLatency(boot, lib, { rounds = 40 } = {}) {
  const { DovecotPeer } = await loadPeer('dovecot-peer');
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const key = { kid: 'bench-key', alg: 'RS256', publicKeyPem: await exportSPKI(publicKey) };
  // Tokens are checked locally by Dovecot, and a Check never relays: issuer and relay are never contacted.
  const dovecot = await DovecotPeer.start({ issuer: 'http://127.0.0.1:9', relayPort: 9, users: { [USER]: PASSWORD }, jwtValidationKey: key });
  const app = await boot({ mailTrustedCa: [dovecot.certificate] });
  try {
    const token = await new SignJWT({ email: USER, scope: 'mail' }).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid }).setSubject(USER).setIssuedAt().setExpirationTime('2h').sign(privateKey);
    const created = await app.get(lib.OAuthClientService).create({
      name: 'Bench mail', provider: 'generic', type: 'mailbox', clientId: 'bench-mail', clientSecret: 'bench-secret',
      authorizeUrl: 'https://127.0.0.1/auth', tokenUrl: 'https://127.0.0.1/token', scope: 'mail offline_access',
    });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const now = Date.now();
    await app.get(lib.TokenService).saveValidation(created.value, { accessToken: token, refreshToken: 'r', tokenType: 'Bearer', expiresAt: now + 7_200_000, scope: 'mail', idToken: null, receivedAt: now }, USER);

    const settings = app.get(lib.MailboxSettingsService);
    const mailbox = async (fields) => {
      const made = await settings.create({ name: `bench ${fields.protocol} ${fields.oauthClientId ? 'oauth' : 'password'}`, host: '127.0.0.1', encryption: 'starttls', username: USER, ...fields });
      if (!made.ok) throw new Error(JSON.stringify(made.errors));
      return made.value.id;
    };
    const ids = {
      imap: await mailbox({ direction: 'incoming', protocol: 'imap', port: dovecot.ports.imap, password: PASSWORD }),
      imapToken: await mailbox({ direction: 'incoming', protocol: 'imap', port: dovecot.ports.imap, oauthClientId: created.value.id }),
      pop3: await mailbox({ direction: 'incoming', protocol: 'pop3', port: dovecot.ports.pop3, password: PASSWORD }),
      smtp: await mailbox({ direction: 'outgoing', protocol: 'smtp', port: dovecot.ports.submission, password: PASSWORD }),
    };
    const mail = app.get(lib.MailboxService);
    const check = (id) => async () => {
      const result = await mail.check(id);
      if (!result.ok) throw new Error(`bench Check failed: ${result.message}`);
    };
    // The raw clients trust the one certificate (the product: the system's roots plus it).
    const ca = [dovecot.certificate];
    const rawImap = (auth) => async () => {
      const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.ports.imap, secure: false, doSTARTTLS: true, auth, tls: { ca }, logger: false, disableAutoIdle: true });
      client.on('error', () => undefined);
      await client.connect();
      await client.mailboxOpen('INBOX', { readOnly: true });
      await client.logout();
    };
    const rawPop3 = async () => {
      const client = await lib.Pop3Client.connect({ host: '127.0.0.1', port: dovecot.ports.pop3, encryption: 'starttls', tls: { ca, rejectUnauthorized: true } });
      await client.loginPassword(USER, PASSWORD);
      await client.stat();
      await client.quit();
    };
    const rawSmtp = async () => {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: dovecot.ports.submission, secure: false, requireTLS: true, auth: { user: USER, pass: PASSWORD }, tls: { ca } });
      await transport.verify();
      transport.close();
    };
    const cases = [
      ['MailboxService.check IMAP, password, STARTTLS', ids.imap, 'imapflow connect+LOGIN+EXAMINE+LOGOUT', rawImap({ user: USER, pass: PASSWORD })],
      ['MailboxService.check IMAP, XOAUTH2/OAUTHBEARER, stored token', ids.imapToken, 'imapflow with accessToken', rawImap({ user: USER, accessToken: token })],
      ['MailboxService.check POP3, password, STLS', ids.pop3, 'Pop3Client STLS+USER/PASS+STAT+QUIT', rawPop3],
      ['MailboxService.check SMTP, password, STARTTLS', ids.smtp, 'nodemailer verify()', rawSmtp],
    ];
    const rows = [];
    for (const [name, id, baseline, raw] of cases) {
      const { p, r } = await pair(check(id), raw, rounds);
      rows.push(ratioRow(name, p, baseline, r, '≤ 1.10', 1.1));
    }
    rows.push(await adminCheck(dovecot, rawImap({ user: USER, pass: PASSWORD }), rounds));
    return rows;
  } finally {
    await app.close();
    dovecot.stop();
  }
}

/** The admin's Check button over HTTP (`POST …/records/<id>/check` on a signed-in session) against raw imapflow. */
async function adminCheck(dovecot, rawImap, rounds) {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mail-bench-admin-check-'));
  writeFileSync(join(dir, 'ca.pem'), dovecot.certificate);
  const { call, close } = await bootAdmin({ DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'admin.sqlite')}`, OAUTH_MAIL_TRUSTED_CA_FILE: join(dir, 'ca.pem') });
  try {
    const form = new FormData();
    const fields = { name: 'bench admin check', direction: 'incoming', protocol: 'imap', host: '127.0.0.1', port: dovecot.ports.imap, encryption: 'starttls', username: USER, password: PASSWORD };
    for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
    const { json } = await call('POST', '/admin/api/resources/Mailbox/actions/new', form);
    const id = json.record?.params?.id;
    if (!id) throw new Error(`bench mailbox not created: ${JSON.stringify(json.record?.errors ?? json.notice)}`);
    const check = async () => {
      const { json: checked } = await call('POST', `/admin/api/resources/Mailbox/records/${id}/check`);
      if (checked.notice?.type !== 'success') throw new Error(`bench admin Check failed: ${checked.notice?.message}`);
    };
    const { p, r } = await pair(check, rawImap, rounds);
    return ratioRow('admin Check over HTTP, IMAP, password, STARTTLS (signed in)', p, 'imapflow connect+LOGIN+EXAMINE+LOGOUT', r, '≤ 1.15', 1.15);
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
}
