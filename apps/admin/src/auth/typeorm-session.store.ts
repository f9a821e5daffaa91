import session from 'express-session';
import { LessThan, type Repository } from 'typeorm';
import type { AdminSession } from './admin-session.entity.js';

type Callback<T = void> = (err?: unknown, value?: T) => void;

const DAY_MS = 24 * 60 * 60 * 1000;

/** express-session store on the app's own database (SQLite or PostgreSQL). */
export class TypeOrmSessionStore extends session.Store {
  constructor(private readonly sessions: Repository<AdminSession>) {
    super();
  }

  get(sid: string, done: Callback<session.SessionData | null>): void {
    this.sessions
      .findOneBy({ sid })
      .then((row) => {
        if (!row || row.expiresAt.getTime() <= Date.now()) return done(undefined, null);
        done(undefined, JSON.parse(row.data) as session.SessionData);
      })
      .catch(done);
  }

  set(sid: string, data: session.SessionData, done: Callback = () => undefined): void {
    this.sessions
      .upsert({ sid, data: JSON.stringify(data), expiresAt: expiry(data) }, ['sid'])
      .then(() => done())
      .catch(done);
  }

  touch(sid: string, data: session.SessionData, done: Callback = () => undefined): void {
    this.sessions
      .update({ sid }, { expiresAt: expiry(data) })
      .then(() => done())
      .catch(done);
  }

  destroy(sid: string, done: Callback = () => undefined): void {
    this.sessions
      .delete({ sid })
      .then(() => done())
      .catch(done);
  }

  /** Deletes expired sessions. */
  async prune(): Promise<void> {
    await this.sessions.delete({ expiresAt: LessThan(new Date()) });
  }
}

function expiry(data: session.SessionData): Date {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires) : new Date(Date.now() + DAY_MS);
}
