import type { OAuthProvider } from '../oauth-provider.js';
import { azureHint } from './azure.hints.js';
import { AzureSignIn } from './azure-sign-in.js';
import { AZURE_MULTI_TENANT_NAMES, AZURE_TENANT, isMultiTenant } from './azure.tenants.js';

const OUTLOOK = 'https://outlook.office.com';

/** Microsoft identity platform (Entra ID) v2 under the tenant, and Exchange Online's mail hosts. */
export const AZURE_PROVIDER: OAuthProvider = {
  kind: 'azure',
  label: 'Azure (Microsoft 365)',
  fields: ['tenantId'],
  endpoints: ({ tenantId }, baseUrl = 'https://login.microsoftonline.com') => {
    const tenant = encodeURIComponent(tenantId || 'common');
    return {
      authorizeUrl: `${baseUrl}/${tenant}/oauth2/v2.0/authorize`,
      tokenUrl: `${baseUrl}/${tenant}/oauth2/v2.0/token`,
      userDataEndpoint: 'https://graph.microsoft.com/oidc/userinfo',
      discoveryUrl: `${baseUrl}/${tenant}/v2.0/.well-known/openid-configuration`,
      // Multi-tenant authorities have no single issuer: the person's own tenant names it.
      ...(isMultiTenant(tenantId) ? {} : { issuer: `${baseUrl}/${tenant}/v2.0` }),
    };
  },
  scopes: {
    mailbox: {
      base: ['offline_access', 'openid', 'email'],
      byProtocol: {
        imap: [`${OUTLOOK}/IMAP.AccessAsUser.All`],
        pop3: [`${OUTLOOK}/POP.AccessAsUser.All`],
        smtp: [`${OUTLOOK}/SMTP.Send`],
      },
    },
    user: ['openid', 'profile', 'email', 'offline_access'],
  },
  // select_account: the admin picks the mailbox user instead of the account the browser is signed in with.
  authorizeParams: { prompt: 'select_account', response_mode: 'query' },
  checkFields(draft, fail) {
    if (!draft.tenantId) fail('tenantId', 'Enter the Directory (tenant) ID from Microsoft Entra ID, or "organizations".');
    else if (!AZURE_TENANT.test(draft.tenantId)) fail('tenantId', 'Enter a tenant GUID, a domain such as contoso.onmicrosoft.com, "organizations" or "common".');
    if (draft.type === 'user' && draft.userDataSource === 'endpoint') {
      fail('userDataSource', 'Azure sign-in reads the ID token (validated by passport-azure-ad): choose ID token.');
    }
    // Otherwise anyone in any Microsoft 365 organisation could sign in.
    if (draft.type === 'user' && isMultiTenant(draft.tenantId) && !draft.allowedDomains?.length) {
      fail('allowedDomains', 'A multi-tenant client (organizations, common) must list the tenant IDs allowed to sign in.');
    }
  },
  isAllowlistEntry: (entry) => AZURE_TENANT.test(entry) && !AZURE_MULTI_TENANT_NAMES.includes(entry),
  // The tenant (tid) is what Entra vouches for; a domain in a username is not.
  signInAllowed: ({ claims }, allowlist) => typeof claims.tid === 'string' && allowlist.includes(claims.tid.toLowerCase()),
  defaultUsernameAttribute: 'preferred_username',
  hint: azureHint,
  // Exchange Online (work and school) and Outlook.com (consumers), global cloud.
  mailConnectionsPerAccount: { smtp: 3 },
  mailHosts: () => ['outlook.office365.com', 'outlook.office.com', 'smtp.office365.com', 'imap-mail.outlook.com', 'pop-mail.outlook.com', 'smtp-mail.outlook.com'],
  signIn: new AzureSignIn(),
};
