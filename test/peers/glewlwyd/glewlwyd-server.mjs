// A second, independently written OAuth 2.0 / OpenID Connect server for the tests:
// Glewlwyd 2.7 (C, Debian package `glewlwyd`), with its OpenID Connect plugin, on a loopback port.
// It shares no code with oidc-provider. Run as a child process (test/support/glewlwyd-peer.ts does):
//
//   node test/peers/glewlwyd/glewlwyd-server.mjs [--iss-in-response] [--access-token-ttl 3600] [--no-rotation]
//
// prints one JSON line {"ready":true,"issuer":...,"origin":...,"port":...,"log":...} when configured.
//
// What it sets up, in a temp dir removed at exit:
// - a SQLite database from Debian's own schema (/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz),
//   which holds the built-in administrator admin / password;
// - glewlwyd.conf bound to 127.0.0.1 on a free port, no TLS, no static files;
// - through the admin API: the mail scopes, and one OpenID Connect plugin instance `oidc` with a fresh
//   RSA key: authorization code + refresh token, PKCE S256 required, one-time (rotated) refresh tokens,
//   introspection and revocation by the client the token was issued to, JWKS, userinfo, e-mail and name claims.
// Clients and users are added at run time by the wrapper (admin API), never here.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAIL_SCOPES } from '../mail-scopes.mjs';

const flag = (name) => process.argv.includes(`--${name}`);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

if (spawnSync('glewlwyd', ['--version']).status !== 0) {
  console.error('glewlwyd is not installed: apt-get install -y --no-install-recommends glewlwyd dbconfig-no-thanks (preseed glewlwyd/config_type "No configuration" first, see test/peers/README.md)');
  process.exit(2);
}

const SCOPES = ['email', 'profile', 'offline_access', ...MAIL_SCOPES];

const dir = mkdtempSync(join(tmpdir(), 'oauth-mail-glewlwyd-'));
const db = join(dir, 'glewlwyd.db');
const log = join(dir, 'glewlwyd.log');
// Debian's schema in one transaction without fsync (0.05 s instead of 0.5 s), plus the scopes (as its own openid row).
const sql = (text) => `'${String(text).replaceAll("'", "''")}'`;
const scopes = SCOPES.map((name) => `INSERT INTO g_scope (gs_name, gs_display_name, gs_description, gs_password_required, gs_password_max_age) VALUES (${sql(name)}, ${sql(name)}, ${sql(name)}, 1, 0);`).join('\n');
const schema = spawnSync('sh', ['-c', `{ echo 'PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; BEGIN;'; zcat /usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz; cat; echo 'COMMIT;'; } | sqlite3 '${db}'`], { input: scopes, stdio: ['pipe', 'ignore', 'pipe'] });
if (schema.status !== 0) {
  console.error(`could not create the database: ${schema.stderr}`);
  process.exit(2);
}

// The signing key is made while Glewlwyd starts.
const keys = promisify(generateKeyPair)('rsa', { modulusLength: 2048 });

const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

let child;
const cleanup = () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);
// Stop Glewlwyd and wait for it (so no zombie is left to an init that may not reap), then exit.
const shutdown = () => {
  if (!child || child.exitCode !== null || child.signalCode !== null) process.exit(0);
  child.once('exit', () => process.exit(0)).kill('SIGTERM');
  setTimeout(() => process.exit(0), 2000).unref();
};
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, shutdown);
// Stop with the test process even when it dies without stopping us (its pid is our parent's).
const parent = process.ppid;
setInterval(() => process.ppid !== parent && shutdown(), 500).unref();

// Glewlwyd takes a fixed port; a port freed by the kernel may be taken again before it binds, so retry.
let origin;
for (let attempt = 0; attempt < 3 && !origin; attempt++) {
  const port = await freePort();
  const candidate = `http://127.0.0.1:${port}`;
  // use_secure_connection is left out: when present (even false) Glewlwyd requires the key and certificate files.
  writeFileSync(join(dir, 'glewlwyd.conf'), `
port=${port}
bind_address="127.0.0.1"
external_url="${candidate}"
login_url="login.html"
api_prefix="api"
allow_origin="*"
log_mode="console"
log_level="INFO"
cookie_secure=0
cookie_same_site="empty"
session_expiration=3600
session_key="GLEWLWYD2_SESSION_ID"
admin_session_authentication="cookie"
profile_session_authentication="cookie"
allow_multiple_user_per_session=false
login_api_enabled=true
add_x_frame_option_header_deny=true
max_post_size=1677824
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="/usr/lib/glewlwyd/user"
client_module_path="/usr/lib/glewlwyd/client"
user_auth_scheme_module_path="/usr/lib/glewlwyd/scheme"
plugin_module_path="/usr/lib/glewlwyd/plugin"
hash_algorithm="SHA512"
database = { type = "sqlite3"; path = "${db}"; };
`);
  const out = openSync(log, 'a');
  child = spawn('glewlwyd', ['-c', join(dir, 'glewlwyd.conf')], { stdio: ['ignore', out, out] });
  const exited = new Promise((done) => child.once('exit', () => done(false)));
  const listening = (async () => {
    for (let i = 0; i < 100; i++) {
      try {
        await fetch(`${candidate}/api/mod/type/`);
        return true;
      } catch {
        await new Promise((r) => setTimeout(r, 30));
      }
    }
    return false;
  })();
  if (await Promise.race([listening, exited])) origin = candidate;
  else if (child.exitCode === null) child.kill('SIGKILL');
}
if (!origin) {
  console.error(`glewlwyd did not start; see ${log}`);
  process.exit(1);
}

let cookie = '';
const admin = async (method, path, body) => {
  const res = await fetch(`${origin}/api${path}`, { method, headers: { 'content-type': 'application/json', cookie }, body: body ? JSON.stringify(body) : undefined });
  const set = res.headers.getSetCookie()[0];
  if (set) cookie = set.split(';')[0];
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
};
await admin('POST', '/auth/', { username: 'admin', password: 'password' });
const { privateKey, publicKey } = await keys;
const issuer = `${origin}/api/oidc`;
await admin('POST', '/mod/plugin/', {
  module: 'oidc',
  name: 'oidc',
  display_name: 'OpenID Connect',
  enabled: true,
  parameters: {
    iss: issuer,
    'jwt-type': 'rsa',
    'jwt-key-size': '256',
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    cert: publicKey.export({ type: 'spki', format: 'pem' }),
    'access-token-duration': Number(arg('access-token-ttl', '3600')),
    'refresh-token-duration': 14 * 24 * 3600,
    'code-duration': 600,
    'refresh-token-rolling': true,
    // One-time refresh tokens: each refresh answers a new one; reusing an old one breaks the chain.
    'refresh-token-one-use': flag('no-rotation') ? 'never' : 'always',
    'allow-non-oidc': true,
    'auth-type-code-enabled': true,
    'auth-type-code-revoke-replayed': true,
    'auth-type-refresh-enabled': true,
    'auth-type-client-enabled': true,
    'auth-type-token-enabled': false,
    'auth-type-password-enabled': false,
    'pkce-allowed': true,
    'pkce-method-plain-allowed': false,
    'pkce-required': true,
    'introspection-revocation-allowed': true,
    'introspection-revocation-allow-target-client': true,
    'introspection-revocation-auth-scope': [],
    'jwks-show': true,
    'subject-type': 'public',
    'email-claim': 'mandatory',
    'name-claim': 'mandatory',
    'allowed-scope': ['openid', ...SCOPES],
    // RFC 9207 iss in the authorization response: off by default in Glewlwyd, as in most deployments.
    'oauth-as-iss-id': flag('iss-in-response'),
  },
});

console.log(JSON.stringify({ ready: true, issuer, origin, port: Number(new URL(origin).port), log }));
