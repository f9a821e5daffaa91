/**
 * Every error code the library raises, with what it means. Codes are stable:
 * hosts may switch on them, and the admin app maps them to messages.
 */
export const ERROR_CODES = {
  CONFIGURATION_INVALID: 'The module options or the environment are invalid.',
  SECRET_DECRYPT_FAILED: 'A stored secret could not be decrypted (unknown format, unknown key id, wrong key or tampered value).',
  NOT_FOUND: 'The record does not exist.',
  CLIENT_DISABLED: 'The OAuth client is disabled: it can be neither validated nor used.',
  CLIENT_NOT_VALIDATED: 'The OAuth client holds no tokens yet: it must be validated.',
  INVALID_STATE: 'The authorization response does not match a pending, unexpired validation of this client.',
  ISSUER_MISMATCH: 'The authorization response came from another issuer than the one the request went to.',
  CONSENT_DENIED: 'The person at the provider refused or cancelled the consent.',
  PROVIDER_ERROR: 'The provider answered the authorization or token request with an error.',
  TOKEN_REVOKED: 'The refresh token was refused (invalid_grant): the client must be validated again.',
  CLIENT_MISCONFIGURED: 'The provider refused the client credentials (invalid_client): fix the Client ID or Secret.',
  PROVIDER_UNAVAILABLE: 'The provider could not be reached, timed out or answered 5xx; nothing was changed and a retry may succeed.',
  TOKEN_RESPONSE_INVALID: 'The token endpoint answered something that is not a valid token response.',
  MAILBOX_DISABLED: 'The mailbox is disabled.',
  MAIL_CONFIG_INVALID: 'The mailbox settings cannot be used as they are (for example a username with control characters).',
  MAIL_HOST_NOT_FOUND: 'The mail server name does not resolve.',
  MAIL_HOST_NOT_ALLOWED: "The mailbox's host is not one its OAuth client's provider sends tokens to (the provider's mail hosts, or the client's Allowed Mail Hosts).",
  MAIL_CONNECT_FAILED: 'The mail server refused or dropped the connection.',
  MAIL_TIMEOUT: 'The mail server did not answer in time.',
  MAIL_TLS_FAILED: 'The TLS handshake failed (untrusted, expired or mismatched certificate).',
  MAIL_STARTTLS_UNAVAILABLE: 'The server does not offer STARTTLS, so credentials were not sent.',
  MAIL_AUTH_FAILED: 'The mail server refused the credentials.',
  MAIL_AUTH_UNAVAILABLE: 'The mail server could not check the credentials right now (temporary failure).',
  MAIL_FOLDER_FAILED: 'The IMAP folder could not be opened.',
  MAIL_PROTOCOL_ERROR: 'The mail server answered something the client does not understand.',
  EGRESS_BLOCKED: 'The host resolves to a network this server never connects to (blockedNetworks: link-local, cloud metadata).',
  LDAP_DIRECTORY_MISSING: 'An OAuth client names a Related LDAP that does not exist.',
  LDAP_HOST_NOT_FOUND: 'The directory server name does not resolve.',
  LDAP_CONNECT_FAILED: 'The directory server refused or dropped the connection.',
  LDAP_TIMEOUT: 'The directory server did not answer in time.',
  LDAP_TLS_FAILED: 'The TLS handshake with the directory failed (untrusted, expired or mismatched certificate, or no StartTLS).',
  LDAP_BIND_FAILED: 'The directory refused the bind DN and password.',
  LDAP_SEARCH_FAILED: 'The directory refused the search (base DN, filter or access rights).',
  LDAP_USER_NOT_FOUND: 'The signed-in person is in none of the client\'s related directories.',
  LDAP_USER_AMBIGUOUS: 'The search filter matches more than one entry for the signed-in person.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
