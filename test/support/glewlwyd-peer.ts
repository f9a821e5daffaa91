import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The scopes every test user may grant (test/peers/glewlwyd/glewlwyd-server.mjs creates them). */
const USER_SCOPES = [
  'openid', 'email', 'profile', 'offline_access', 'g_profile',
  'https://mail.google.com/', 'https://outlook.office.com/IMAP.AccessAsUser.All',
  'https://outlook.office.com/POP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'mail',
];
/** Every test user's password: the consent walk types it, as a person would on the login page. */
const USER_PASSWORD = 'glewlwyd-test-password';

/** `npm test` installs Glewlwyd before Jest starts (scripts/test.mjs); running Jest alone needs it already. */
export function ensureGlewlwyd(): void {
  if (spawnSync('glewlwyd', ['--version']).status === 0) return;
  throw new Error('Glewlwyd is needed for the second authorization server: run the tests through `npm test`, or see test/peers/README.md to install it');
}

export interface GlewlwydOptions {
  /** RFC 9207: add `iss` to every authorization response (Glewlwyd's `oauth-as-iss-id`, off by default). */
  issInResponse?: boolean;
  /** Access-token lifetime in seconds (fixed for the server's life; there is no run-time TTL route). */
  accessTokenTtl?: number;
  /** Keep one refresh token for the grant's life instead of rotating it at every refresh. */
  noRotation?: boolean;
}

/**
 * Glewlwyd 2.7 (a C SSO server from Debian, independent of oidc-provider) with its OpenID Connect
 * plugin, as a child process (test/peers/glewlwyd/glewlwyd-server.mjs). Same shape as OidcPeer
 * where Glewlwyd can do it; no fault injection, request counting, run-time TTL or account revocation.
 *
 * Its issuer has a path: `http://127.0.0.1:<port>/api/oidc`; every endpoint is under it
 * (`/auth`, `/token`, `/userinfo`, `/jwks`, `/introspect`, `/revoke`, `/.well-known/openid-configuration`).
 */
export class GlewlwydPeer {
  private adminCookie = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly issuer: string,
    /** Scheme, host and port; the issuer is this plus `/api/oidc`. */
    readonly origin: string,
    /** Glewlwyd's own log (console mode, sent to a file), for failed tests. */
    readonly logFile: string,
  ) {}

  static async start(options: GlewlwydOptions = {}): Promise<GlewlwydPeer> {
    ensureGlewlwyd();
    const args = ['test/peers/glewlwyd/glewlwyd-server.mjs'];
    if (options.issInResponse) args.push('--iss-in-response');
    if (options.noRotation) args.push('--no-rotation');
    if (options.accessTokenTtl) args.push('--access-token-ttl', String(options.accessTokenTtl));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const lines = createInterface({ input: child.stdout });
    const ready = await new Promise<{ issuer: string; origin: string; log: string }>((done, fail) => {
      const timer = setTimeout(() => fail(new Error('Glewlwyd did not start within 15 s')), 15_000);
      lines.on('line', (line) => {
        if (!line.startsWith('{')) return;
        clearTimeout(timer);
        done(JSON.parse(line));
      });
      child.once('exit', (code) => fail(new Error(`Glewlwyd's launcher exited with ${code}: ${stderr}`)));
    });
    const peer = new GlewlwydPeer(child, ready.issuer, ready.origin, ready.log);
    await peer.adminLogin();
    return peer;
  }

  private async adminLogin() {
    const res = await fetch(`${this.origin}/api/auth/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'password' }) });
    if (res.status !== 200) throw new Error(`Glewlwyd admin login: ${res.status}`);
    this.adminCookie = res.headers.getSetCookie()[0].split(';')[0];
  }

  private async admin(method: string, path: string, body?: object): Promise<Response> {
    return fetch(`${this.origin}/api${path}`, { method, headers: { 'content-type': 'application/json', cookie: this.adminCookie }, body: body ? JSON.stringify(body) : undefined });
  }

  /**
   * Registers (or replaces) a confidential client for the authorization code and refresh grants.
   * `client_credentials` is added because Glewlwyd lets only such a client introspect its own tokens.
   */
  async registerClient(client_id: string, client_secret: string, redirect_uris: string[]): Promise<void> {
    await this.admin('DELETE', `/client/${encodeURIComponent(client_id)}`);
    const res = await this.admin('POST', '/client/', {
      client_id, name: client_id, confidential: true, password: client_secret, enabled: true, scope: [],
      redirect_uri: redirect_uris, authorization_type: ['code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_method: ['client_secret_basic', 'client_secret_post'],
    });
    if (res.status !== 200) throw new Error(`Glewlwyd refused the client: ${res.status} ${await res.text()}`);
  }

  /** Creates the person if needed (any login works, as with OidcPeer; the password is fixed). */
  async ensureUser(login: string): Promise<void> {
    const found = await this.admin('GET', `/user/${encodeURIComponent(login)}`);
    if (found.status === 200) return;
    const res = await this.admin('POST', '/user/', { username: login, password: USER_PASSWORD, name: login.split('@')[0], email: login, enabled: true, scope: USER_SCOPES });
    if (res.status !== 200) throw new Error(`Glewlwyd refused the user: ${res.status} ${await res.text()}`);
  }

  /**
   * Signs in as `login` and grants the requested scopes, the way Glewlwyd's login page does it
   * (its login page is a JavaScript app driving the same API): from the authorization URL to the
   * redirect back to the app. Returns that redirect (not followed) or, when the server answers
   * otherwise, its status. An error redirect (e.g. `error=invalid_request&error_description=nonce required`)
   * is returned as a redirect too. There is no "deny" here: Glewlwyd's login page has no refusal button.
   */
  async consent(authorizeUrl: string, login: string): Promise<{ redirect: string | null; status: number }> {
    await this.ensureUser(login);
    const jar = new Map<string, string>();
    const request = async (url: string, init: RequestInit = {}) => {
      const res = await fetch(url, {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers as Record<string, string> | undefined), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const cookie of res.headers.getSetCookie()) {
        const [pair] = cookie.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      return res;
    };
    const local = (url: string) => new URL(url).origin === this.origin;
    let url = authorizeUrl;
    let signedIn = false;
    for (let step = 0; step < 6; step++) {
      const res = await request(url);
      const location = res.headers.get('location');
      if (!(res.status >= 300 && res.status < 400 && location)) return { redirect: null, status: res.status };
      const next = new URL(location, url);
      if (!local(next.toString())) return { redirect: next.toString(), status: res.status };
      if (!next.pathname.endsWith('/login.html')) {
        url = next.toString();
        continue;
      }
      // login.html?client_id=…&scope=…&callback_url=<the authorization URL>: sign in, grant, continue.
      if (signedIn) return { redirect: null, status: 401 };
      const auth = await request(`${this.origin}/api/auth/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: login, password: USER_PASSWORD }) });
      if (auth.status !== 200) return { redirect: null, status: auth.status };
      const clientId = next.searchParams.get('client_id')!;
      const grant = await request(`${this.origin}/api/auth/grant/${encodeURIComponent(clientId)}/`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scope: next.searchParams.get('scope') ?? '' }),
      });
      if (grant.status !== 200) return { redirect: null, status: grant.status };
      signedIn = true;
      // The login page's "Continue" button: the same authorization URL with g_continue.
      const callback = next.searchParams.get('callback_url') ?? url;
      url = `${callback}${callback.includes('?') ? '&' : '?'}g_continue`;
    }
    throw new Error('the consent flow did not end in 6 steps');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise((done) => this.child.once('exit', done).kill('SIGTERM'));
  }
}
