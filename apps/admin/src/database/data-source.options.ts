import { AuditEvent } from '../audit/audit-event.entity.js';
import { OAUTH_MAIL_ENTITIES } from '@app/oauth-mail';
import type { DataSourceOptions } from 'typeorm';
import { AdminSession } from '../auth/admin-session.entity.js';
import { AdminUser } from '../auth/admin-user.entity.js';
import type { AppConfig } from '../config/app.config.js';
import { TypeOrmSafeLogger } from './typeorm-safe.logger.js';
import { POSTGRES_MIGRATIONS } from './migrations/postgres/index.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite/index.js';

/** Every entity of the app's schema: the library's and the app's own. */
export const APP_ENTITIES = [...OAUTH_MAIL_ENTITIES, AdminUser, AdminSession, AuditEvent];

/** The app's one connection. The schema comes from migrations, which run at boot. */
export function dataSourceOptions(database: AppConfig['database']): DataSourceOptions {
  const common = { entities: APP_ENTITIES, migrationsRun: true, synchronize: false, logger: new TypeOrmSafeLogger() };
  return database.type === 'postgres'
    ? { ...common, type: 'postgres', url: database.url, migrations: POSTGRES_MIGRATIONS }
    : {
        ...common,
        type: 'better-sqlite3',
        database: database.path,
        migrations: SQLITE_MIGRATIONS,
        // WAL lets readers go on while a request writes; foreign keys enforce ON DELETE SET NULL.
        prepareDatabase: (db: { pragma(sql: string): unknown }) => {
          db.pragma('journal_mode = WAL');
          db.pragma('foreign_keys = ON');
        },
      };
}
