/**
 * Every error code the library raises, with what it means. Codes are stable:
 * hosts may switch on them, and the admin app maps them to messages.
 */
export const ERROR_CODES = {
  CONFIGURATION_INVALID: 'The module options or the environment are invalid.',
  SECRET_DECRYPT_FAILED: 'A stored secret could not be decrypted (unknown format, unknown key id, wrong key or tampered value).',
  VALIDATION_FAILED: 'One or more fields are invalid.',
  NOT_FOUND: 'The record does not exist.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
