import type { ErrorCode } from '../errors/error-codes.js';
import type { MailProtocol } from '../entities/mailbox.enums.js';

/** The step a Check reached: settings, OAuth token, TCP, TLS, login, folder. */
export type CheckStage = 'config' | 'token' | 'connect' | 'tls' | 'auth' | 'open';

/** The outcome of a mailbox Check. Expected failures are values, with a message an admin can act on. */
export type CheckResult =
  | { ok: true; protocol: MailProtocol; message: string }
  | { ok: false; protocol: MailProtocol; stage: CheckStage; code: ErrorCode; message: string; retryable: boolean };
