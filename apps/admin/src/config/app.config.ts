import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigurationError, createKeyring, DEFAULT_BLOCKED_NETWORKS, EgressPolicy, generateEncryptionKeySpec, type OAuthProvider } from '@app/oauth-mail';

/** Everything the admin app takes from its environment, validated once at boot. */
export interface AppConfig {
  readonly production: boolean;
  readonly port: number;
  /** Where the SQLite file and, in development, generated secrets live. */
  readonly dataDir: string;
  readonly database: { readonly type: 'sqlite'; readonly path: string } | { readonly type: 'postgres'; readonly url: string };
  readonly publicBaseUrl: string;
  readonly encryptionKey: string;
  readonly previousEncryptionKeys: string[];
  /** Replaces a provider's public host, by kind. Tests only: never read from the environment. */
  readonly providerBaseUrls?: Readonly<Record<string, string>>;
  /** Providers besides the built-in ones. Tests only: an app with providers of its own imports the library. */
  readonly providers?: readonly OAuthProvider[];
  /** Extra CAs (PEM) trusted for mail servers: OAUTH_MAIL_TRUSTED_CA_FILE. */
  readonly mailTrustedCa?: string[];
  /** Networks no configured host may resolve to: the library's defaults plus OAUTH_MAIL_BLOCKED_NETWORKS. */
  readonly blockedNetworks?: readonly string[];
  /** Sign-in starts and callbacks per client IP per minute (OAUTH_MAIL_SIGN_IN_RATE_LIMIT, default 30). */
  readonly signInRateLimit: number;
  /** Express's `trust proxy` (TRUST_PROXY): behind a reverse proxy, client IPs come from X-Forwarded-For. */
  readonly trustProxy: boolean | number | string | null;
  readonly admin: {
    readonly email?: string;
    readonly password?: string;
    readonly sessionSecret: string;
  };
}

export type Env = Readonly<Record<string, string | undefined>>;

const KEY_HELP = `Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`;

/**
 * Reads and checks the environment. Every problem is reported at once, and the
 * app refuses to start. In development, missing secrets are generated into the
 * data folder (with a warning); in production they must be given.
 */
export async function loadAppConfig(env: Env, warn: (message: string) => void = console.warn): Promise<AppConfig> {
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';
  const dataDir = resolve(env.DATA_DIR || 'data');

  const port = Number(env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push('PORT must be a number from 0 to 65535.');

  let database: AppConfig['database'] = { type: 'sqlite', path: join(dataDir, 'oauth-mail.sqlite') };
  if (env.DATABASE_URL) {
    if (/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) database = { type: 'postgres', url: env.DATABASE_URL };
    else if (env.DATABASE_URL.startsWith('sqlite:')) {
      const path = env.DATABASE_URL.slice('sqlite:'.length).replace(/^\/\//, '');
      database = { type: 'sqlite', path: isAbsolute(path) ? path : resolve(path) };
    } else problems.push('DATABASE_URL must be postgres://user:password@host:5432/database or sqlite:<file>.');
  }

  const publicBaseUrl = (env.OAUTH_MAIL_PUBLIC_BASE_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    const url = new URL(publicBaseUrl);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash) throw new Error();
    if (production && url.protocol !== 'https:' && !loopback) {
      problems.push('OAUTH_MAIL_PUBLIC_BASE_URL must be https in production: providers send authorization codes to it.');
    }
  } catch {
    problems.push('OAUTH_MAIL_PUBLIC_BASE_URL must be the absolute URL the app is reached at, such as https://mail-admin.example.com.');
  }

  let encryptionKey = await readSecret(env, 'OAUTH_MAIL_ENCRYPTION_KEY', problems);
  const previousEncryptionKeys = (await readSecret(env, 'OAUTH_MAIL_ENCRYPTION_KEYS_PREVIOUS', problems) ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (!encryptionKey && production) {
    problems.push(
      'OAUTH_MAIL_ENCRYPTION_KEY is not set. In production the key that encrypts client secrets, passwords and tokens ' +
        `must come from the environment (or OAUTH_MAIL_ENCRYPTION_KEY_FILE). ${KEY_HELP}`,
    );
  } else if (!encryptionKey) {
    encryptionKey = await generatedSecret(dataDir, 'encryption.key', generateEncryptionKeySpec, warn,
      'OAUTH_MAIL_ENCRYPTION_KEY is not set: using a development key stored in');
  }
  if (encryptionKey) {
    try {
      createKeyring(encryptionKey, previousEncryptionKeys);
    } catch (error) {
      problems.push(`${(error as Error).message} (OAUTH_MAIL_ENCRYPTION_KEY / OAUTH_MAIL_ENCRYPTION_KEYS_PREVIOUS)`);
    }
  }

  let sessionSecret = await readSecret(env, 'ADMIN_SESSION_SECRET', problems);
  if (!sessionSecret && production) {
    problems.push(`ADMIN_SESSION_SECRET is not set. In production sessions must be signed with a secret from the environment. ${KEY_HELP}`);
  } else if (!sessionSecret) {
    sessionSecret = await generatedSecret(dataDir, 'session.secret', () => randomBytes(32).toString('base64url'), warn,
      'ADMIN_SESSION_SECRET is not set: using a development secret stored in');
  } else if (sessionSecret.length < 32) problems.push('ADMIN_SESSION_SECRET must be at least 32 characters.');

  const email = env.ADMIN_EMAIL?.trim().toLowerCase() || undefined;
  const password = await readSecret(env, 'ADMIN_PASSWORD', problems);
  if (!!email !== !!password) problems.push('Set both ADMIN_EMAIL and ADMIN_PASSWORD, or neither.');
  if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) problems.push('ADMIN_EMAIL must be an e-mail address.');
  if (password && password.length < 8) problems.push('ADMIN_PASSWORD must be at least 8 characters.');

  let mailTrustedCa: string[] | undefined;
  if (env.OAUTH_MAIL_TRUSTED_CA_FILE) {
    try {
      mailTrustedCa = [await readFile(env.OAUTH_MAIL_TRUSTED_CA_FILE, 'utf8')];
    } catch {
      problems.push(`OAUTH_MAIL_TRUSTED_CA_FILE points at ${env.OAUTH_MAIL_TRUSTED_CA_FILE}, which cannot be read.`);
    }
  }

  // Added to the library's default list (link-local, cloud metadata): for example 10.0.0.0/8 when admins must not reach the internal network.
  const blockedNetworks = [...DEFAULT_BLOCKED_NETWORKS];
  for (const network of (env.OAUTH_MAIL_BLOCKED_NETWORKS ?? '').split(',').map((n) => n.trim()).filter(Boolean)) {
    try {
      new EgressPolicy([network]);
      blockedNetworks.push(network);
    } catch {
      problems.push(`OAUTH_MAIL_BLOCKED_NETWORKS: "${network}" is not a network such as 10.0.0.0/8 or fd00::/8.`);
    }
  }

  const signInRateLimit = Number(env.OAUTH_MAIL_SIGN_IN_RATE_LIMIT || 30);
  if (!Number.isInteger(signInRateLimit) || signInRateLimit < 1) problems.push('OAUTH_MAIL_SIGN_IN_RATE_LIMIT must be a whole number of requests per minute, 1 or more.');
  const trustProxy = parseTrustProxy(env.TRUST_PROXY, problems);

  if (problems.length) throw new ConfigurationError(`The admin app cannot start:\n- ${problems.join('\n- ')}`);
  return {
    production,
    port,
    dataDir,
    database,
    publicBaseUrl,
    encryptionKey: encryptionKey!,
    previousEncryptionKeys,
    mailTrustedCa,
    blockedNetworks,
    signInRateLimit,
    trustProxy,
    admin: { email, password, sessionSecret: sessionSecret! },
  };
}

/** `true`, a number of proxy hops, or comma-separated addresses/CIDRs, as Express takes them. */
function parseTrustProxy(value: string | undefined, problems: string[]): AppConfig['trustProxy'] {
  if (!value) return null;
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((v) => v.trim());
  if (entries.every((e) => /^[0-9a-f.:]+(\/\d{1,3})?$/i.test(e) || ['loopback', 'linklocal', 'uniquelocal'].includes(e))) return entries.join(',');
  problems.push('TRUST_PROXY must be true, a number of proxy hops, or addresses/CIDRs of the proxies (such as 10.0.0.1, loopback).');
  return null;
}

/** `NAME`, or the contents of the file named by `NAME_FILE` (for container secrets). */
async function readSecret(env: Env, name: string, problems: string[]): Promise<string | undefined> {
  if (env[name]) return env[name];
  const file = env[`${name}_FILE`];
  if (!file) return undefined;
  try {
    return (await readFile(file, 'utf8')).trim() || undefined;
  } catch {
    problems.push(`${name}_FILE points at ${file}, which cannot be read.`);
    return undefined;
  }
}

async function generatedSecret(dir: string, name: string, make: () => string, warn: (m: string) => void, note: string) {
  const path = join(dir, name);
  const existing = await readFile(path, 'utf8').catch(() => '');
  if (existing.trim()) {
    warn(`${note} ${path}. Set it in the environment before going to production.`);
    return existing.trim();
  }
  await mkdir(dir, { recursive: true });
  const value = make();
  await writeFile(path, `${value}\n`, { mode: 0o600, flag: 'wx' }).catch(() => undefined);
  await chmod(path, 0o600);
  warn(`${note} ${path} (generated now). Set it in the environment before going to production.`);
  return (await readFile(path, 'utf8')).trim();
}
