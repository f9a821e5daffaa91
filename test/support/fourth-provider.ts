import type { OAuthProvider } from '@app/oauth-mail';

/** A provider a host registers: one object, no change anywhere else (README "Adding a provider"). */
export const FOURTH_PROVIDER: OAuthProvider = {
  kind: 'fourth',
  label: 'Fourth Cloud',
  fields: [],
  endpoints: (_client, base = 'https://id.fourth.invalid') => ({ authorizeUrl: `${base}/authorize`, tokenUrl: `${base}/token`, issuer: base }),
  scopes: { user: ['openid'], mailbox: { base: ['offline_access'], byProtocol: { imap: ['mail.read'], pop3: ['mail.read'], smtp: ['mail.send'] } } },
  authorizeParams: { prompt: 'consent' },
  checkFields: () => undefined,
  isAllowlistEntry: () => true,
  signInAllowed: () => true,
  defaultUsernameAttribute: 'email',
  hint: (error) => (error === 'fourth_error' ? 'Do the fourth thing.' : null),
  mailHosts: () => ['mail.fourth.invalid'],
};
