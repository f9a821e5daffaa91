import session from 'express-session';
import { LessThan, type Repository } from 'typeorm';
import type { AdminSession } from './admin-session.entity.js';
import type { AdminUser } from './admin-user.entity.js';
import { toCurrentAdmin, type CurrentAdmin } from './admin-user.service.js';

type Callback<T = void> = (err?: unknown, value?: T) => void;

const DAY_MS = 24 * 60 * 60 * 1000;
/** A session's expiry is written again at most this often: not once per request. */
export const TOUCH_EVERY_MS = 60_000;

type WithAdmin = session.SessionData & { adminUser?: CurrentAdmin };

/** A row of the read: the session and, when signed in, its person (the columns as TypeORM names them). */
interface SessionRow {
  session_data: string;
  session_expiresAt: unknown;
  user_id: string | null;
  user_email: string;
  user_role: AdminUser['role'];
  user_name: string | null;
}

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
  /** The read's SQL, built once: building it took most of a session read's time (it runs on every request). */
  private readonly readStatement: string;
  private readonly hydrateExpiry: (raw: unknown) => Date;

  constructor(
    private readonly sessions: Repository<AdminSession>,
    private readonly clock: () => number = Date.now,
  ) {
    super();
    [this.readStatement] = sessions
      .createQueryBuilder('session')
      .leftJoin('session.user', 'user')
      .select(['session.data', 'session.expiresAt', 'user.id', 'user.email', 'user.role', 'user.name'])
      .where('session.sid = :sid', { sid: '' })
      .getQueryAndParameters();
    const expiresAt = sessions.metadata.findColumnWithPropertyName('expiresAt')!;
    const driver = sessions.manager.connection.driver;
    this.hydrateExpiry = (raw) => driver.prepareHydratedValue(raw, expiresAt) as Date;
  }

  get(sid: string, done: Callback<session.SessionData | null>): void {
    this.read(sid).then((data) => done(undefined, data), done);
  }

  private async read(sid: string): Promise<session.SessionData | null> {
    const [row] = await this.sessions.query<SessionRow[]>(this.readStatement, [sid]);
    if (!row || this.hydrateExpiry(row.session_expiresAt).getTime() <= Date.now()) return null;
    const data = JSON.parse(row.session_data) as WithAdmin;
    if (row.user_id !== null) data.adminUser = toCurrentAdmin({ id: row.user_id, email: row.user_email, role: row.user_role, name: row.user_name });
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
