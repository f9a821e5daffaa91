import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer as createTlsServer, type Server } from 'node:tls';
import { createServer as createHttpsServer } from 'node:https';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailboxService, MailboxSettingsService, OAUTH_MAIL_ENTITIES, OAuthMailModule } from '@app/oauth-mail';
import { TokenEndpointClient } from '@app/oauth-mail/tokens/token-endpoint.client.js';
import { createTestDatabase, libraryDataSourceOptions, type TestDatabase } from '../../../test/support/test-database.js';
import { testCertificates, type KeyAndCertificate, type TestCertificates } from '../../../test/support/test-certificates.js';

const KEY = 'tls:' + Buffer.alloc(32, 31).toString('base64');

/**
 * TLS contexts are built once and shared (issue #12): verification must stay
 * exactly as strict. Every transport and the token endpoint meet a server
 * presenting a self-signed, an expired and a mismatched certificate.
 */
describe('Certificate checks with shared TLS contexts', () => {
  let db: TestDatabase;
  let certs: TestCertificates;
  let app: INestApplicationContext;
  const servers: Server[] = [];

  /** A TLS listener presenting `cert`; it never gets past the handshake with a client that checks. */
  async function tlsServer(cert: KeyAndCertificate): Promise<number> {
    const server = createTlsServer(cert, (socket) => socket.end());
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return (server.address() as { port: number }).port;
  }

  beforeAll(async () => {
    certs = testCertificates();
    db = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({ ...libraryDataSourceOptions(db), entities: [...OAUTH_MAIL_ENTITIES] }),
        OAuthMailModule.forRoot({
          encryptionKey: KEY,
          publicBaseUrl: 'https://mail-admin.example.com',
          mailTrustedCa: [certs.ca],
          mailStepTimeoutMs: 3000,
          httpTimeoutMs: 3000,
          // A name the certificates do not carry, on the same loopback address.
          resolveHost: async () => [{ address: '127.0.0.1', family: 4 }],
        }),
      ],
    }).compile();
    app = await moduleRef.init();
  });
  afterAll(async () => {
    await app?.close();
    for (const server of servers) server.close();
    await db?.drop();
  });

  const check = async (protocol: 'imap' | 'pop3' | 'smtp', host: string, port: number) => {
    const created = await app.get(MailboxSettingsService).create({
      name: `tls-${randomUUID().slice(0, 6)}`, direction: protocol === 'smtp' ? 'outgoing' : 'incoming', protocol, host, port, encryption: 'ssl',
      username: 'ann@example.test', password: 'CANARY-TLS-PASSWORD',
    });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    return app.get(MailboxService).check(created.value.id);
  };

  describe.each(['imap', 'pop3', 'smtp'] as const)('%s', (protocol) => {
    it('refuses a self-signed certificate', async () => {
      expect(await check(protocol, '127.0.0.1', await tlsServer(certs.selfSigned))).toMatchObject({ ok: false, stage: 'tls', code: 'MAIL_TLS_FAILED', message: expect.stringContaining('a self-signed certificate') });
    });

    it('refuses an expired certificate from a trusted CA', async () => {
      expect(await check(protocol, '127.0.0.1', await tlsServer(certs.expired))).toMatchObject({ ok: false, stage: 'tls', code: 'MAIL_TLS_FAILED', message: expect.stringContaining('an expired certificate') });
    });

    it('refuses a valid certificate for another name', async () => {
      expect(await check(protocol, 'mail.other.test', await tlsServer(certs.valid))).toMatchObject({ ok: false, stage: 'tls', code: 'MAIL_TLS_FAILED', message: expect.stringContaining('a certificate for another name') });
    });

    it('gets past the handshake with the valid certificate under its own name (the shared context trusts the CA)', async () => {
      // The listener closes right after the handshake: the failure, if any, is no longer a TLS one.
      expect(await check(protocol, 'localhost', await tlsServer(certs.valid))).toMatchObject({ ok: false, stage: expect.not.stringMatching(/^tls$/) });
    });
  });

  describe('token endpoint', () => {
    async function tokenServer(cert: KeyAndCertificate): Promise<{ port: number; requests: () => number }> {
      let requests = 0;
      const server = createHttpsServer(cert, (_req, res) => {
        requests++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'a', token_type: 'Bearer', expires_in: 60 }));
      });
      servers.push(server);
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      return { port: (server.address() as { port: number }).port, requests: () => requests };
    }
    const refresh = (host: string, port: number) =>
      app.get(TokenEndpointClient).refresh({ tokenUrl: `https://${host}:${port}/token`, clientId: 'c', clientSecret: 'CANARY-TLS-SECRET', proxy: null, verifySsl: true }, 'CANARY-TLS-REFRESH');

    it.each([
      ['a self-signed certificate', 'selfSigned', '127.0.0.1'],
      ['an expired certificate', 'expired', '127.0.0.1'],
      ['a certificate for another name', 'valid', 'token.other.test'],
    ] as const)('refuses %s, and sends nothing', async (_what, which, host) => {
      const server = await tokenServer(certs[which]);
      const error = await refresh(host, server.port).then(() => null, (e: Error & { code?: string }) => e);
      expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: expect.stringMatching(/certificate|TLS/i) });
      expect(error!.message).not.toContain('CANARY');
      expect(server.requests()).toBe(0);
    });

    it('accepts the valid certificate under its own name', async () => {
      const server = await tokenServer(certs.valid);
      await expect(refresh('localhost', server.port)).resolves.toMatchObject({ accessToken: 'a' });
      expect(server.requests()).toBe(1);
    });
  });
});
