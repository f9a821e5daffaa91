export { OAuthMailModule } from './oauth-mail.module.js';
export { OAUTH_MAIL_MODULE_OPTIONS } from './oauth-mail.module-definition.js';
export type { OAuthMailModuleOptions } from './oauth-mail.options.js';
export { OAUTH_MAIL_ENTITIES } from './oauth-mail.entities.js';

export { OAuthClient } from './entities/oauth-client.entity.js';
export { Mailbox } from './entities/mailbox.entity.js';
export { LdapDirectory } from './entities/ldap-directory.entity.js';
export * from './entities/oauth-client.enums.js';
export * from './entities/mailbox.enums.js';
export { preparedSelect } from './entities/prepared-select.js';

export { OAuthClientService, type OAuthClientValues } from './clients/oauth-client.service.js';
export { MailboxSettingsService, type MailboxValues } from './mailboxes/mailbox-settings.service.js';
export { OAuthValidationService, type ValidationOutcome } from './clients/oauth-validation.service.js';
export { TokenService } from './tokens/token.service.js';
export { CLIENT_CHANGE_CHANNEL, ClientChangeFeed } from './tokens/client-change.feed.js';
export { MailboxService, MailboxUnavailableError } from './mailboxes/mailbox.service.js';
export type { FleetOptions, MailboxCheckOutcome, MailboxFetchOutcome, MailboxSelection } from './mailboxes/mailbox-fleet.js';
export { checkedFields, type CheckOutcome, type CheckResult, type CheckStage } from './transports/mail-check.result.js';
export type { FetchedMessage, MailboxField, MailCredential, MailEndpoint, MailFailure, MailFetchState, MailSession, MailTransport, TokenAudience, TransportResult } from './transports/mail-transport.js';
export { MAIL_TRANSPORTS } from './transports/mail-transport.registry.js';
export { classifyMailError, serverText, type MailErrorReading, type MailErrorPlace } from './transports/mail-error.classifier.js';
export { Pop3Client, Pop3Error, type Pop3ConnectOptions } from './transports/pop3/pop3.client.js';
export type { TokenSet } from './tokens/token-set.js';
export type { OAuthClientEvent } from './tokens/oauth-client.events.js';
export { OAuthTransaction } from './entities/oauth-transaction.entity.js';
export { OAuthTokenError } from './errors/oauth-token.error.js';
export { OAUTH_CLIENT_EDITABLE_FIELDS, type OAuthClientDraft } from './validation/oauth-client.validator.js';
export { MAILBOX_EDITABLE_FIELDS, type MailboxDraft } from './validation/mailbox.validator.js';
export { LDAP_DIRECTORY_EDITABLE_FIELDS, DEFAULT_SEARCH_FILTER, type LdapDirectoryDraft } from './validation/ldap-directory.validator.js';
export type { Validated } from './validation/input-reader.js';
export { checkText } from './validation/field-rules.js';
export { LdapDirectoryService, testedFields, type DirectoryTestResult, type DirectoryLookup } from './directories/ldap-directory.service.js';

export { BUILT_IN_OAUTH_PROVIDERS, OAuthProviderRegistry, type EffectiveClientSettings } from './providers/oauth-provider.registry.js';
export type { OAuthProvider, ProviderClient, ProviderDraft, ProviderEndpoints, ProviderField, ProviderScopes, SignInCandidate } from './providers/oauth-provider.js';
export type { ProviderSignIn, ProviderSignInContext, AdapterIdentity, SignInAdapterOutcome } from './providers/provider-sign-in.js';
export { mailHostMatches, sameSiteHosts } from './providers/mail-host.rule.js';
export { AuthorizationCodeFlow, type FlowStart } from './authorization/authorization-code.flow.js';

export { SecretCipher, type SecretLocation } from './crypto/secret-cipher.js';
export { createKeyring, parseEncryptionKey, generateEncryptionKeySpec, type Keyring, type EncryptionKey } from './crypto/secret-cipher.keys.js';
export { SecretVault } from './crypto/secret-vault.js';
export { SECRET_COLUMNS, SECRET_FIELD_NAMES } from './crypto/secret-columns.js';
export { SecretRotationService, type RotationReport } from './crypto/secret-rotation.service.js';

export { OAuthSignInService, usernameClaim, type SignedInIdentity, type SignInOutcome, type SignInButton } from './sso/oauth-sign-in.service.js';
export { mapUserFields } from './provisioning/user-fields.mapper.js';
export { evaluateCreateExpression, type CreateDecision, type EvaluationOptions } from './provisioning/create-expression.evaluator.js';

export { OutboundHttpClient, DEFAULT_MAX_RESPONSE_BYTES, type OutboundRequest, type OutboundResponse, type OutboundGetOptions } from './net/outbound-http.client.js';
export { OutboundHttpError, type OutboundFailureReason } from './net/outbound-http.error.js';
export { IssuerDiscovery, type IssuerMetadata, type IssuerQuery } from './clients/issuer-metadata.js';
export { DEFAULT_BLOCKED_NETWORKS, EgressPolicy, EgressBlockedError, type HostResolver, type ConnectLookup } from './egress/egress-policy.js';
export { ERROR_CODES, type ErrorCode } from './errors/error-codes.js';
export {
  OAuthMailError,
  ConfigurationError,
  SecretDecryptError,
  type FieldErrors,
} from './errors/oauth-mail.error.js';
