import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OAuthMailModule } from '@app/oauth-mail';
import { adminPanelModule } from './admin/admin-panel.module.js';
import type { AppConfig } from './config/app.config.js';
import { APP_CONFIG } from './config/app-config.token.js';
import { dataSourceOptions } from './database/data-source.options.js';
import { HealthController } from './health/health.controller.js';
import { OAuthCallbackController } from './oauth/oauth-callback.controller.js';
import { CALLBACK_ROUTE } from './oauth/oauth-routes.js';
import { SignInController } from './oauth/sign-in.controller.js';
import { AdminAuthModule } from './auth/admin-auth.module.js';

export interface AppModuleOptions {
  /** Mount AdminJS (off for command-line tools). */
  admin?: boolean;
}

/** The admin app: one database connection, the oauth-mail module, AdminJS and health. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, { admin = true }: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot(dataSourceOptions(config.database)),
        OAuthMailModule.forRoot({
          isGlobal: true,
          encryptionKey: config.encryptionKey,
          previousEncryptionKeys: config.previousEncryptionKeys,
          publicBaseUrl: config.publicBaseUrl,
          callbackPath: `/${CALLBACK_ROUTE}`,
          providerBaseUrls: config.providerBaseUrls,
          providers: config.providers,
          mailTrustedCa: config.mailTrustedCa,
          blockedNetworks: config.blockedNetworks,
        }),
        ...(admin ? [AdminAuthModule, adminPanelModule()] : []),
      ],
      controllers: [HealthController, ...(admin ? [OAuthCallbackController, SignInController] : [])],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
