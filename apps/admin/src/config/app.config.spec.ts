import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from './app.config.js';

const KEY = 'k1:' + Buffer.alloc(32, 1).toString('base64');
const SESSION = 's'.repeat(40);

describe(loadAppConfig.name, () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'oauth-mail-config-'));

  it('refuses to start in production without an encryption key, and says what to set', async () => {
    await expect(loadAppConfig({ NODE_ENV: 'production', DATA_DIR: dir(), ADMIN_SESSION_SECRET: SESSION })).rejects.toThrow(
      /OAUTH_MAIL_ENCRYPTION_KEY is not set[\s\S]*randomBytes\(32\)/,
    );
  });

  it('in development generates a key into the data folder once, with a warning', async () => {
    const dataDir = dir();
    const warnings: string[] = [];
    const first = await loadAppConfig({ DATA_DIR: dataDir }, (m) => warnings.push(m));
    const file = join(dataDir, 'encryption.key');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.encryptionKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings.join('\n')).toMatch(/OAUTH_MAIL_ENCRYPTION_KEY is not set: using a development key stored in .*encryption\.key \(generated now\)/);
    const second = await loadAppConfig({ DATA_DIR: dataDir }, () => undefined);
    expect(second.encryptionKey).toBe(first.encryptionKey);
    expect(first.database).toEqual({ type: 'sqlite', path: join(dataDir, 'oauth-mail.sqlite') });
  });

  it('reads secrets from *_FILE variables', async () => {
    const dataDir = dir();
    writeFileSync(join(dataDir, 'key'), `${KEY}\n`);
    const config = await loadAppConfig({ DATA_DIR: dataDir, OAUTH_MAIL_ENCRYPTION_KEY_FILE: join(dataDir, 'key'), ADMIN_SESSION_SECRET: SESSION });
    expect(config.encryptionKey).toBe(KEY);
  });

  it('reports every problem at once', async () => {
    const error = await loadAppConfig({
      DATA_DIR: dir(),
      NODE_ENV: 'production',
      OAUTH_MAIL_ENCRYPTION_KEY: 'too-short',
      ADMIN_SESSION_SECRET: 'short',
      ADMIN_EMAIL: 'admin@example.com',
      DATABASE_URL: 'mysql://x',
      OAUTH_MAIL_PUBLIC_BASE_URL: 'http://mail-admin.example.com',
      PORT: 'eighty',
      OAUTH_MAIL_BLOCKED_NETWORKS: '10.0.0.0/8, intranet',
    }).catch((e: Error) => e);
    const message = (error as Error).message;
    for (const expected of [/PORT/, /DATABASE_URL/, /must be https in production/, /32 bytes/, /ADMIN_SESSION_SECRET must be at least 32/, /both ADMIN_EMAIL and ADMIN_PASSWORD/, /"intranet" is not a network/]) {
      expect(message).toMatch(expected);
    }
  });

  it('blocks link-local and metadata networks, plus OAUTH_MAIL_BLOCKED_NETWORKS', async () => {
    const config = await loadAppConfig({ DATA_DIR: dir(), OAUTH_MAIL_ENCRYPTION_KEY: KEY, ADMIN_SESSION_SECRET: SESSION, OAUTH_MAIL_BLOCKED_NETWORKS: '10.0.0.0/8, fd00::/8' });
    expect(config.blockedNetworks).toEqual(expect.arrayContaining(['169.254.0.0/16', '10.0.0.0/8', 'fd00::/8']));
  });

  it('switches to PostgreSQL with DATABASE_URL', async () => {
    const config = await loadAppConfig({ DATA_DIR: dir(), OAUTH_MAIL_ENCRYPTION_KEY: KEY, ADMIN_SESSION_SECRET: SESSION, DATABASE_URL: 'postgres://u@db:5432/mail' });
    expect(config.database).toEqual({ type: 'postgres', url: 'postgres://u@db:5432/mail' });
  });
});
