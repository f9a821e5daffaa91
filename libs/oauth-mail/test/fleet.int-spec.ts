import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { MAIL_TRANSPORTS, Mailbox, MailboxService, MailboxSettingsService, type MailboxCheckOutcome, type MailTransport } from '@app/oauth-mail';
import { ExampleHostModule } from '../../../src/example-host.module.js';
import { DovecotPeer } from '../../../test/support/dovecot-peer.js';
import { createTestDatabase, libraryDataSourceOptions, type TestDatabase } from '../../../test/support/test-database.js';

const KEY = 'fl:' + Buffer.alloc(32, 41).toString('base64');
const USERS = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`user${i}@example.test`, `password-${i}`]));
const SHARED = 'shared@example.test';

/** The real IMAP transport, counting the Checks each username has under way and the most at once. */
function countingImap() {
  const imap = MAIL_TRANSPORTS.imap;
  const now = new Map<string, number>();
  const peak = new Map<string, number>();
  const transport: MailTransport = Object.assign(Object.create(imap) as MailTransport, {
    async check(session: Parameters<NonNullable<MailTransport['check']>>[0]) {
      const n = (now.get(session.username) ?? 0) + 1;
      now.set(session.username, n);
      peak.set(session.username, Math.max(n, peak.get(session.username) ?? 0));
      try {
        return await imap.check(session);
      } finally {
        now.set(session.username, (now.get(session.username) ?? 1) - 1);
      }
    },
  });
  return { transport, peak };
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('MailboxService.checkMany / fetchMany against Dovecot', () => {
  let db: TestDatabase;
  let dovecot: DovecotPeer;
  let app: INestApplicationContext;
  let silent: Server;
  const sockets = new Set<Socket>();
  const imap = countingImap();

  const create = async (fields: Record<string, unknown>) => {
    const made = await app.get(MailboxSettingsService).create({
      name: `fleet-${randomUUID().slice(0, 6)}`, direction: 'incoming', protocol: 'imap', host: '127.0.0.1', encryption: 'ssl', port: dovecot.ports.imaps, ...fields,
    });
    if (!made.ok) throw new Error(JSON.stringify(made.errors));
    return made.value.id;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    // Dovecot refuses a third session of one user from one IP, as a provider's per-account cap does.
    dovecot = await DovecotPeer.start({ issuer: 'http://127.0.0.1:9', relayPort: 9, users: { ...USERS, [SHARED]: 'shared-password' }, maxUserIpConnections: 2 });
    // A server that accepts connections and never says a word.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const moduleRef = await Test.createTestingModule({
      imports: [ExampleHostModule.forRoot(libraryDataSourceOptions(db), { encryptionKey: KEY, publicBaseUrl: 'https://mail-admin.example.com', mailTrustedCa: [dovecot.certificate], mailStepTimeoutMs: 1500, transports: { imap: imap.transport } })],
    }).compile();
    app = await moduleRef.init();
  });
  afterAll(async () => {
    await app?.close();
    for (const s of sockets) s.destroy();
    silent?.close();
    dovecot?.stop();
    await db?.drop();
  });

  it('checks 40 mailboxes, one with a wrong password: each result as it finishes, each outcome recorded', async () => {
    const ids = [];
    for (const [i, [username, password]] of Object.entries(USERS).entries()) ids.push(await create({ username, password: i === 17 ? 'wrong' : password }));
    const outcomes = await all(app.get(MailboxService).checkMany(ids, { concurrency: 8 }));
    expect(outcomes.map((o) => o.mailboxId).sort()).toEqual([...ids].sort());
    const failed = outcomes.filter((o) => !o.result.ok);
    expect(failed).toEqual([{ mailboxId: ids[17], result: expect.objectContaining({ ok: false, stage: 'auth', code: 'MAIL_AUTH_FAILED' }) }]);
    const stored = await app.get(DataSource).getRepository(Mailbox).findBy({});
    const byId = new Map(stored.map((m) => [m.id, m.lastCheckStatus]));
    expect(ids.map((id) => byId.get(id))).toEqual(ids.map((_, i) => (i === 17 ? 'failed' : 'ok')));
  });

  it('keeps one account under its connection limit: perAccount, else the provider\'s figure, else 10', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, () => create({ username: SHARED, password: 'shared-password' })));
    const capped = await all(app.get(MailboxService).checkMany(ids, { concurrency: 12, perAccount: 2 }));
    expect(capped.filter((o) => !o.result.ok)).toEqual([]);
    expect(imap.peak.get(SHARED)).toBe(2);
    // With a higher cap the same run starts them all at once (Dovecot may then refuse some).
    imap.peak.clear();
    await all(app.get(MailboxService).checkMany(ids, { concurrency: 12, perAccount: 12 }));
    expect(imap.peak.get(SHARED)).toBe(12);
    // Unset, the cap is the provider's figure; for a server of no known provider, Dovecot's default of 10.
    imap.peak.clear();
    await all(app.get(MailboxService).checkMany(ids, { concurrency: 12 }));
    expect(imap.peak.get(SHARED)).toBe(10);
  });

  it('selects by filter in pages, and a mailbox that hangs delays the others by nothing beyond its own timeout', async () => {
    const clientless = { protocol: 'pop3' as const };
    const hung = await create({ protocol: 'pop3', encryption: 'none', port: (silent.address() as { port: number }).port, username: 'user1@example.test', password: 'password-1' });
    const good = [];
    for (let i = 0; i < 6; i++) good.push(await create({ protocol: 'pop3', port: dovecot.ports.pop3s, username: `user${i + 2}@example.test`, password: `password-${i + 2}` }));
    const order: MailboxCheckOutcome[] = await all(app.get(MailboxService).checkMany(clientless, { concurrency: 2 }));
    expect(order.map((o) => o.mailboxId).sort()).toEqual([hung, ...good].sort());
    // One slot is held by the silent server until its 1.5 s timeout; the other slot checks all six meanwhile.
    expect(order.at(-1)).toEqual({ mailboxId: hung, result: expect.objectContaining({ ok: false, code: 'MAIL_TIMEOUT' }) });
    expect(order.slice(0, -1).every((o) => o.result.ok)).toBe(true);
  });

  it('stops starting mailboxes when aborted, and reports those under way', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => create({ username: `user${20 + i}@example.test`, password: `password-${20 + i}` })));
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const outcome of app.get(MailboxService).checkMany(ids, { concurrency: 2, signal: controller.signal })) {
      seen.push(outcome.mailboxId);
      controller.abort();
    }
    // The first to finish aborted the run; the other one under way was still reported.
    expect(seen).toHaveLength(2);
  });

  it('fetches new messages of many mailboxes, and reports a failure per mailbox', async () => {
    const ok = await create({ username: 'user30@example.test', password: 'password-30' });
    const refused = await create({ username: 'user31@example.test', password: 'not-it' });
    const outcomes = await all(app.get(MailboxService).fetchMany([ok, refused, randomUUID()], { concurrency: 3 }));
    const byId = new Map(outcomes.map((o) => [o.mailboxId, o]));
    expect(byId.get(ok)).toEqual({ mailboxId: ok, ok: true, messages: [] });
    expect(byId.get(refused)).toMatchObject({ ok: false, failure: { code: 'MAIL_AUTH_FAILED' } });
    expect(outcomes).toHaveLength(3);
    expect(outcomes.find((o) => o.mailboxId !== ok && o.mailboxId !== refused)).toMatchObject({ ok: false, failure: { code: 'NOT_FOUND' } });
  });

  it('refuses a concurrency that is not a whole number of at least 1', () => {
    expect(() => app.get(MailboxService).checkMany([], { concurrency: 0 })).toThrow(/concurrency must be a whole number/);
  });
});
