/**
 * Every error code the library raises, with what it means. Codes are stable:
 * hosts may switch on them, and the admin app maps them to messages.
 */
export const ERROR_CODES = {
  CONFIGURATION_INVALID: 'The module options or the environment are invalid.',
  SECRET_DECRYPT_FAILED: 'A stored secret could not be decrypted (unknown format, unknown key id, wrong key or tampered value).',
  VALIDATION_FAILED: 'One or more fields are invalid.',
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
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
