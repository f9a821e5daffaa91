import type { OAuthProvider } from '../oauth-provider.js';
import { sameSiteHosts } from '../mail-host.rule.js';
import { isDomainName } from '../../validation/field-rules.js';

/** Any other OAuth 2.0 provider: every endpoint and scope comes from the row. */
export const GENERIC_PROVIDER: OAuthProvider = {
  kind: 'generic',
  label: 'Generic OAuth 2.0',
  fields: ['allowedMailHosts'],
  endpoints: () => null,
  scopes: null,
  authorizeParams: {},
  checkFields(draft, fail) {
    if (!draft.authorizeUrl) fail('authorizeUrl', "Enter the provider's authorization endpoint (Url Authorize).");
    if (!draft.tokenUrl) fail('tokenUrl', "Enter the provider's token endpoint (Url Access Token).");
    if (!draft.scope) fail('scope', 'Enter the scopes to request, separated by the Scope Separator Char.');
    if (draft.type === 'user') {
      if (!draft.userDataSource) fail('userDataSource', 'Choose where user data comes from: the ID token or an endpoint.');
      if (draft.userDataSource === 'endpoint' && !draft.userDataEndpoint) {
        fail('userDataEndpoint', 'Enter the endpoint that returns the signed-in user (for example …/userinfo).');
      }
      if (!draft.usernameAttribute) fail('usernameAttribute', 'Enter the claim that holds the username, such as preferred_username.');
    }
  },
  isAllowlistEntry: isDomainName,
  signInAllowed: ({ username }, allowlist) => {
    const domain = username?.split('@')[1]?.toLowerCase();
    return !!domain && allowlist.includes(domain);
  },
  defaultUsernameAttribute: 'email',
  hint: () => null,
  // Allowed Mail Hosts, or else the token endpoint's own site: the mail server that trusts this provider's tokens.
  mailHosts: (client) => (client.allowedMailHosts?.length ? client.allowedMailHosts : sameSiteHosts(client.tokenUrl)),
};
