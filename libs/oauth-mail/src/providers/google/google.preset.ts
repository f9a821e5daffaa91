import type { OAuthProviderPreset } from '../oauth-provider.preset.js';

/** Google accounts and Workspace. */
export const GOOGLE_PRESET: OAuthProviderPreset = {
  kind: 'google',
  label: 'Google',
  requiredFields: ['clientId', 'clientSecret'],
  endpoints: (_input, baseUrl) => ({
    authorizeUrl: `${baseUrl ?? 'https://accounts.google.com'}/o/oauth2/v2/auth`,
    tokenUrl: `${baseUrl ?? 'https://oauth2.googleapis.com'}/token`,
    userDataEndpoint: `${baseUrl ?? 'https://openidconnect.googleapis.com'}/v1/userinfo`,
  }),
  defaultScopes: {
    // One scope covers IMAP, POP3 and SMTP.
    mailbox: ['https://mail.google.com/', 'openid', 'email'],
    user: ['openid', 'profile', 'email'],
  },
  // Without access_type=offline Google returns no refresh token, and without
  // prompt=consent none on a second grant.
  authorizeParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
};
