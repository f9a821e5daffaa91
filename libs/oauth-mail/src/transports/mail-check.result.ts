import type { ErrorCode } from '../errors/error-codes.js';
import { CheckStatus, type MailProtocol } from '../entities/mailbox.enums.js';
import { RECORDED_MESSAGE_MAX } from '../entities/status-update.js';

/** The step a Check reached: settings, OAuth token, TCP, TLS, login, folder. */
export type CheckStage = 'config' | 'token' | 'connect' | 'tls' | 'auth' | 'open';

/** What a Check found. Expected failures are values, with a message an admin can act on. */
export type CheckOutcome =
  | { ok: true; protocol: MailProtocol; message: string }
  | {
    ok: false;
    protocol: MailProtocol;
    stage: CheckStage;
    code: ErrorCode;
    message: string;
    retryable: boolean;
    /** When a retry can succeed, if known: the OAuth provider asked to wait, or its refreshes are backing off. A host polling the mailbox waits until then. */
    retryAfter?: Date;
  };

/** The outcome of a mailbox Check, and when it finished: the mailbox's `lastCheckAt`, `lastCheckStatus` and `lastCheckMessage` hold exactly this. */
export type CheckResult = CheckOutcome & { checkedAt: Date };

/** A finished Check as its result, with the message cut to what is recorded. */
export function checkResult(outcome: CheckOutcome, checkedAt = new Date()): CheckResult {
  return { ...outcome, message: outcome.message.slice(0, RECORDED_MESSAGE_MAX), checkedAt };
}

/** The mailbox columns a Check records. */
export function checkedFields(result: CheckResult): { lastCheckAt: Date; lastCheckStatus: CheckStatus; lastCheckMessage: string } {
  return { lastCheckAt: result.checkedAt, lastCheckStatus: result.ok ? CheckStatus.Ok : CheckStatus.Failed, lastCheckMessage: result.message };
}
