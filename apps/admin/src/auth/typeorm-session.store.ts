import session from 'express-session';
import { LessThan, type Repository } from 'typeorm';
import type { AdminSession } from './admin-session.entity.js';
import { toCurrentAdmin, type CurrentAdmin } from './admin-user.service.js';

type Callback<T = void> = (err?: unknown, value?: T) => void;

const DAY_MS = 24 * 60 * 60 * 1000;
/** A session's expiry is written again at most this often: not once per request. */
export const TOUCH_EVERY_MS = 60_000;

type WithAdmin = session.SessionData & { adminUser?: CurrentAdmin };

/**
 * express-session store on the app's own database (SQLite or PostgreSQL).
 * Each load reads the signed-in person in the same statement as the session,
 * so a changed role applies at the next request, in every process, with no
 * cache to invalidate; a deleted user's sessions go with them. An
 * unchanged session's expiry is written at most once a minute per process,
 * so it lags the cookie's by under a minute of a day-long lifetime.
 */
export class TypeOrmSessionStore extends session.Store {
  /** When each session's expiry was last written by this process. */
  private readonly written = new Map<string, number>();

  constructor(
    private readonly sessions: Repository<AdminSession>,
    private readonly clock: () => number = Date.now,
  ) {
    super();
  }

  get(sid: string, done: Callback<session.SessionData | null>): void {
    this.read(sid).then((data) => done(undefined, data), done);
  }

  private async read(sid: string): Promise<session.SessionData | null> {
    // A query builder, not findOne: with a relation and a limit TypeORM would add a second, DISTINCT query.
    const row = await this.sessions.createQueryBuilder('session').leftJoinAndSelect('session.user', 'user').where('session.sid = :sid', { sid }).getOne();
    if (!row || row.expiresAt.getTime() <= Date.now()) return null;
    const data = JSON.parse(row.data) as WithAdmin;
    if (row.user) data.adminUser = toCurrentAdmin(row.user);
    else delete data.adminUser;
    return data;
  }

  set(sid: string, data: session.SessionData, done: Callback = () => undefined): void {
    this.written.set(sid, this.clock());
    this.sessions
      .upsert({ sid, data: JSON.stringify(data), expiresAt: expiry(data), userId: (data as WithAdmin).adminUser?.id ?? null }, ['sid'])
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
