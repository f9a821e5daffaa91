import type { OAuthProvider } from '../oauth-provider.js';
import { isDomainName } from '../../validation/field-rules.js';
import { googleHint } from './google.hints.js';

/** Google accounts and Workspace. */
export const GOOGLE_PROVIDER: OAuthProvider = {
  kind: 'google',
  label: 'Google',
  fields: [],
  endpoints: (_client, baseUrl) => ({
    authorizeUrl: `${baseUrl ?? 'https://accounts.google.com'}/o/oauth2/v2/auth`,
    tokenUrl: `${baseUrl ?? 'https://oauth2.googleapis.com'}/token`,
    userDataEndpoint: `${baseUrl ?? 'https://openidconnect.googleapis.com'}/v1/userinfo`,
    issuer: baseUrl ?? 'https://accounts.google.com',
  }),
  scopes: {
    // One scope covers IMAP, POP3 and SMTP.
    mailbox: { base: ['openid', 'email'], byProtocol: { imap: ['https://mail.google.com/'], pop3: ['https://mail.google.com/'], smtp: ['https://mail.google.com/'] } },
    user: ['openid', 'profile', 'email'],
  },
  // Without access_type=offline Google returns no refresh token, and without
  // prompt=consent none on a second grant.
  authorizeParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
  checkFields: () => undefined,
  isAllowlistEntry: isDomainName,
  // hd names the Workspace domain; only a verified e-mail proves the person belongs to it.
  signInAllowed: ({ claims }, allowlist) => claims.email_verified === true && typeof claims.hd === 'string' && allowlist.includes(claims.hd.toLowerCase()),
  defaultUsernameAttribute: 'email',
  hint: googleHint,
  mailConnectionsPerAccount: { imap: 15 },
  mailHosts: () => ['imap.gmail.com', 'pop.gmail.com', 'smtp.gmail.com'],
};
