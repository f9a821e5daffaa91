import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../../apps/admin/src/bootstrap.js';
import { loadAppConfig, type AppConfig, type Env } from '../../apps/admin/src/config/app.config.js';
import { OutputCapture } from './output-capture.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const ADMIN_EMAIL = 'admin@example.test';
export const ADMIN_PASSWORD = 'correct horse battery staple';
export const TEST_KEY = 'ktest1:' + Buffer.alloc(32, 7).toString('base64');

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  db: TestDatabase;
  output: OutputCapture;
  http: ReturnType<typeof request>;
  /** The app's own origin: the panel refuses state-changing requests without it (CSRF). */
  origin: string;
  /** A supertest agent that sends the app's Origin, as the panel's pages do. */
  browser(): ReturnType<typeof request.agent>;
  /** A supertest agent logged in as the admin. */
  login(): Promise<ReturnType<typeof request.agent>>;
  /** Stops the app; the database stays for a restart. */
  stop(): Promise<void>;
  /** Stops the app and drops the database. */
  close(): Promise<void>;
}

/** Boots the real admin app on a database of its own, with its output captured. */
export async function startTestApp(env: Env = {}, db?: TestDatabase, overrides: Partial<AppConfig> = {}): Promise<TestApp> {
  const database = db ?? (await createTestDatabase());
  const output = new OutputCapture().start();
  const config = await loadAppConfig(
    {
      DATA_DIR: database.dir,
      DATABASE_URL: database.url,
      OAUTH_MAIL_ENCRYPTION_KEY: TEST_KEY,
      ADMIN_SESSION_SECRET: 'test-session-secret-test-session-secret',
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      OAUTH_MAIL_PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
      // Suites sign in and validate far more often than a person; the limit itself has its own suite.
      OAUTH_MAIL_SIGN_IN_RATE_LIMIT: '100000',
      ...env,
    },
    (message) => console.warn(message),
  );
  const app = await createApp({ ...config, ...overrides });
  const server = app.getHttpServer();
  const stop = async () => {
    await app.close();
    output.stop();
  };
  const origin = new URL(config.publicBaseUrl).origin;
  const browser = () => request.agent(server).set('Origin', origin);
  return {
    app,
    config,
    db: database,
    output,
    http: request(server),
    origin,
    browser,
    async login() {
      const agent = browser();
      const res = await agent.post('/admin/login').type('form').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      if (res.status !== 302) throw new Error(`login failed with ${res.status}`);
      return agent;
    },
    stop,
    async close() {
      await stop();
      await database.drop();
    },
  };
}

type Agent = ReturnType<typeof request.agent>;

/** Sends an AdminJS form the way its front end does (multipart fields). */
export function submit(agent: Agent, path: string, fields: Record<string, string | number | boolean>) {
  const req = agent.post(path);
  for (const [name, value] of Object.entries(fields)) req.field(name, String(value));
  if (!Object.keys(fields).length) req.send();
  return req;
}
