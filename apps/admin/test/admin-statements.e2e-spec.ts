import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { LdapDirectory, Mailbox, OAuthClient } from '@app/oauth-mail';
import { DataSource, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { startTestApp, type TestApp } from '../../../test/support/test-app.js';

const API = '/admin/api';

/** What each admin request costs in SQL, and the dashboard's figures over a known set of rows. */
describe('Admin requests: statements per request and the dashboard', () => {
  let t: TestApp;
  let agent: Awaited<ReturnType<TestApp['login']>>;
  let statements: string[] = [];

  const insert = (entity: EntityTarget<ObjectLiteral>, rows: ObjectLiteral[]) =>
    t.app.get(DataSource).createQueryBuilder().insert().into(entity).values(rows).callListeners(false).updateEntity(false).execute();
  /** The SQL statements one request runs. */
  async function counted(path: string) {
    statements = [];
    const res = await agent.get(path);
    expect(res.status).toBe(200);
    return { body: res.body, statements: [...statements] };
  }

  beforeAll(async () => {
    t = await startTestApp();
    const logger = t.app.get(DataSource).logger;
    const logQuery = logger.logQuery.bind(logger);
    logger.logQuery = (query, parameters, runner) => {
      statements.push(query);
      logQuery(query, parameters, runner);
    };
    const client = (name: string, validationStatus: string, extra: ObjectLiteral = {}) => ({ id: randomUUID(), name, provider: 'generic', type: 'mailbox', clientId: name, validationStatus, ...extra });
    const clients = [
      client('Zeta', 'valid'),
      client('Alpha', 'error', { lastError: 'The refresh token was revoked.' }),
      client('Beta', 'not_validated'),
      client('Disabled', 'error', { status: 'disabled' }),
      client('Sign-in', 'not_validated', { type: 'user' }),
      ...Array.from({ length: 25 }, (_, i) => client(`Bulk ${String(i).padStart(2, '0')}`, 'needs_revalidation')),
    ];
    await insert(OAuthClient, clients);
    const mailbox = (name: string, lastCheckStatus: string | null, extra: ObjectLiteral = {}) => ({
      id: randomUUID(), name, direction: 'incoming', protocol: 'imap', host: 'imap.example.test', port: 993, encryption: 'ssl', username: `${name}@example.test`, lastCheckStatus, ...extra,
    });
    await insert(Mailbox, [
      ...Array.from({ length: 7 }, (_, i) => mailbox(`ok ${i}`, 'ok')),
      ...Array.from({ length: 24 }, (_, i) => mailbox(`failing ${String(i).padStart(2, '0')}`, 'failed', { lastCheckMessage: `reason ${i}` })),
      mailbox('failing but disabled', 'failed', { status: 'disabled' }),
      mailbox('never checked', null),
    ]);
    await insert(LdapDirectory, [{ id: randomUUID(), name: 'Corp', url: 'ldap://127.0.0.1:1', baseDn: 'dc=example,dc=test', searchFilter: '(mail={{username}})', lastTestStatus: 'failed', lastTestMessage: 'invalid credentials' }]);
    agent = await t.login();
  });
  afterAll(() => t?.close());

  it('the dashboard: exact figures and the first 20 of each list by name, in at most 3 statements including the session', async () => {
    const { body, statements } = await counted(`${API}/dashboard`);
    expect(statements.length).toBeLessThanOrEqual(3);
    expect(body.clients).toMatchObject({ total: 30, valid: 1 });
    // Enabled Mailbox-type clients that are not valid, by name: Alpha, Beta, then the bulk ones.
    expect(body.clients.attention.map((c: { name: string }) => c.name)).toEqual(['Alpha', 'Beta', ...Array.from({ length: 18 }, (_, i) => `Bulk ${String(i).padStart(2, '0')}`)].sort());
    expect(body.clients.attention.find((c: { name: string }) => c.name === 'Alpha')).toMatchObject({ status: 'error', lastError: 'The refresh token was revoked.' });
    expect(body.mailboxes).toMatchObject({ total: 33, ok: 7, unchecked: 1 });
    expect(body.mailboxes.failing).toHaveLength(20);
    expect(body.mailboxes.failing[0]).toMatchObject({ name: 'failing 00', message: 'reason 0' });
    expect(body.mailboxes.failing.map((m: { name: string }) => m.name)).not.toContain('failing but disabled');
    expect(body.directories.failing).toEqual([expect.objectContaining({ name: 'Corp', message: 'invalid credentials' })]);
  });

  it('a list page, first, sorted, filtered or far on, takes at most 4 statements including the session and the signed-in person', async () => {
    for (const query of ['', '?page=3', '?sortBy=host&direction=desc', '?filters.lastCheckStatus=failed', '?filters.name=failing%200']) {
      const { body, statements } = await counted(`${API}/resources/Mailbox/actions/list${query}`);
      expect(body.records.length).toBeGreaterThan(0);
      expect(statements.length).toBeLessThanOrEqual(4);
    }
  });
});
