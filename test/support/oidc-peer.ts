import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The real authorization server (test/peers/oidc-server.mjs) as a child process. */
export class OidcPeer {
  private constructor(
    private readonly child: ChildProcess,
    readonly issuer: string,
  ) {}

  /**
   * `tls`: serve https with the test CA's certificate (scripts/test.mjs makes it and has
   * the Jest process trust it), as Azure's sign-in needs. `issuerPath`: an issuer with a path
   * (`/realms/test`), its routes under it; `rfc8414`: its metadata also at the RFC 8414 §3.1 address.
   */
  static async start({ tls = false, issuerPath = '', rfc8414 = false }: { tls?: boolean; issuerPath?: string; rfc8414?: boolean } = {}): Promise<OidcPeer> {
    const tlsDir = process.env.OAUTH_MAIL_TEST_TLS_DIR;
    if (tls && !tlsDir) throw new Error('The https authorization server needs the test CA: run the tests through `npm test`.');
    const child = spawn(process.execPath, ['test/peers/oidc-server.mjs', '--port', '0', ...(tls ? ['--tls', tlsDir!] : []), ...(issuerPath ? ['--issuer-path', issuerPath] : []), ...(rfc8414 ? ['--rfc8414'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = createInterface({ input: child.stdout });
    const issuer = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error('the authorization server did not start within 15 s')), 15_000);
      lines.on('line', (line) => {
        if (!line.startsWith('{')) return;
        clearTimeout(timer);
        done(JSON.parse(line).issuer);
      });
      child.once('exit', (code) => fail(new Error(`the authorization server exited with ${code}`)));
    });
    child.stderr.resume();
    return new OidcPeer(child, issuer);
  }

  private async post(path: string, body: object = {}) {
    const res = await fetch(`${this.issuer}${path}`, { method: 'POST', body: JSON.stringify(body) });
    return res.json();
  }

  registerClient(client_id: string, client_secret: string, redirect_uris: string[], token_endpoint_auth_method = 'client_secret_basic') {
    return this.post('/__test/clients', { client_id, client_secret, redirect_uris, token_endpoint_auth_method });
  }

  /**
   * The next `times` requests to `path` get this status and body (or are delayed). `rawBody` is sent
   * as is, with `contentType` or with no content type at all; `headers` go with it (Retry-After).
   * `trickleMs` sends the body (`rawBody`, or a valid token answer) one byte at a time, that far apart.
   */
  fault(path: string, fault: { status?: number; body?: object; rawBody?: string; contentType?: string; delayMs?: number; times?: number; headers?: Record<string, string>; trickleMs?: number }) {
    return this.post('/__test/fault', { path, ...fault });
  }

  setAccessTokenTtl(seconds: number) {
    return this.post('/__test/ttl', { accessToken: seconds });
  }

  revokeAccount(account: string) {
    return this.post('/__test/revoke', { account });
  }

  /** The private key the server signs ID tokens with, to forge tokens that only a specific check can refuse. */
  async signingKey(): Promise<Record<string, string>> {
    return (await fetch(`${this.issuer}/__test/signing-key`)).json() as Promise<Record<string, string>>;
  }

  reset() {
    return this.post('/__test/reset');
  }

  async requests(path: string): Promise<number> {
    const stats = (await (await fetch(`${this.issuer}/__test/stats`)).json()) as Record<string, number>;
    return stats[path] ?? 0;
  }

  /**
   * Signs in as `login` and consents, as a person would in a browser, from the
   * authorization URL to the redirect back to the app. Returns that redirect
   * (not followed) or, when the server answers otherwise, its status.
   */
  async consent(authorizeUrl: string, login: string, { deny = false } = {}): Promise<{ redirect: string | null; status: number }> {
    const jar = new Map<string, string>();
    const request = async (url: string, init: RequestInit = {}) => {
      const res = await fetch(url, {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers ?? {}), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const cookie of res.headers.getSetCookie()) {
        const [pair] = cookie.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      return res;
    };
    let url = authorizeUrl;
    for (let step = 0; step < 12; step++) {
      const res = await request(url);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, url).toString();
        if (!next.startsWith(this.issuer) && !next.startsWith(this.issuer.replace('127.0.0.1', 'localhost'))) return { redirect: next, status: res.status };
        url = next;
        continue;
      }
      const html = await res.text();
      if (res.status !== 200) return { redirect: null, status: res.status };
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (!action) return { redirect: null, status: res.status };
      const isLogin = html.includes('name="login"');
      const form = new URLSearchParams(isLogin ? { prompt: 'login', login, password: 'any' } : { prompt: 'consent' });
      const target = new URL(action, url).toString();
      if (!isLogin && deny) {
        const abort = /href="([^"]+\/abort)"/.exec(html)?.[1];
        url = new URL(abort ?? `${target}/abort`, url).toString();
        continue;
      }
      const posted = await request(target, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      url = new URL(posted.headers.get('location') ?? target, target).toString();
    }
    throw new Error('the consent flow did not end in 12 steps');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise((done) => this.child.once('exit', done).kill('SIGTERM'));
  }
}
