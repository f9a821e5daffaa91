import type { SessionOptions } from 'express-session';
import type { AppConfig } from '../config/app.config.js';
import type { TypeOrmSessionStore } from './typeorm-session.store.js';

export const SESSION_COOKIE = 'oauth_mail_admin';

/** One session configuration for AdminJS and the OAuth callback, so both see the same admin. */
export function sessionOptions(config: AppConfig, store: TypeOrmSessionStore): SessionOptions {
  return {
    store,
    name: SESSION_COOKIE,
    secret: config.admin.sessionSecret,
    resave: false,
    saveUninitialized: false,
    proxy: true,
    cookie: {
      httpOnly: true,
      // Lax, not Strict: the provider's redirect back to the app must carry the cookie.
      sameSite: 'lax',
      secure: config.publicBaseUrl.startsWith('https:'),
      maxAge: 12 * 60 * 60 * 1000,
    },
  };
}
