import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OAuthClientService } from './clients/oauth-client.service.js';
import { OAuthValidationService } from './clients/oauth-validation.service.js';
import { TokenEndpointClient } from './tokens/token-endpoint.client.js';
import { OutboundHttpClient } from './net/outbound-http.client.js';
import { IssuerDiscovery } from './clients/issuer-metadata.js';
import { TokenService } from './tokens/token.service.js';
import { UnsavedTokenStore } from './tokens/unsaved-token.store.js';
import { RefreshBackoff } from './tokens/refresh.backoff.js';
import { AccessTokenCache } from './tokens/access-token.cache.js';
import { DatabaseClock } from './tokens/database.clock.js';
import { ClientChangeFeed } from './tokens/client-change.feed.js';
import { ClientChangeSubscriber } from './tokens/client-change.subscriber.js';
import { MailboxService } from './mailboxes/mailbox.service.js';
import { OAuthSignInService } from './sso/oauth-sign-in.service.js';
import { AuthorizationCodeFlow } from './authorization/authorization-code.flow.js';
import { OAuthProviderRegistry } from './providers/oauth-provider.registry.js';
import { createKeyring } from './crypto/secret-cipher.keys.js';
import { SecretCipher } from './crypto/secret-cipher.js';
import { SecretRotationService } from './crypto/secret-rotation.service.js';
import { SecretVault } from './crypto/secret-vault.js';
import { ConfigurationError } from './errors/oauth-mail.error.js';
import { LdapDirectoryService } from './directories/ldap-directory.service.js';
import { DEFAULT_BLOCKED_NETWORKS, EgressPolicy } from './egress/egress-policy.js';
import { MailboxSettingsService } from './mailboxes/mailbox-settings.service.js';
import { OAUTH_MAIL_ENTITIES } from './oauth-mail.entities.js';
import { OAUTH_MAIL_MODULE_OPTIONS, OAuthMailConfigurableModule } from './oauth-mail.module-definition.js';
import type { OAuthMailModuleOptions } from './oauth-mail.options.js';

/**
 * OAuth clients, mailboxes and their secrets. The host app owns the TypeORM
 * connection and registers `OAUTH_MAIL_ENTITIES` in it; this module only
 * declares its repositories.
 */
@Module({
  imports: [TypeOrmModule.forFeature(OAUTH_MAIL_ENTITIES)],
  providers: [
    {
      provide: SecretCipher,
      inject: [OAUTH_MAIL_MODULE_OPTIONS],
      useFactory: (options: OAuthMailModuleOptions) => {
        checkOptions(options);
        return new SecretCipher(createKeyring(options.encryptionKey, options.previousEncryptionKeys));
      },
    },
    {
      provide: EgressPolicy,
      inject: [OAUTH_MAIL_MODULE_OPTIONS],
      useFactory: (options: OAuthMailModuleOptions) => {
        try {
          return new EgressPolicy(options.blockedNetworks ?? DEFAULT_BLOCKED_NETWORKS, options.resolveHost);
        } catch (error) {
          throw new ConfigurationError(`OAuthMailModule blockedNetworks: ${(error as Error).message}`);
        }
      },
    },
    OAuthProviderRegistry,
    SecretVault,
    SecretRotationService,
    OAuthClientService,
    MailboxSettingsService,
    OutboundHttpClient,
    IssuerDiscovery,
    TokenEndpointClient,
    DatabaseClock,
    AccessTokenCache,
    UnsavedTokenStore,
    RefreshBackoff,
    ClientChangeFeed,
    ClientChangeSubscriber,
    TokenService,
    AuthorizationCodeFlow,
    OAuthValidationService,
    MailboxService,
    OAuthSignInService,
    LdapDirectoryService,
  ],
  exports: [OAuthProviderRegistry, AuthorizationCodeFlow, SecretVault, SecretRotationService, OAuthClientService, MailboxSettingsService, ClientChangeFeed, TokenService, OAuthValidationService, MailboxService, OAuthSignInService, LdapDirectoryService],
})
export class OAuthMailModule extends OAuthMailConfigurableModule {}

function checkOptions(options: OAuthMailModuleOptions): void {
  if (!options?.encryptionKey) {
    throw new ConfigurationError('OAuthMailModule needs an encryptionKey to protect client secrets, passwords and tokens.');
  }
  let url: URL | undefined;
  try {
    url = new URL(options.publicBaseUrl);
  } catch {
    /* reported below */
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash) {
    throw new ConfigurationError('OAuthMailModule needs publicBaseUrl: the absolute http(s) URL the app is reached at.');
  }
  if (options.callbackPath !== undefined && !/^(\/[A-Za-z0-9._~-]+)+$/.test(options.callbackPath)) {
    throw new ConfigurationError('OAuthMailModule callbackPath must be a path such as /oauth/callback (no trailing slash, query or fragment).');
  }
}
