import session from 'express-session';
import { LessThan, type Repository } from 'typeorm';
import type { AdminSession } from './admin-session.entity.js';
import type { CurrentAdmin } from './admin-user.service.js';

type Callback<T = void> = (err?: unknown, value?: T) => void;

const DAY_MS = 24 * 60 * 60 * 1000;
/** A session's expiry is written again at most this often: not once per request. */
export const TOUCH_EVERY_MS = 60_000;

type WithAdmin = session.SessionData & { adminUser?: CurrentAdmin };

/**
 * express-session store on the app's own database (SQLite or PostgreSQL).
 * Each load refreshes the signed-in person from the database, so a changed
 * role applies at the next request and a deleted user is signed out. An
 * unchanged session's expiry is written at most once a minute per process,
 * so it lags the cookie's by under a minute of a day-long lifetime.
 */
export class TypeOrmSessionStore extends session.Store {
  /** When each session's expiry was last written by this process. */
  private readonly written = new Map<string, number>();

  constructor(
    private readonly sessions: Repository<AdminSession>,
    private readonly currentAdmin: (id: string) => Promise<CurrentAdmin | null>,
    private readonly clock: () => number = Date.now,
  ) {
    super();
  }

  get(sid: string, done: Callback<session.SessionData | null>): void {
    this.read(sid).then((data) => done(undefined, data), done);
  }

  private async read(sid: string): Promise<session.SessionData | null> {
    const row = await this.sessions.findOneBy({ sid });
    if (!row || row.expiresAt.getTime() <= Date.now()) return null;
    const data = JSON.parse(row.data) as WithAdmin;
    if (data.adminUser?.id) {
      const fresh = await this.currentAdmin(data.adminUser.id);
      if (fresh) data.adminUser = fresh;
      else delete data.adminUser;
    }
    return data;
  }

  set(sid: string, data: session.SessionData, done: Callback = () => undefined): void {
    this.written.set(sid, this.clock());
    this.sessions
      .upsert({ sid, data: JSON.stringify(data), expiresAt: expiry(data) }, ['sid'])
      .then(() => done())
      .catch(done);
  }

  touch(sid: string, data: session.SessionData, done: Callback = () => undefined): void {
    const now = this.clock();
    if (now - (this.written.get(sid) ?? 0) < TOUCH_EVERY_MS) return done();
    this.written.set(sid, now);
    this.sessions
      .update({ sid }, { expiresAt: expiry(data) })
      .then(() => done())
      .catch(done);
  }

  destroy(sid: string, done: Callback = () => undefined): void {
    this.written.delete(sid);
    this.sessions
      .delete({ sid })
      .then(() => done())
      .catch(done);
  }

  /** Deletes expired sessions. */
  async prune(): Promise<void> {
    const stale = this.clock() - TOUCH_EVERY_MS;
    for (const [sid, at] of this.written) if (at < stale) this.written.delete(sid);
    await this.sessions.delete({ expiresAt: LessThan(new Date()) });
  }
}

function expiry(data: session.SessionData): Date {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires) : new Date(Date.now() + DAY_MS);
}
