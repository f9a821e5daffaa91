import type { OAuthProviderPreset } from '../oauth-provider.preset.js';

const OUTLOOK = 'https://outlook.office.com';

/** Microsoft identity platform (Entra ID) v2 endpoints under the tenant. */
export const AZURE_PRESET: OAuthProviderPreset = {
  kind: 'azure',
  label: 'Azure (Microsoft 365)',
  requiredFields: ['clientId', 'clientSecret', 'tenantId'],
  endpoints: ({ tenantId }, baseUrl = 'https://login.microsoftonline.com') => {
    const tenant = encodeURIComponent(tenantId || 'common');
    return {
      authorizeUrl: `${baseUrl}/${tenant}/oauth2/v2.0/authorize`,
      tokenUrl: `${baseUrl}/${tenant}/oauth2/v2.0/token`,
      userDataEndpoint: 'https://graph.microsoft.com/oidc/userinfo',
      discoveryUrl: `${baseUrl}/${tenant}/v2.0/.well-known/openid-configuration`,
    };
  },
  defaultScopes: {
    mailbox: [
      'offline_access',
      'openid',
      'email',
      `${OUTLOOK}/IMAP.AccessAsUser.All`,
      `${OUTLOOK}/POP.AccessAsUser.All`,
      `${OUTLOOK}/SMTP.Send`,
    ],
    user: ['openid', 'profile', 'email', 'offline_access'],
  },
  // select_account: the admin picks the mailbox user instead of the account the browser is signed in with.
  authorizeParams: { prompt: 'select_account', response_mode: 'query' },
};
