import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { OAuthMailModuleOptions } from './oauth-mail.options.js';

export const {
  ConfigurableModuleClass: OAuthMailConfigurableModule,
  MODULE_OPTIONS_TOKEN: OAUTH_MAIL_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<OAuthMailModuleOptions>({ moduleName: 'OAuthMail' })
  .setClassMethodName('forRoot')
  // Global lets the host's other modules (an admin panel, controllers) inject the services.
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
