/** The providers built into the library (see providers/); hosts may register more. */
export const OAuthProviderKind = { Azure: 'azure', Google: 'google', Generic: 'generic' } as const;
export type OAuthProviderKind = (typeof OAuthProviderKind)[keyof typeof OAuthProviderKind];

/** Mailbox: tokens for IMAP/POP3/SMTP. User: sign-in (SSO) to the admin. */
export const OAuthClientType = { Mailbox: 'mailbox', User: 'user' } as const;
export type OAuthClientType = (typeof OAuthClientType)[keyof typeof OAuthClientType];

export const RecordStatus = { Enabled: 'enabled', Disabled: 'disabled' } as const;
export type RecordStatus = (typeof RecordStatus)[keyof typeof RecordStatus];

/** Where a User-type client reads the signed-in person's data from. */
export const UserDataSource = { Endpoint: 'endpoint', IdToken: 'id_token' } as const;
export type UserDataSource = (typeof UserDataSource)[keyof typeof UserDataSource];

export const ValidationStatus = {
  NotValidated: 'not_validated',
  Valid: 'valid',
  NeedsRevalidation: 'needs_revalidation',
  Error: 'error',
} as const;
export type ValidationStatus = (typeof ValidationStatus)[keyof typeof ValidationStatus];
