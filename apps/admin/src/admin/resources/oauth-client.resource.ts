import { OAUTH_CLIENT_EDITABLE_FIELDS, OAuthClient, type OAuthClientService, type OAuthProviderRegistry, type OAuthValidationService, type ProviderField } from '@app/oauth-mail';
import { Components } from '../component-loader.js';
import { oauthClientActions } from './oauth-client.actions.js';
import type { DataSource } from 'typeorm';
import type { ResourceWithOptions } from 'adminjs';
import { SecureTypeormResource } from '../secure-typeorm.resource.js';
import { saveHook } from '../save-hook.js';
import { OAUTH_MAIL_NAVIGATION } from '../navigation.js';
import { formatList, formatMapping } from '../value-format.js';
import { onlyFor } from '../only-for.js';

const SSO_FIELDS = ['userDataSource', 'userDataEndpoint', 'usernameAttribute', 'userFields', 'userCreateExpression', 'allowedDomains', 'loginButtonCaption', 'loginButtonIcon', 'relatedLdaps'];

/** The OAuth Client grid and form: fields as the seed names them, secrets write-only. */
export function oauthClientResource(clients: OAuthClientService, providers: OAuthProviderRegistry, validation: OAuthValidationService, dataSource: DataSource): ResourceWithOptions {
  const repo = dataSource.getRepository(OAuthClient);
  const kindsWith = (field: ProviderField) => providers.all().filter((p) => p.fields.includes(field)).map((p) => p.kind);
  const resource = new SecureTypeormResource(OAuthClient, (row) => ({
    redirectUri: typeof row.id === 'string' && row.id ? clients.redirectUri(row.id) : null,
    clientSecretStatus: row.clientSecretEncrypted ? 'set' : 'not set',
    accessTokenStatus: row.accessTokenEncrypted ? 'stored' : 'none',
    originalAccessTokenStatus: row.originalAccessTokenEncrypted ? 'stored' : 'none',
    userFields: formatMapping(row.userFields),
    relatedLdaps: formatList(row.relatedLdaps),
    allowedDomains: formatList(row.allowedDomains),
    allowedMailHosts: formatList(row.allowedMailHosts),
  }));
  const save = saveHook({
    editable: OAUTH_CLIENT_EDITABLE_FIELDS,
    load: (id) => repo.findOneBy({ id }),
    prepare: (input, existing, id) => clients.prepare(input, existing, id),
  });
  return {
    resource,
    options: {
      id: 'OAuthClient',
      navigation: OAUTH_MAIL_NAVIGATION,
      listProperties: ['name', 'provider', 'type', 'status', 'validationStatus', 'validatedIdentity', 'accessTokenExpiresAt'],
      filterProperties: ['name', 'provider', 'type', 'status', 'validationStatus'],
      showProperties: [
        'redirectUri', 'name', 'provider', 'type', 'status', 'tenantId', 'clientId', 'clientSecretStatus',
        'scope', 'scopeSeparator', 'authorizeUrl', 'tokenUrl', 'allowedMailHosts', 'proxy', 'verifySsl', ...SSO_FIELDS,
        'validationStatus', 'validatedAt', 'validatedIdentity', 'accessTokenExpiresAt', 'lastError',
        'accessTokenStatus', 'originalAccessTokenStatus', 'createdAt', 'updatedAt',
      ],
      editProperties: [
        'name', 'provider', 'type', 'status', 'tenantId', 'clientId', 'clientSecret', 'scope', 'scopeSeparator',
        'authorizeUrl', 'tokenUrl', 'allowedMailHosts', 'proxy', 'verifySsl', ...SSO_FIELDS,
      ],
      sort: { sortBy: 'name', direction: 'asc' },
      properties: {
        id: { isVisible: false },
        provider: { availableValues: providers.all().map((p) => ({ value: p.kind, label: p.label })) },
        clientSecret: {
          type: 'password',
          isVisible: { list: false, show: false, filter: false, edit: true },
          description: "Azure: the secret's Value (shown once when created), not its Secret ID. Leave empty to keep the stored secret.",
        },
        clientId: { description: 'Azure: the Application (client) ID from the app Overview. Google: the OAuth client ID.' },
        tenantId: { description: 'The Directory (tenant) ID from Microsoft Entra ID, or "organizations".', ...onlyFor({ provider: kindsWith('tenantId') }) },
        allowedMailHosts: {
          type: 'string',
          description: 'The mail servers this client\'s tokens may be sent to: host names or *.domain patterns, comma-separated. Empty: hosts of the token endpoint\'s own domain.',
          ...onlyFor({ provider: kindsWith('allowedMailHosts') }),
        },
        scope: { description: 'Leave empty for Azure and Google: their default scopes are used. Required for Generic.' },
        authorizeUrl: { description: 'Leave empty for Azure and Google. Generic: the authorization endpoint.' },
        tokenUrl: { description: 'Leave empty for Azure and Google. Generic: the token endpoint.' },
        scopeSeparator: { description: 'The character between scopes (a space unless the provider wants another).' },
        proxy: { description: 'host:port of an HTTP proxy (tunnelled with CONNECT) for calls to the provider, if the server has no direct access.' },
        verifySsl: { description: 'With a proxy: check the provider certificate. Turning this off is unsafe: anyone on the path can read the tokens.' },
        redirectUri: { type: 'string', isVisible: { list: false, show: true, filter: false, edit: false }, components: { show: Components.RedirectUriShow } },
        clientSecretStatus: { type: 'string', isVisible: { list: false, show: true, filter: false, edit: false } },
        accessTokenStatus: { type: 'string', isVisible: { list: false, show: true, filter: false, edit: false } },
        originalAccessTokenStatus: { type: 'string', isVisible: { list: false, show: true, filter: false, edit: false } },
        userDataSource: onlyFor({ type: ['user'] }),
        userDataEndpoint: onlyFor({ type: ['user'] }),
        usernameAttribute: onlyFor({ type: ['user'] }),
        userFields: { type: 'textarea', ...onlyFor({ type: ['user'] }) },
        relatedLdaps: {
          type: 'string',
          description: 'Names of LDAP Directories, comma-separated: each person signing in is looked up there by Username Attribute, linked and enriched. Empty: no directory.',
          ...onlyFor({ type: ['user'] }),
        },
        allowedDomains: {
          type: 'string',
          description: 'Only these may sign in: Azure tenant IDs, Google Workspace domains, or e-mail domains for Generic (comma-separated). Empty: anyone.',
          ...onlyFor({ type: ['user'] }),
        },
        userCreateExpression: { type: 'textarea', ...onlyFor({ type: ['user'] }) },
        loginButtonCaption: onlyFor({ type: ['user'] }),
        loginButtonIcon: onlyFor({ type: ['user'] }),
        validationStatus: { components: { list: Components.StatusBadge, show: Components.StatusBadge } },
        lastError: { type: 'textarea', isVisible: { list: false, show: true, filter: false, edit: false } },
      },
      actions: {
        new: { before: [save], component: Components.NewWithDefaults, custom: { defaults: { status: 'enabled', scopeSeparator: ' ', verifySsl: true } } },
        edit: { before: [save] },
        ...oauthClientActions(validation, providers, dataSource),
      },
    },
  };
}
