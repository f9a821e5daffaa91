import { AdminModule } from '@adminjs/nestjs';
import { Database, Resource } from '@adminjs/typeorm';
import AdminJS, { type ResourceWithOptions } from 'adminjs';
import { LdapDirectoryService, MailboxService, MailboxSettingsService, OAuthClientService, OAuthProviderRegistry, OAuthValidationService } from '@app/oauth-mail';
import type { DynamicModule } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { AdminAuthModule } from '../auth/admin-auth.module.js';
import { AdminUserService } from '../auth/admin-user.service.js';
import { TypeOrmSessionStore } from '../auth/typeorm-session.store.js';
import { SESSION_COOKIE, sessionOptions } from '../auth/session-options.js';
import type { AppConfig } from '../config/app.config.js';
import { APP_CONFIG } from '../config/app-config.token.js';
import { adminTranslations } from './admin-locale.js';
import { ADMIN_ROOT } from './admin-root.js';
import { withRoles } from './admin-roles.js';
import { withAuditTrail } from '../audit/audit-trail.js';
import { AuditEvent } from '../audit/audit-event.entity.js';
import { auditEventResource } from '../audit/audit-event.resource.js';
import { componentLoader, Components } from './component-loader.js';
import { dashboardSummary } from './dashboard.handler.js';
import { PanelLoader } from './panel.loader.js';
import { adminUserResource } from './resources/admin-user.resource.js';
import { ldapDirectoryResource } from './resources/ldap-directory.resource.js';
import { mailboxResource } from './resources/mailbox.resource.js';
import { oauthClientResource } from './resources/oauth-client.resource.js';
import { scrubActionResponse } from './secret-params.js';

AdminJS.registerAdapter({ Database, Resource });

const BUILT_IN_ACTIONS = ['list', 'search', 'show', 'new', 'edit', 'delete', 'bulkDelete'];

/** AdminJS at /admin, behind a login, with sessions in the app's database. */
export function adminPanelModule(): DynamicModule {
  return AdminModule.createAdminAsync({
    imports: [AdminAuthModule],
    inject: [APP_CONFIG, DataSource, OAuthClientService, OAuthProviderRegistry, OAuthValidationService, MailboxSettingsService, MailboxService, LdapDirectoryService, AdminUserService, TypeOrmSessionStore],
    customLoader: PanelLoader,
    useFactory: (
      config: AppConfig,
      dataSource: DataSource,
      clients: OAuthClientService,
      providers: OAuthProviderRegistry,
      validation: OAuthValidationService,
      mailboxes: MailboxSettingsService,
      mail: MailboxService,
      directories: LdapDirectoryService,
      users: AdminUserService,
      store: TypeOrmSessionStore,
    ) => ({
      adminJsOptions: {
        rootPath: ADMIN_ROOT,
        componentLoader,
        loginPath: `${ADMIN_ROOT}/login`,
        logoutPath: `${ADMIN_ROOT}/logout`,
        resources: [
          oauthClientResource(clients, providers, validation, dataSource),
          mailboxResource(mailboxes, mail, dataSource),
          ldapDirectoryResource(directories, dataSource),
          adminUserResource(users, dataSource),
          auditEventResource(),
        ]
          .map(withFieldHelp)
          .map(withRoles)
          .map(withAuditTrail(dataSource.getRepository(AuditEvent)))
          .map(scrubbed),
        dashboard: { component: Components.Dashboard, handler: () => dashboardSummary(dataSource) },
        branding: { companyName: 'OAuth Mail', withMadeWithLove: false, logo: false },
        locale: { language: 'en', availableLanguages: ['en'], translations: { en: adminTranslations(providers.all()) } },
      },
      auth: {
        authenticate: async (email: string, password: string, context?: { req?: Request }) => {
          const admin = await users.authenticate(email, password);
          if (admin && context?.req?.session) await regenerateSession(context.req);
          return admin;
        },
        cookieName: SESSION_COOKIE,
        cookiePassword: config.admin.sessionSecret,
        maxRetries: { count: 10, duration: 60 },
      },
      sessionOptions: sessionOptions(config, store),
    }),
  });
}

/** Help text under the form fields that have one (AdminJS would hide it in a tooltip), unless a field has its own editor. */
function withFieldHelp(resource: ResourceWithOptions): ResourceWithOptions {
  const properties = Object.fromEntries(
    Object.entries(resource.options.properties ?? {}).map(([name, property]) => [
      name,
      property.description && !property.components?.edit ? { ...property, components: { ...property.components, edit: Components.FormField } } : property,
    ]),
  );
  return { ...resource, options: { ...resource.options, properties } };
}

/** Adds the secret scrubber after every action of a resource, custom ones included. */
function scrubbed(resource: ResourceWithOptions): ResourceWithOptions {
  const actions = { ...(resource.options.actions ?? {}) } as Record<string, Record<string, unknown>>;
  for (const name of new Set([...BUILT_IN_ACTIONS, ...Object.keys(actions)])) {
    const action = actions[name] ?? {};
    const after = action.after ? [action.after].flat() : [];
    actions[name] = { ...action, after: [...after, scrubActionResponse] };
  }
  return { ...resource, options: { ...resource.options, actions } };
}

/** A new session id at login, so an id planted before login is worthless after it (session fixation). */
function regenerateSession(req: Request): Promise<void> {
  const redirectTo = (req.session as { redirectTo?: string }).redirectTo;
  return new Promise((done, fail) =>
    req.session.regenerate((error?: Error) => {
      if (error) return fail(error);
      if (redirectTo) (req.session as { redirectTo?: string }).redirectTo = redirectTo;
      done();
    }),
  );
}
