// A real OAuth 2.0 / OpenID Connect authorization server (oidc-provider) for the
// tests, on a loopback port. Run as a child process: oidc-provider is ESM-only
// and must not be imported into Jest's module registry.
//
//   node test/peers/oidc-server.mjs [--port 0] [--tls <dir with cert.pem and key.pem>]
// With --tls it serves https as https://127.0.0.1:<port> (Azure's sign-in reads its metadata over https only).
// With --issuer-path /realms/test the issuer has a path (as Keycloak's realms): every route, the
// OpenID configuration and the test-only routes live under it. --rfc8414 also serves the RFC 8414
// §3.1 metadata at /.well-known/oauth-authorization-server/<path>.
// prints one JSON line {"ready":true,"issuer":...,"port":...} when listening.
//
// Test-only routes (loopback only, never in a real deployment):
//   POST /__test/clients  {client_id, client_secret, redirect_uris}  register or replace a client
//   POST /__test/fault    {path, status, body, delayMs, times}        make the next requests to path fail
//                         {path, status, rawBody, contentType}        ... with this body as is (no content type when omitted)
//                         {path, status, headers}                      ... with these headers (Retry-After)
//                         {path, trickleMs, rawBody}                   ... a 200 (or status) whose body comes one byte per trickleMs
//   POST /__test/ttl      {accessToken}                                 access-token lifetime in seconds
//   POST /__test/revoke   {account}                                     revoke every grant of an account
//   GET  /__test/stats                                                  requests counted per path
//   GET  /__test/signing-key                                            the private JWK the server signs with
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { Readable } from 'node:stream';
import { CompactSign, importJWK } from 'jose';
import Provider from 'oidc-provider';
import { MAIL_SCOPES } from './mail-scopes.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const port = Number(arg('port', '0'));

// A Map-backed adapter (the built-in one cannot be written to from outside,
// and tests register clients at run time).
const stores = new Map();
const grants = new Map();
class Adapter {
  constructor(name) {
    this.name = name;
    if (!stores.has(name)) stores.set(name, new Map());
    this.store = stores.get(name);
  }
  async upsert(id, payload, expiresIn) {
    this.store.set(id, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    if (payload.grantId) {
      const members = grants.get(payload.grantId) ?? new Set();
      members.add([this.name, id]);
      grants.set(payload.grantId, members);
    }
  }
  async find(id) {
    const entry = this.store.get(id);
    if (!entry || entry.expiresAt < Date.now()) return undefined;
    return entry.payload;
  }
  async findByUid(uid) {
    for (const { payload } of this.store.values()) if (payload.uid === uid) return payload;
    return undefined;
  }
  async findByUserCode(code) {
    for (const { payload } of this.store.values()) if (payload.userCode === code) return payload;
    return undefined;
  }
  async consume(id) {
    const entry = this.store.get(id);
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id) {
    this.store.delete(id);
  }
  async revokeByGrantId(grantId) {
    for (const [name, id] of grants.get(grantId) ?? []) stores.get(name)?.delete(id);
    grants.delete(grantId);
  }
}

const ttl = { accessToken: 3600 };
// A signing key of our own, so tests can forge ID tokens signed with the real key (wrong nonce, wrong audience).
const signingKey = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
// Who may open which mailbox with their token (shared-mailbox delegation).
const delegates = { 'shared@example.test': ['alice@example.test'] };

const tlsDir = arg('tls', null);
const server = tlsDir ? createTlsServer({ cert: readFileSync(`${tlsDir}/cert.pem`), key: readFileSync(`${tlsDir}/key.pem`) }) : createServer();
await new Promise((done) => server.listen(port, '127.0.0.1', done));
const issuerPath = (arg('issuer-path', '') ?? '').replace(/\/$/, '');
const origin = `${tlsDir ? 'https' : 'http'}://127.0.0.1:${server.address().port}`;
const issuer = `${origin}${issuerPath}`;
// Entra ID's stable identifiers of a person: the tenant and an object id.
const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const objectId = (id) => createHash('sha256').update(id).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, '$1-$2-$3-$4-$5');

const provider = new Provider(issuer, {
  adapter: Adapter,
  clients: [
    { client_id: 'dovecot', client_secret: 'dovecot-secret', redirect_uris: [], response_types: [], grant_types: [] },
  ],
  findAccount: (_ctx, id) => ({
    accountId: id,
    claims: () => ({
      sub: id,
      email: id,
      email_verified: true,
      preferred_username: id,
      name: id.split('@')[0],
      tid: TENANT_ID,
      oid: objectId(id),
      mailboxes: [id, ...Object.entries(delegates).filter(([, who]) => who.includes(id)).map(([box]) => box)],
    }),
  }),
  claims: { openid: ['sub', 'tid', 'oid'], email: ['email', 'email_verified', 'preferred_username'], profile: ['name'] },
  scopes: ['openid', 'offline_access', 'email', 'profile', ...MAIL_SCOPES],
  // ID tokens carry the scope's claims even when the access token also opens userinfo, as Google's and Entra's do.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: ['test-cookie-key-1'] },
  jwks: { keys: [signingKey] },
  features: {
    devInteractions: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async () => true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Mail scopes make a token for the mail servers; a sign-in's token (openid, email, profile) stays one for userinfo (/me).
      defaultResource: (ctx) => (String(ctx.oidc.params?.scope ?? '').split(' ').some((s) => MAIL_SCOPES.includes(s)) ? 'urn:test:mail' : undefined),
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: MAIL_SCOPES.join(' '),
        audience: 'urn:test:mail',
        accessTokenFormat: 'opaque',
        accessTokenTTL: ttl.accessToken,
      }),
    },
  },
  extraTokenClaims: async (_ctx, token) => {
    const id = token.accountId;
    if (!id) return undefined;
    return { email: id, mailboxes: [id, ...Object.entries(delegates).filter(([, who]) => who.includes(id)).map(([box]) => box)] };
  },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: () => true,
  ttl: {
    AccessToken: () => ttl.accessToken,
    AuthorizationCode: 60,
    Grant: 14 * 24 * 3600,
    IdToken: 3600,
    Interaction: 3600,
    RefreshToken: 14 * 24 * 3600,
    Session: 3600,
  },
  formats: { customizers: { jwt: (_ctx, _token, jwt) => { jwt.header = { ...jwt.header, typ: 'JWT' }; } } },
});
provider.on('server_error', (_ctx, err) => console.error(`server_error: ${err.message}`));

const faults = [];
const stats = {};
const readJson = async (ctx) => {
  let raw = '';
  for await (const chunk of ctx.req) raw += chunk;
  return raw ? JSON.parse(raw) : {};
};

// Azure's and Google's endpoint paths, served by the same server, so their
// presets are tested with only the base URL replaced.
const PRESET_PATHS = [
  [/^\/[^/]+\/oauth2\/v2\.0\/authorize$/, '/auth'],
  [/^\/[^/]+\/oauth2\/v2\.0\/token$/, '/token'],
  [/^\/[^/]+\/v2\.0\/\.well-known\/openid-configuration$/, '/.well-known/openid-configuration'],
  [/^\/o\/oauth2\/v2\/auth$/, '/auth'],
];

// Entra ID's multi-tenant endpoints (organizations, common): the metadata names no single issuer
// ("{tenantid}"), and an ID token's iss names the person's own tenant.
const MULTI_TENANT = /^\/(organizations|common)\//;
const multiTenantMetadata = (tenant) => ({
  issuer: `${issuer}/{tenantid}/v2.0`,
  authorization_endpoint: `${issuer}/${tenant}/oauth2/v2.0/authorize`,
  token_endpoint: `${issuer}/${tenant}/oauth2/v2.0/token`,
  jwks_uri: `${issuer}/jwks`,
  response_types_supported: ['code', 'id_token', 'code id_token'],
  response_modes_supported: ['query', 'fragment', 'form_post'],
  subject_types_supported: ['pairwise'],
  id_token_signing_alg_values_supported: ['RS256'],
  scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
});

provider.use(async (ctx, next) => {
  const multiTenant = MULTI_TENANT.exec(ctx.path)?.[1];
  if (multiTenant && ctx.path.endsWith('/v2.0/.well-known/openid-configuration')) {
    ctx.body = multiTenantMetadata(multiTenant);
    return;
  }
  for (const [pattern, target] of PRESET_PATHS) {
    if (!pattern.test(ctx.path)) continue;
    ctx.path = target;
    // Microsoft's account picker has no equivalent here; the login page stands in for it.
    if (ctx.query.prompt === 'select_account') {
      const { prompt, ...rest } = ctx.query;
      ctx.query = rest;
    }
  }
  const path = ctx.path;
  if (!ctx.req.viaRfc8414) stats[path] = (stats[path] ?? 0) + 1;
  if (path.startsWith('/__test/')) {
    const body = ctx.method === 'POST' ? await readJson(ctx) : {};
    if (path === '/__test/clients') {
      await new Adapter('Client').upsert(body.client_id, {
        client_id: body.client_id,
        client_secret: body.client_secret,
        redirect_uris: body.redirect_uris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: body.token_endpoint_auth_method ?? 'client_secret_basic',
      });
    } else if (path === '/__test/fault') faults.push({ times: 1, ...body });
    else if (path === '/__test/ttl') Object.assign(ttl, body);
    else if (path === '/__test/signing-key') {
      ctx.body = signingKey;
      return;
    } else if (path === '/__test/stats') {
      ctx.body = stats;
      return;
    } else if (path === '/__test/reset') {
      faults.length = 0;
      for (const key of Object.keys(stats)) delete stats[key];
      ttl.accessToken = 3600;
    } else if (path === '/__test/revoke') {
      for (const [grantId, members] of grants) {
        const grant = [...members].some(([name, id]) => stores.get(name)?.get(id)?.payload.accountId === body.account);
        if (grant) await new Adapter('Grant').revokeByGrantId(grantId);
      }
    }
    ctx.body = { ok: true };
    return;
  }
  const fault = faults.find((f) => f.path === path && f.times > 0);
  if (fault) {
    fault.times -= 1;
    if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.headers) ctx.set(fault.headers);
    if (fault.trickleMs) {
      // A slow body: one byte every trickleMs, so only a deadline on the whole answer ends it.
      const text = fault.rawBody ?? JSON.stringify({ access_token: 'trickled', token_type: 'Bearer', expires_in: 3600 });
      ctx.status = fault.status ?? 200;
      ctx.type = 'application/json';
      ctx.body = Readable.from((async function* trickle() {
        for (const byte of Buffer.from(text)) {
          await new Promise((r) => setTimeout(r, fault.trickleMs));
          yield Buffer.from([byte]);
        }
      })());
      return;
    }
    if (fault.status) {
      ctx.status = fault.status;
      if (fault.rawBody !== undefined) {
        ctx.body = fault.rawBody;
        if (fault.contentType) ctx.type = fault.contentType;
        else ctx.remove('Content-Type');
        return;
      }
      ctx.body = fault.body ?? { error: 'server_error', error_description: 'injected fault' };
      return;
    }
  }
  await next();
  // Entra ID (and Google) mark ID tokens typ JWT; passport-azure-ad decodes only such tokens.
  if (path === '/token' && ctx.body?.id_token) ctx.body = { ...ctx.body, id_token: await entraLike(ctx.body.id_token, multiTenant) };
});

const signer = await importJWK(signingKey, signingKey.alg ?? 'RS256');
/** Re-signs an ID token as Entra ID issues it: typ JWT, and from a multi-tenant endpoint iss names the tenant. */
async function entraLike(token, multiTenant) {
  const [header, body] = token.split('.');
  const { alg, kid } = JSON.parse(Buffer.from(header, 'base64url').toString());
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
  if (multiTenant) claims.iss = `${issuer}/${claims.tid}/v2.0`;
  return new CompactSign(Buffer.from(JSON.stringify(claims))).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(signer);
}

const handle = provider.callback();
if (!issuerPath) server.on('request', handle);
else {
  const rfc8414 = process.argv.includes('--rfc8414') ? `/.well-known/oauth-authorization-server${issuerPath}` : null;
  // Mounted as express mounts it: the provider sees the path below the issuer, and originalUrl.
  server.on('request', (req, res) => {
    const [path, query = ''] = req.url.split('?');
    let inner = null;
    if (path === rfc8414) {
      stats[rfc8414] = (stats[rfc8414] ?? 0) + 1;
      inner = '/.well-known/openid-configuration';
      req.viaRfc8414 = true;
    } else if (path === issuerPath || path.startsWith(`${issuerPath}/`)) inner = path.slice(issuerPath.length) || '/';
    if (inner === null) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    req.originalUrl = `${issuerPath}${inner}${query ? `?${query}` : ''}`;
    req.url = `${inner}${query ? `?${query}` : ''}`;
    handle(req, res);
  });
}
console.log(JSON.stringify({ ready: true, issuer, port: server.address().port }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
