import 'reflect-metadata';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import session from 'express-session';
import { AppModule } from './app.module.js';
import { sessionOptions } from './auth/session-options.js';
import { CALLBACK_ROUTE, SIGN_IN_ROUTE } from './oauth/oauth-routes.js';
import { signInRateLimits } from './oauth/sign-in-rate-limit.js';
import { TypeOrmSessionStore } from './auth/typeorm-session.store.js';
import type { AppConfig } from './config/app.config.js';

/** Builds the app (without listening), so tests boot exactly what `main.ts` runs. */
export async function createApp(config: AppConfig, options: { logger?: false | Logger } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: options.logger === false ? false : undefined,
    bufferLogs: false,
  });
  app.disable('x-powered-by');
  // Client IPs (rate limits, logs) come from X-Forwarded-For only behind a proxy the admin named.
  if (config.trustProxy !== null) app.set('trust proxy', config.trustProxy);
  app.enableShutdownHooks();
  // Ahead of the session, so a refused request stores nothing.
  const [starts, callbacks] = signInRateLimits(config.signInRateLimit);
  app.use(`/${SIGN_IN_ROUTE}/:clientId`, starts);
  app.use(`/${CALLBACK_ROUTE}/:clientId`, callbacks);
  // The OAuth callback reads the admin session (to tell the admin's browser from a private window).
  app.use('/oauth', session(sessionOptions(config, app.get(TypeOrmSessionStore))));
  await app.init();
  // Errors that escape AdminJS's own handling end here: logged by name, answered without a stack trace.
  app.use((error: Error, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    new Logger('Http').error(`Unhandled ${error?.name ?? 'error'} in a request`);
    res.status(500).type('text/plain').send('Something went wrong. Try again, and check the server log if it persists.');
  });
  return app;
}
