// The admin app for the benches that time it over HTTP (P1's admin Check, P4).
import http from 'node:http';
import { DataSource } from 'typeorm';

const EMAIL = 'bench@example.com';
const PASSWORD = 'a bench password of some length';

/**
 * Boots the admin app as `npm start` builds it, with `env` over a bench configuration, listening
 * on loopback and signed in. `call(method, path, body)` sends a request on the session and answers
 * its JSON and the number of SQL statements it ran.
 */
export async function bootAdmin(env) {
  // As apps/admin/src/main.ts starts it: AdminJS serves the bundle `npm run build` made, instead of
  // bundling its components at boot and watching their sources for the rest of the run.
  process.env.ADMIN_JS_SKIP_BUNDLE ??= 'true';
  const { createApp } = await import('../dist/apps/admin/src/bootstrap.js');
  const { loadAppConfig } = await import('../dist/apps/admin/src/config/app.config.js');
  const config = await loadAppConfig(
    {
      OAUTH_MAIL_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), ADMIN_SESSION_SECRET: 's'.repeat(40),
      ADMIN_EMAIL: EMAIL, ADMIN_PASSWORD: PASSWORD, OAUTH_MAIL_PUBLIC_BASE_URL: 'http://127.0.0.1:3000', ...env,
    },
    () => undefined,
  );
  const app = await createApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${app.getHttpServer().address().port}`;
  const dataSource = app.get(DataSource);
  // Origin: the panel refuses a state-changing request without it (CSRF), as it would from a page elsewhere.
  const origin = new URL(config.publicBaseUrl).origin;
  const login = await fetch(`${base}/admin/login`, { method: 'POST', redirect: 'manual', headers: { origin }, body: new URLSearchParams({ email: EMAIL, password: PASSWORD }) });
  if (login.status !== 302) throw new Error(`bench sign-in failed with ${login.status}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const statements = { n: 0 };
  const logger = dataSource.logger;
  const logQuery = logger.logQuery.bind(logger);
  logger.logQuery = (...args) => {
    statements.n++;
    return logQuery(...args);
  };
  // node:http on one kept-alive connection, as a browser holds one: fetch (undici) adds about a millisecond per request of its own.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const call = async (method, path, form) => {
    const headers = { cookie, origin };
    let body;
    if (form) {
      const encoded = new Request(base, { method, body: form });
      headers['content-type'] = encoded.headers.get('content-type');
      body = Buffer.from(await encoded.arrayBuffer());
    }
    const before = statements.n;
    const { status, text } = await new Promise((done, fail) => {
      const req = http.request(`${base}${path}`, { method, headers, agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', fail);
      req.end(body);
    });
    if (status !== 200) throw new Error(`${method} ${path} answered ${status}`);
    return { json: JSON.parse(text), statements: statements.n - before };
  };
  const close = () => {
    agent.destroy();
    return app.close();
  };
  return { app, dataSource, call, close };
}
