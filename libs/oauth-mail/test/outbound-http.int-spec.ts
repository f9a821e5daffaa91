import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
// Imported from their files, not the barrel: this suite needs no module, database or peer.
import { DEFAULT_BLOCKED_NETWORKS, EgressPolicy, type HostResolver } from '../src/egress/egress-policy.js';
import { OutboundHttpClient } from '../src/net/outbound-http.client.js';
import { OutboundHttpError } from '../src/net/outbound-http.error.js';
import { TokenEndpointClient } from '../src/tokens/token-endpoint.client.js';
import type { DatabaseClock } from '../src/tokens/database.clock.js';
import { ConnectProxy } from '../../../test/support/connect-proxy.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real local HTTP(S) server that records the path of every request it got. */
async function serve(handler: Handler, tls?: { cert: Buffer; key: Buffer }) {
  const seen: string[] = [];
  const server: Server = tls ? createTlsServer(tls) : createServer();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url!);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    seen,
    port,
    url: (path: string) => `${tls ? 'https' : 'http'}://127.0.0.1:${port}${path}`,
    stop: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

describe(OutboundHttpClient.name, () => {
  const sut = new OutboundHttpClient({ httpTimeoutMs: 5000 }, new EgressPolicy(DEFAULT_BLOCKED_NETWORKS));
  const stops: (() => Promise<unknown>)[] = [];
  let tls: { cert: Buffer; key: Buffer; dir: string };

  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'outbound-http-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    tls = { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')), dir };
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });
  afterAll(() => rmSync(tls.dir, { recursive: true, force: true }));

  async function local(handler: Handler, withTls = false) {
    const server = await serve(handler, withTls ? tls : undefined);
    stops.push(server.stop);
    return server;
  }

  it('sends a form and returns the answer with its status and headers', async () => {
    let received = '';
    const server = await local((req, res) => {
      req.on('data', (c: Buffer) => (received += c.toString()));
      req.on('end', () => res.writeHead(201, { 'content-type': 'application/json', 'x-seen': String(req.headers['content-type']) }).end('{"ok":true}'));
    });
    const answer = await sut.request({ method: 'POST', url: server.url('/token'), form: { grant_type: 'refresh_token', refresh_token: 'r t' } });
    expect(answer.status).toBe(201);
    expect(answer.headers['x-seen']).toBe('application/x-www-form-urlencoded');
    expect(JSON.parse(answer.body.toString())).toEqual({ ok: true });
    expect(received).toBe('grant_type=refresh_token&refresh_token=r+t');
  });

  it('ends a request whose body trickles in at its total deadline, not at an idle timeout', async () => {
    const server = await local((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      // One byte every 100 ms: never idle long enough for an idle timeout.
      const timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const error = await sut.request({ url: server.url('/slow'), timeoutMs: 600 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundHttpError);
    expect(error).toMatchObject({ reason: 'timeout', code: 'PROVIDER_UNAVAILABLE', retryable: true, message: expect.stringMatching(/did not answer in time/) });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('uses the module\'s httpTimeoutMs as the default deadline', async () => {
    const quick = new OutboundHttpClient({ httpTimeoutMs: 300 }, new EgressPolicy([]));
    const server = await local(() => undefined);
    const started = Date.now();
    await expect(quick.request({ url: server.url('/never') })).rejects.toMatchObject({ reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1200);
  });

  it('caps the size of an answer, declared or streamed (default 1 MiB)', async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 'a');
    const declared = await local((_req, res) => res.writeHead(200, { 'content-length': big.length }).end(big));
    await expect(sut.request({ url: declared.url('/big') })).rejects.toMatchObject({ reason: 'too_large', code: 'PROVIDER_ERROR' });
    const streamed = await local((_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 8; i++) res.write(Buffer.alloc(64 * 1024, 'b'));
      res.end();
    });
    await expect(sut.request({ url: streamed.url('/chunked'), maxBytes: 100_000 })).rejects.toMatchObject({ reason: 'too_large' });
    expect((await sut.request({ url: streamed.url('/chunked'), maxBytes: 1024 * 1024 })).body.length).toBe(8 * 64 * 1024);
  });

  it('never follows a redirect', async () => {
    const server = await local((req, res) => (req.url === '/start' ? res.writeHead(302, { location: '/elsewhere' }).end() : res.end('followed')));
    const answer = await sut.request({ url: server.url('/start') });
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe('/elsewhere');
    await expect(sut.getJson(server.url('/start'))).rejects.toMatchObject({ reason: 'status', status: 302, code: 'PROVIDER_ERROR' });
    expect(server.seen).toEqual(['/start', '/start']);
  });

  it('tunnels through an HTTP CONNECT proxy, to http and to https targets', async () => {
    const proxy = await ConnectProxy.start();
    stops.push(() => proxy.stop());
    const plain = await local((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ host: req.headers.host })));
    expect(await sut.getJson(plain.url('/p'), { proxy: proxy.address })).toEqual({ host: `127.0.0.1:${plain.port}` });
    const secure = await local((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ host: req.headers.host })), true);
    // The test certificate is self-signed: the Verify field, off, is what lets it through (only behind a proxy).
    expect(await sut.getJson(secure.url('/s'), { proxy: `http://${proxy.address}`, verifySsl: false })).toEqual({ host: `127.0.0.1:${secure.port}` });
    await expect(sut.getJson(secure.url('/s'), { proxy: proxy.address })).rejects.toMatchObject({ reason: 'tls', code: 'PROVIDER_UNAVAILABLE' });
    expect(proxy.tunnels).toEqual([`127.0.0.1:${plain.port}`, `127.0.0.1:${secure.port}`, `127.0.0.1:${secure.port}`]);
    await expect(sut.getJson(secure.url('/direct'), { verifySsl: false })).rejects.toMatchObject({ reason: 'tls' });
    expect(secure.seen).toEqual(['/s']);
  });

  it('refuses proxies that are not HTTP CONNECT, and a target behind the proxy in a blocked network', async () => {
    const proxy = await ConnectProxy.start();
    stops.push(() => proxy.stop());
    await expect(sut.request({ url: 'http://127.0.0.1:1/x', proxy: 'socks5://127.0.0.1:1080' })).rejects.toMatchObject({ reason: 'proxy', message: expect.stringMatching(/only HTTP CONNECT proxies/) });
    await expect(sut.request({ url: 'http://169.254.169.254/latest/meta-data', proxy: proxy.address })).rejects.toMatchObject({ reason: 'blocked', code: 'EGRESS_BLOCKED' });
    expect(proxy.tunnels).toEqual([]);
  });

  it('checks the address at connect time: a name that rebinds to a blocked network after the pre-flight gets no request (DNS rebinding)', async () => {
    const server = await local((_req, res) => res.end('{}'));
    const answers = ['192.0.2.1', '127.0.0.1'];
    const asked: string[] = [];
    const rebinding: HostResolver = async (hostname) => {
      asked.push(hostname);
      return [{ address: answers[Math.min(asked.length - 1, answers.length - 1)], family: 4 }];
    };
    const egress = new EgressPolicy(['127.0.0.0/8'], rebinding);
    const tokens = new TokenEndpointClient(new OutboundHttpClient({ httpTimeoutMs: 2000 }, egress), { now: Date.now } as DatabaseClock);
    const endpoint = { tokenUrl: `http://rebind.test:${server.port}/token`, clientId: 'c', clientSecret: 'client-secret-value', proxy: null, verifySsl: true, hint: () => null };
    const error = await tokens.refresh(endpoint, 'refresh-token-value').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EGRESS_BLOCKED', message: expect.stringMatching(/rebind\.test \(127\.0\.0\.1\) is in a network this server never connects to/) });
    expect(asked.length).toBeGreaterThanOrEqual(2);
    expect(server.seen).toEqual([]);
    expect(String((error as Error).message)).not.toMatch(/client-secret-value|refresh-token-value/);
  });

  it('keeps secrets out of its errors: body values, Authorization, query values', async () => {
    const closed = await local(() => undefined);
    await closed.stop();
    stops.pop();
    const error = (await sut
      .request({
        method: 'POST',
        url: `http://user:url-password@127.0.0.1:${closed.port}/token?code=the-code-value&state=s1`,
        headers: { authorization: 'Bearer header-token-value' },
        form: { refresh_token: 'form-refresh-value', client_secret: 'form-secret-value' },
      })
      .catch((e: unknown) => e)) as OutboundHttpError;
    expect(error).toMatchObject({ reason: 'refused', code: 'PROVIDER_UNAVAILABLE' });
    expect(error.message).toBe(`http://127.0.0.1:${closed.port}/token?code=[redacted]&state=[redacted] refused the connection.`);
    expect(JSON.stringify({ ...error, message: error.message, detail: error.detail })).not.toMatch(/the-code-value|header-token-value|form-refresh-value|form-secret-value|url-password/);
  });

  it('resolves ID-token keys through itself (JWKS for jose), behind the proxy too', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const server = await local((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    const token = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('https://issuer.test').setAudience('app').setExpirationTime('5m').sign(privateKey);
    const keys = sut.jwks(server.url('/jwks'));
    expect(sut.jwks(server.url('/jwks'))).toBe(keys);
    expect((await jwtVerify(token, keys, { issuer: 'https://issuer.test', audience: 'app' })).payload.sub).toBe('alice');
    const proxy = await ConnectProxy.start();
    stops.push(() => proxy.stop());
    expect((await jwtVerify(token, sut.jwks(server.url('/jwks'), { proxy: proxy.address }), { audience: 'app' })).payload.sub).toBe('alice');
    expect(proxy.tunnels).toEqual([`127.0.0.1:${server.port}`]);
    await expect(jwtVerify(token, sut.jwks('http://169.254.169.254/jwks'))).rejects.toMatchObject({ code: 'EGRESS_BLOCKED' });
  });
});
