import type { OAuthProviderPreset } from '../oauth-provider.preset.js';

/** Any other OAuth 2.0 provider: every endpoint and scope comes from the row. */
export const GENERIC_PRESET: OAuthProviderPreset = {
  kind: 'generic',
  label: 'Generic OAuth 2.0',
  requiredFields: ['clientId', 'clientSecret', 'authorizeUrl', 'tokenUrl', 'scope'],
  endpoints: () => null,
  defaultScopes: null,
  authorizeParams: {},
};
