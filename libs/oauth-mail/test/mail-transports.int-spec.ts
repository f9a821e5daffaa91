import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import {
  Mailbox,
  MailboxService,
  MailboxSettingsService,
  MailboxUnavailableError,
  OAuthClient,
  OAuthClientService,
  OAUTH_MAIL_ENTITIES,
  OAuthMailModule,
  TokenService,
  type MailSession,
  type MailTransport,
  type OAuthMailModuleOptions,
  type TransportResult,
} from '@app/oauth-mail';
import { classifySmtpError } from '@app/oauth-mail/transports/smtp/smtp.transport.js';
import { DovecotPeer, freePort } from '../../../test/support/dovecot-peer.js';
import { StarttlsAttackProxy, type StarttlsAttack } from '../../../test/support/starttls-attack.proxy.js';
import { createTestDatabase, libraryDataSourceOptions, type TestDatabase } from '../../../test/support/test-database.js';

const KEY = 'tr:' + Buffer.alloc(32, 31).toString('base64');
const BASE = 'https://mail-admin.example.com';
const USER = 'jwt@example.test';

describe('Mail transports', () => {
  let db: TestDatabase;
  const apps: INestApplicationContext[] = [];

  async function boot(extra: Partial<OAuthMailModuleOptions> = {}) {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({ ...libraryDataSourceOptions(db), entities: [...OAUTH_MAIL_ENTITIES] }),
        OAuthMailModule.forRoot({ encryptionKey: KEY, publicBaseUrl: BASE, mailStepTimeoutMs: 5000, httpTimeoutMs: 1000, ...extra }),
      ],
    }).compile();
    const app = await moduleRef.init();
    apps.push(app);
    return app;
  }

  async function mailbox(app: INestApplicationContext, fields: Record<string, unknown>) {
    const created = await app.get(MailboxSettingsService).create({ name: `mb-${randomUUID().slice(0, 6)}`, direction: 'incoming', protocol: 'imap', host: '127.0.0.1', encryption: 'ssl', username: USER, ...fields });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    return created.value.id;
  }

  /** A Mailbox-type client whose stored access token is `accessToken` (its token endpoint is a closed loopback port). */
  async function clientWithToken(app: INestApplicationContext, accessToken: string) {
    const clientId = `jwt-${randomUUID().slice(0, 8)}`;
    const created = await app.get(OAuthClientService).create({
      name: clientId, provider: 'generic', type: 'mailbox', clientId, clientSecret: 'secret-1',
      authorizeUrl: 'http://127.0.0.1:9/auth', tokenUrl: 'http://127.0.0.1:9/token', scope: 'openid email offline_access mail',
    });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const now = Date.now();
    await app.get(TokenService).saveValidation(created.value, { accessToken, refreshToken: 'rt-1', tokenType: 'Bearer', expiresAt: now + 3600_000, scope: null, idToken: null, receivedAt: now }, USER);
    return created.value.id;
  }

  /** Counts every getAccessToken call, and those after a refusal. */
  function countTokenCalls(app: INestApplicationContext) {
    const tokens = app.get(TokenService);
    const original = tokens.getAccessToken.bind(tokens);
    const calls = { all: 0, rejected: 0 };
    tokens.getAccessToken = (id, options) => {
      calls.all++;
      if (options?.rejected) calls.rejected++;
      return original(id, options);
    };
    return calls;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  describe('the transport seam', () => {
    it('runs a Check end to end through a transport registered with the transports option, and records its outcome', async () => {
      const seen: MailSession[] = [];
      const fake: MailTransport = {
        tokenAudience: 'mail',
        fields: ['folder'],
        endpoint: (m) => ({ kind: 'socket', host: m.host, port: m.port, encryption: m.encryption }),
        async check(session) {
          seen.push(session);
          return { ok: true, value: 'the fake transport was reached' };
        },
      };
      const app = await boot({ transports: { imap: fake } });
      const id = await mailbox(app, { port: 993, password: 'pw-seam' });

      const result = await app.get(MailboxService).check(id);

      expect(result).toEqual({ ok: true, protocol: 'imap', message: 'Connection Successful: the fake transport was reached.', checkedAt: expect.any(Date) });
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ endpoint: { kind: 'socket', host: '127.0.0.1', port: 993, encryption: 'ssl' }, username: USER, credential: { kind: 'password', password: 'pw-seam' } });
      expect(typeof seen[0].lookup).toBe('function');
      const row = await app.get(DataSource).getRepository(Mailbox).findOneByOrFail({ id });
      expect(row).toMatchObject({ lastCheckStatus: 'ok', lastCheckMessage: 'Connection Successful: the fake transport was reached.' });
      // The outcome round-trips exactly (the statement is built once, with TypeORM's value conversion), and is not an edit.
      expect(row.lastCheckAt?.getTime()).toBe(result.checkedAt.getTime());
      const before = await app.get(DataSource).getRepository(Mailbox).findOneByOrFail({ id });
      await app.get(MailboxService).check(id);
      const again = await app.get(DataSource).getRepository(Mailbox).findOneByOrFail({ id });
      expect(again.updatedAt.getTime()).toBe(before.updatedAt.getTime());
      expect(again.lastCheckAt!.getTime()).toBeGreaterThanOrEqual(row.lastCheckAt!.getTime());
      expect(again.oauthClientId).toBeNull();
    });

    it('after a refused password names the Username and the Password, and on Microsoft 365 and Google suggests an OAuth client', async () => {
      const fake: MailTransport = {
        tokenAudience: 'mail',
        fields: ['folder'],
        endpoint: (m) => ({ kind: 'socket', host: m.host, port: m.port, encryption: m.encryption }),
        check: async () => ({ ok: false, protocol: 'imap', stage: 'auth', code: 'MAIL_AUTH_FAILED', message: 'The server refused the login: Authentication failed.', retryable: false }),
      };
      const app = await boot({ transports: { imap: fake }, resolveHost: async () => [{ address: '127.0.0.1', family: 4 }] });
      const message = async (host: string) => {
        const result = await app.get(MailboxService).check(await mailbox(app, { host, port: 993, password: 'pw-wrong' }));
        expect(result).toMatchObject({ ok: false, stage: 'auth', code: 'MAIL_AUTH_FAILED' });
        return result.ok ? '' : result.message;
      };
      const plain = `The server refused the login: Authentication failed. Check the Username (${USER}) and the Password: enter the password again and save.`;
      expect(await message('127.0.0.1')).toBe(plain);
      expect(await message('outlook.office365.com')).toBe(`${plain} outlook.office365.com is a mail server of Azure (Microsoft 365), where password logins are usually refused: create an OAuth client with the provider Azure (Microsoft 365), validate it and choose it as this mailbox's OAuth Client instead of a password.`);
      expect(await message('imap.gmail.com')).toMatch(/imap\.gmail\.com is a mail server of Google, where password logins are usually refused: create an OAuth client/);
    });

    it('hands the OAuth client\'s token to the transport, retries once after a refusal, and never after another failure', async () => {
      const tokensSeen: string[] = [];
      let answer: TransportResult<string> = { ok: false, protocol: 'imap', stage: 'auth', code: 'MAIL_AUTH_FAILED', message: 'The server refused the login.', retryable: false };
      const fake: MailTransport = {
        tokenAudience: 'mail',
        fields: ['folder'],
        endpoint: (m) => ({ kind: 'socket', host: m.host, port: m.port, encryption: m.encryption }),
        async check(session) {
          if (session.credential.kind === 'token') tokensSeen.push(session.credential.accessToken);
          return answer;
        },
      };
      const app = await boot({ transports: { imap: fake } });
      const calls = countTokenCalls(app);
      const id = await mailbox(app, { port: 993, oauthClientId: await clientWithToken(app, 'stored-token-1') });

      // Refused: the token is refreshed (at a token endpoint that is down), so the Check ends at the token step.
      const refused = await app.get(MailboxService).check(id);
      expect(refused).toMatchObject({ ok: false, stage: 'token', code: 'PROVIDER_UNAVAILABLE' });
      expect(tokensSeen).toEqual(['stored-token-1']);
      expect(calls).toEqual({ all: 2, rejected: 1 });

      answer = { ok: false, protocol: 'imap', stage: 'auth', code: 'MAIL_PROTOCOL_ERROR', message: 'malformed', retryable: false };
      const malformed = await app.get(MailboxService).check(id);
      expect(malformed).toMatchObject({ ok: false, stage: 'auth', code: 'MAIL_PROTOCOL_ERROR' });
      expect(calls).toEqual({ all: 3, rejected: 1 });
    });

    it('gives a config-stage failure for an operation the transport does not have, never "Connection Successful: undefined"', async () => {
      const bare: MailTransport = { tokenAudience: 'mail', fields: [], endpoint: (m) => ({ kind: 'socket', host: m.host, port: m.port, encryption: m.encryption }) };
      const app = await boot({ transports: { imap: bare, smtp: bare } });
      const id = await mailbox(app, { port: 993, password: 'pw' });
      const mail = app.get(MailboxService);

      expect(await mail.check(id)).toMatchObject({ ok: false, stage: 'config', code: 'MAIL_CONFIG_INVALID' });
      await expect(mail.fetchNew(id)).rejects.toMatchObject({ failure: { stage: 'config', code: 'MAIL_CONFIG_INVALID' } });
      await expect(mail.withImap(id, async () => 1)).rejects.toBeInstanceOf(MailboxUnavailableError);
      const out = await mailbox(app, { direction: 'outgoing', protocol: 'smtp', port: 465, password: 'pw' });
      await expect(mail.send(out, { to: 'x@example.test', text: 'x' })).rejects.toMatchObject({ failure: { stage: 'config' } });
      const row = await app.get(DataSource).getRepository(Mailbox).findOneByOrFail({ id });
      expect(row.lastCheckMessage).not.toMatch(/undefined/);
    });
  });

  describe('connect-time egress (DNS rebinding)', () => {
    let listener: Server;
    let port: number;
    let connections = 0;

    beforeAll(async () => {
      port = await freePort();
      listener = createServer((socket) => {
        connections++;
        socket.destroy();
      });
      await new Promise<void>((r) => listener.listen(port, '127.0.0.1', r));
    });
    afterAll(() => new Promise<void>((r) => listener.close(() => r())));

    it.each(['imap', 'pop3', 'smtp'] as const)('refuses %s when the name answers a blocked address at connect time, before any connection', async (protocol) => {
      let lookups = 0;
      // First answer (the pre-flight) loopback, then a link-local address, as a rebinding name would.
      const app = await boot({ resolveHost: async () => [{ address: lookups++ === 0 ? '127.0.0.1' : '169.254.7.7', family: 4 }] });
      const id = await mailbox(app, { direction: protocol === 'smtp' ? 'outgoing' : 'incoming', protocol, host: 'mail.rebind.test', port, password: 'pw' });
      lookups = 0;
      connections = 0;

      const result = await app.get(MailboxService).check(id);

      expect(result).toMatchObject({ ok: false, stage: 'connect', code: 'EGRESS_BLOCKED', message: expect.stringMatching(/169\.254\.7\.7/) });
      expect(lookups).toBe(2);
      expect(connections).toBe(0);
    });

    it.each(['imap', 'pop3', 'smtp'] as const)('connects %s to the address the resolver gives when it stays allowed (the listener counts)', async (protocol) => {
      const app = await boot({ resolveHost: async () => [{ address: '127.0.0.1', family: 4 }] });
      const id = await mailbox(app, { direction: protocol === 'smtp' ? 'outgoing' : 'incoming', protocol, host: 'mail.rebind.test', port, password: 'pw' });
      connections = 0;
      const result = await app.get(MailboxService).check(id);
      expect(result.ok).toBe(false);
      expect(connections).toBeGreaterThanOrEqual(1);
    });
  });

  describe('long JWT access tokens (RFC 4954, 4959, 5034 line limits) against Dovecot', () => {
    let xoauth2Only: DovecotPeer;
    let bothMechanisms: DovecotPeer;
    let app: INestApplicationContext;
    let jwt: string;
    let client: string;
    let sign: (subject: string) => Promise<string>;

    beforeAll(async () => {
      const { publicKey, privateKey } = await generateKeyPair('RS256');
      const key = { kid: 'test-key', alg: 'RS256', publicKeyPem: await exportSPKI(publicKey) };
      // The relay and issuer are never used: tokens are checked locally, and a Check does not relay.
      const common = { issuer: 'http://127.0.0.1:9', relayPort: 9, jwtValidationKey: key };
      xoauth2Only = await DovecotPeer.start({ ...common, mechanisms: ['plain', 'login', 'xoauth2'] });
      bothMechanisms = await DovecotPeer.start({ ...common, anyUsernameChars: true });
      sign = (subject) => new SignJWT({ email: subject, scope: 'mail', padding: 'p'.repeat(2000) })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
        .setSubject(subject)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey);
      jwt = await sign(USER);
      app = await boot({ mailTrustedCa: [xoauth2Only.certificate, bothMechanisms.certificate] });
      client = await clientWithToken(app, jwt);
    });
    afterAll(() => {
      xoauth2Only?.stop();
      bothMechanisms?.stop();
    });

    // imapflow picks OAUTHBEARER when offered and did not escape the name; without the escaping this login is refused.
    it('B31 logs in over IMAP with OAUTHBEARER as a username holding "," and "=" (sent as =2C and =3D, RFC 7628)', async () => {
      const protocol = 'imap';
      const odd = 'ops,desk=1@example.test';
      const oddClient = await clientWithToken(app, await sign(odd));
      const id = await mailbox(app, { protocol, encryption: 'ssl', port: bothMechanisms.ports.imaps, username: odd, oauthClientId: oddClient });
      // Dovecot compares the token's subject with the name it unescaped from the GS2 header.
      expect(await app.get(MailboxService).check(id)).toEqual({ ok: true, protocol, message: expect.stringMatching(/^Connection Successful: /), checkedAt: expect.any(Date) });
    });

    it('uses a token of at least 2 KB', () => {
      expect(jwt.length).toBeGreaterThanOrEqual(2048);
    });

    it.each([
      ['imap', 'ssl', 'xoauth2Only'], ['imap', 'starttls', 'xoauth2Only'], ['imap', 'ssl', 'bothMechanisms'],
      ['pop3', 'ssl', 'xoauth2Only'], ['pop3', 'starttls', 'xoauth2Only'], ['pop3', 'ssl', 'bothMechanisms'],
      ['smtp', 'starttls', 'xoauth2Only'], ['smtp', 'ssl', 'xoauth2Only'],
    ] as const)('is green for %s over %s (%s)', async (protocol, encryption, server) => {
      const d = server === 'xoauth2Only' ? xoauth2Only : bothMechanisms;
      const ports = { imap: { ssl: d.ports.imaps, starttls: d.ports.imap }, pop3: { ssl: d.ports.pop3s, starttls: d.ports.pop3 }, smtp: { ssl: d.ports.submissions, starttls: d.ports.submission } };
      const calls = countTokenCalls(app);
      const id = await mailbox(app, { direction: protocol === 'smtp' ? 'outgoing' : 'incoming', protocol, encryption, port: ports[protocol][encryption], oauthClientId: client });
      const result = await app.get(MailboxService).check(id);
      expect(result).toEqual({ ok: true, protocol, message: expect.stringMatching(/^Connection Successful: /), checkedAt: expect.any(Date) });
      expect(calls.rejected).toBe(0);
    });

    it('is red for a long JWT signed by another key (Dovecot really checks the signature)', async () => {
      const other = await generateKeyPair('RS256');
      const forged = await new SignJWT({ padding: 'p'.repeat(2000) }).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'test-key' }).setSubject(USER).setExpirationTime('1h').sign(other.privateKey);
      const id = await mailbox(app, { port: xoauth2Only.ports.imaps, oauthClientId: await clientWithToken(app, forged) });
      // Refused, so the token is refreshed once, at a token endpoint that is down.
      expect(await app.get(MailboxService).check(id)).toMatchObject({ ok: false, stage: 'token' });
    });

    it('logged in with XOAUTH2 and OAUTHBEARER, and never hit a line limit', () => {
      expect(xoauth2Only.log()).toMatch(/method=XOAUTH2/);
      expect(bothMechanisms.log()).toMatch(/method=OAUTHBEARER/);
      expect(xoauth2Only.log() + bothMechanisms.log()).not.toMatch(/too long/i);
    });

    it('reads the old single-line AUTH XOAUTH2 ("500 5.5.2 Line too long") as a protocol error, not as a refused token', async () => {
      // nodemailer's own XOAUTH2, as the SMTP transport used it before: the whole response on the AUTH line.
      const oneLine: MailTransport = {
        tokenAudience: 'mail',
        fields: ['folder'],
        endpoint: (m) => ({ kind: 'socket', host: m.host, port: m.port, encryption: m.encryption }),
        async check(session) {
          const transport = nodemailer.createTransport({
            host: '127.0.0.1', port: xoauth2Only.ports.submission, requireTLS: true, tls: { secureContext: session.secureContext },
            auth: { type: 'OAuth2', user: session.username, accessToken: session.credential.kind === 'token' ? session.credential.accessToken : '' },
          });
          try {
            await transport.verify();
            return { ok: true, value: 'accepted' };
          } catch (error) {
            return classifySmtpError(error, session);
          } finally {
            transport.close();
          }
        },
      };
      const legacy = await boot({ transports: { smtp: oneLine }, mailTrustedCa: [xoauth2Only.certificate] });
      const calls = countTokenCalls(legacy);
      const id = await mailbox(legacy, { direction: 'outgoing', protocol: 'smtp', encryption: 'starttls', port: xoauth2Only.ports.submission, oauthClientId: client });
      const result = await legacy.get(MailboxService).check(id);
      expect(result).toMatchObject({ ok: false, stage: 'auth', code: 'MAIL_PROTOCOL_ERROR', message: expect.stringMatching(/Line too long/) });
      expect(result.message).not.toContain(jwt.slice(0, 40));
      expect(calls).toEqual({ all: 1, rejected: 0 });
    });

    it('does not refresh after a 501 syntax reply to AUTH, and does after a 535', async () => {
      for (const [reply, stage, code, rejected] of [[501, 'auth', 'MAIL_PROTOCOL_ERROR', 0], [535, 'token', 'PROVIDER_UNAVAILABLE', 1]] as const) {
        const server = new SMTPServer({
          secure: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true, authMethods: ['XOAUTH2'], logger: false,
          onAuth(_auth: unknown, _session: unknown, done: (error: Error | null) => void) {
            done(Object.assign(new Error(reply === 501 ? '5.5.4 Syntax error in parameters' : '5.7.8 Authentication failed'), { responseCode: reply }));
          },
        });
        const port = await freePort();
        await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
        try {
          // Plain SMTP on loopback: the row is written directly, as the validator asks for TLS with a token.
          const id = await mailbox(app, { direction: 'outgoing', protocol: 'smtp', encryption: 'starttls', port, oauthClientId: client });
          await app.get(DataSource).getRepository(Mailbox).update({ id }, { encryption: 'none' });
          const calls = countTokenCalls(app);
          const result = await app.get(MailboxService).check(id);
          expect(result).toMatchObject({ ok: false, stage, code });
          expect(calls.rejected).toBe(rejected);
        } finally {
          await new Promise<void>((r) => server.close(() => r()));
        }
      }
      // The 535 made the service ask for a refresh, which failed at the closed token endpoint; the client stays usable.
      const row = await app.get(DataSource).getRepository(OAuthClient).findOneByOrFail({ id: client });
      expect(row.validationStatus).toBe('valid');
    });
  });

  describe('F12 STARTTLS attacks, through a man in the middle in front of Dovecot', () => {
    const PASSWORD = 'CANARY-F12-password';
    let dovecot: DovecotPeer;
    let app: INestApplicationContext;
    let token: string;
    let client: string;

    beforeAll(async () => {
      const { publicKey, privateKey } = await generateKeyPair('RS256');
      const key = { kid: 'f12-key', alg: 'RS256', publicKeyPem: await exportSPKI(publicKey) };
      dovecot = await DovecotPeer.start({ issuer: 'http://127.0.0.1:9', relayPort: 9, users: { [USER]: PASSWORD }, jwtValidationKey: key });
      token = await new SignJWT({ email: USER, scope: 'mail' }).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid }).setSubject(USER).setIssuedAt().setExpirationTime('1h').sign(privateKey);
      app = await boot({ mailTrustedCa: [dovecot.certificate] });
      client = await clientWithToken(app, token);
    });
    afterAll(() => dovecot?.stop());

    /** Whether `wire` carries `secret`, as is or inside any base64 word (AUTH PLAIN, XOAUTH2, OAUTHBEARER). */
    const carries = (wire: string, secret: string) =>
      wire.includes(secret) || wire.split(/[\s"]+/).some((word) => /^[A-Za-z0-9+/=]{8,}$/.test(word) && Buffer.from(word, 'base64').toString('latin1').includes(secret));

    it.each((['strip', 'inject'] as const).flatMap((attack) => (['imap', 'pop3', 'smtp'] as const).flatMap((protocol) => (['password', 'token'] as const).map((credential) => [attack, protocol, credential] as const))))(
      'F12 %s: %s with a %s sends no credential in clear, and aborts unless only TLS carried the session',
      async (attack: StarttlsAttack, protocol, credential) => {
        const port = { imap: dovecot.ports.imap, pop3: dovecot.ports.pop3, smtp: dovecot.ports.submission }[protocol];
        const proxy = await StarttlsAttackProxy.start(protocol, port, attack);
        try {
          const id = await mailbox(app, {
            direction: protocol === 'smtp' ? 'outgoing' : 'incoming', protocol, encryption: 'starttls', port: proxy.port,
            ...(credential === 'password' ? { password: PASSWORD } : { oauthClientId: client }),
          });
          const result = await app.get(MailboxService).check(id);
          if (attack === 'inject' && protocol === 'smtp') {
            // nodemailer discards what came before the handshake (RFC 3207 §6) and logs in over TLS with the real server.
            expect(result).toMatchObject({ ok: true });
          } else {
            expect(result).toMatchObject({ ok: false, stage: 'tls', ...(attack === 'strip' && { code: 'MAIL_STARTTLS_UNAVAILABLE' }) });
          }
          // The client spoke: the attack was met, not a dead port.
          expect(proxy.wire).toMatch(/\r\n/);
          expect(carries(proxy.wire, credential === 'password' ? PASSWORD : token)).toBe(false);
          // Nor did any login command: not even the user name went out in clear.
          expect(proxy.wire).not.toMatch(/AUTHENTICATE|AUTH (PLAIN|LOGIN|XOAUTH2|OAUTHBEARER)|\bLOGIN \S|^USER |^PASS /im);
        } finally {
          await proxy.stop();
        }
      },
    );
  });
});
