import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  ConfigurationError,
  Mailbox,
  MailboxSettingsService,
  OAuthClient,
  OAuthClientService,
  OAuthSignInService,
  OAUTH_MAIL_ENTITIES,
  SECRET_COLUMNS,
  SecretRotationService,
  SecretVault,
} from '@app/oauth-mail';
import { ExampleHostModule } from '../../../src/example-host.module.js';
import { createTestDatabase, libraryDataSourceOptions, type TestDatabase } from '../../../test/support/test-database.js';

const KEY_A = 'keyA:' + Buffer.alloc(32, 11).toString('base64');
const KEY_B = 'keyB:' + Buffer.alloc(32, 12).toString('base64');
const BASE = 'https://mail-admin.example.com';

async function boot(db: TestDatabase, encryptionKey: string, previousEncryptionKeys: string[] = [], publicBaseUrl = BASE) {
  const moduleRef = await Test.createTestingModule({
    imports: [ExampleHostModule.forRoot(libraryDataSourceOptions(db), { encryptionKey, previousEncryptionKeys, publicBaseUrl })],
  }).compile();
  // A refused start closes the connection it opened, so no pool outlives the test.
  return moduleRef.init().catch(async (error: unknown) => {
    await moduleRef.close();
    throw error;
  });
}

describe('OAuthMailModule in a host app', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('refuses to start with a bad key or without a public URL', async () => {
    // The options are refused while the host's connection would still be opening, and a
    // rejected compile cannot close it; without a connection none outlives the test.
    const noConnection = { ...libraryDataSourceOptions(db), manualInitialization: true };
    await expect(
      Test.createTestingModule({ imports: [ExampleHostModule.forRoot(noConnection, { encryptionKey: 'short', publicBaseUrl: BASE })] }).compile(),
    ).rejects.toThrow(ConfigurationError);
    await expect(
      Test.createTestingModule({ imports: [ExampleHostModule.forRoot(noConnection, { encryptionKey: KEY_A, publicBaseUrl: 'not a url' })] }).compile(),
    ).rejects.toThrow(/publicBaseUrl/);
  });

  it('lists every encrypted column of every entity in SECRET_COLUMNS, so rotation misses none', async () => {
    const app = await boot(db, KEY_A);
    const ds = app.get(DataSource);
    for (const entity of OAUTH_MAIL_ENTITIES) {
      const encrypted = ds.getMetadata(entity).columns.map((c) => c.propertyName).filter((n) => n.endsWith('Encrypted')).sort();
      const registered = [...(SECRET_COLUMNS.find((e) => e.entity === entity)?.columns ?? [])].sort();
      expect({ entity: entity.name, columns: registered }).toEqual({ entity: entity.name, columns: encrypted });
    }
    await app.close();
  });

  it('creates and updates records through the services: validated, secrets encrypted, presets resolved', async () => {
    const app = await boot(db, KEY_A);
    const clients = app.get(OAuthClientService);
    const mailboxes = app.get(MailboxSettingsService);

    const bad = await clients.create({ name: 'x', provider: 'generic', type: 'mailbox', clientId: 'c' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && Object.keys(bad.errors).sort()).toEqual(['authorizeUrl', 'clientSecret', 'scope', 'tokenUrl']);

    const created = await clients.create({ name: 'Google', provider: 'google', type: 'mailbox', clientId: 'id.apps', clientSecret: 'CANARY-INT-SECRET' });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const client = created.value;
    expect(clients.redirectUri(client.id)).toBe(`${BASE}/oauth/callback/${client.id}`);
    expect(clients.settings(client)).toMatchObject({
      authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      scopes: ['https://mail.google.com/', 'openid', 'email'],
      authorizeParams: { access_type: 'offline', prompt: 'consent' },
    });
    expect(app.get(SecretVault).open(OAuthClient, client, 'clientSecretEncrypted')).toBe('CANARY-INT-SECRET');

    const box = await mailboxes.create({ name: 'Inbox', direction: 'incoming', protocol: 'imap', host: 'imap.gmail.com', encryption: 'ssl', username: 'a@example.com', oauthClientId: client.id });
    expect(box.ok && box.value).toMatchObject({ port: 993, folder: 'INBOX', oauthClientId: client.id, passwordEncrypted: null });

    const updated = await clients.update(client.id, { scope: 'https://mail.google.com/ openid' });
    expect(updated.ok && updated.value.scope).toBe('https://mail.google.com/ openid');
    const raw = await db.query<{ clientSecretEncrypted: string }>(`SELECT "clientSecretEncrypted" FROM oauth_client WHERE id = '${client.id}'`);
    expect(raw[0].clientSecretEncrypted).toMatch(/^v1\.keyA\./);
    expect(JSON.stringify(raw)).not.toContain('CANARY');
    await app.close();
  });

  it('offers sign-in only when the app is reached over https (or on loopback)', async () => {
    const plain = await boot(db, KEY_A, [], 'http://mail-admin.example.com');
    try {
      const created = await plain.get(OAuthClientService).create({
        name: 'Staff', provider: 'generic', type: 'user', clientId: 'staff', clientSecret: 'secret', authorizeUrl: 'https://id.example.com/auth',
        tokenUrl: 'https://id.example.com/token', scope: 'openid email', userDataSource: 'id_token', usernameAttribute: 'email',
      });
      expect(created.ok).toBe(true);
      const signIn = plain.get(OAuthSignInService);
      expect(await signIn.buttons()).toEqual([]);
      expect(await signIn.start((created as { value: OAuthClient }).value.id, 'session')).toMatchObject({ ok: false, code: 'CONFIGURATION_INVALID', message: expect.stringContaining('https') });
    } finally {
      await plain.close();
    }
    const secure = await boot(db, KEY_A);
    try {
      expect((await secure.get(OAuthSignInService).buttons()).map((b) => b.caption)).toEqual(['Sign in with Staff']);
    } finally {
      await secure.close();
    }
  });

  it('rotates keys: an old key id still decrypts, re-encryption moves every value, and a second run changes nothing', async () => {
    const appA = await boot(db, KEY_A);
    const vault = appA.get(SecretVault);
    const ds = appA.get(DataSource);
    const clients = ds.getRepository(OAuthClient);
    for (const c of await clients.find()) {
      await clients.update({ id: c.id }, {
        accessTokenEncrypted: vault.seal(OAuthClient, c.id, 'accessTokenEncrypted', `AT-${c.id}`),
        originalAccessTokenEncrypted: vault.seal(OAuthClient, c.id, 'originalAccessTokenEncrypted', `OAT-${c.id}`),
      });
    }
    const created = await appA.get(MailboxSettingsService).create({ name: 'Pw', direction: 'outgoing', protocol: 'smtp', host: 'smtp.example.com', encryption: 'starttls', username: 'u@example.com', password: 'pw-1' });
    expect(created.ok).toBe(true);
    await appA.close();

    const appB = await boot(db, KEY_B, [KEY_A]);
    const vaultB = appB.get(SecretVault);
    const client = (await appB.get(DataSource).getRepository(OAuthClient).find())[0];
    expect(vaultB.open(OAuthClient, client, 'accessTokenEncrypted')).toBe(`AT-${client.id}`);

    const report = await appB.get(SecretRotationService).reencryptAll();
    const clientCount = await appB.get(DataSource).getRepository(OAuthClient).count();
    expect(report).toEqual({ checked: clientCount * 3 + 1, rewritten: clientCount * 3 + 1 });
    expect(await appB.get(SecretRotationService).reencryptAll()).toEqual({ checked: clientCount * 3 + 1, rewritten: 0 });
    await appB.close();

    const stored = [
      ...(await db.query<Record<string, string | null>>('SELECT "clientSecretEncrypted", "accessTokenEncrypted", "originalAccessTokenEncrypted" FROM oauth_client')),
      ...(await db.query<Record<string, string | null>>('SELECT "passwordEncrypted" FROM mailbox WHERE "passwordEncrypted" IS NOT NULL')),
    ].flatMap((row) => Object.values(row)).filter(Boolean);
    expect(stored.length).toBe(clientCount * 3 + 1);
    expect(stored.every((v) => v!.startsWith('v1.keyB.'))).toBe(true);

    const onlyB = await boot(db, KEY_B);
    const mailbox = await onlyB.get(DataSource).getRepository(Mailbox).findOneByOrFail({ name: 'Pw' });
    expect(onlyB.get(SecretVault).open(Mailbox, mailbox, 'passwordEncrypted')).toBe('pw-1');
    await onlyB.close();
  });

  it('F19 refuses to start when the database uses a key id the keyring lacks, naming the key id and its columns', async () => {
    // The rows so far are under keyB (the rotation above); this one goes under keyA.
    const appA = await boot(db, KEY_A, [KEY_B]);
    const made = await appA.get(OAuthClientService).create({ name: 'Under A', provider: 'google', type: 'mailbox', clientId: 'under-a.apps', clientSecret: 'CANARY-F19' });
    expect(made.ok).toBe(true);
    await appA.close();
    const refused = await boot(db, KEY_B).then(() => null, (error: Error) => error);
    expect(refused).toMatchObject({ code: 'CONFIGURATION_INVALID', message: expect.stringContaining('"keyA" (oauth_client.clientSecretEncrypted)') });
    expect(refused!.message).toMatch(/OAUTH_MAIL_ENCRYPTION_KEYS_PREVIOUS/);
    expect(refused!.message).not.toContain('CANARY');
    // With the old key among the previous ones it starts again.
    await (await boot(db, KEY_B, [KEY_A])).close();
  });
});
