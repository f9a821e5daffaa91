import type { MailDirection, MailProtocol, CheckStatus } from '../entities/mailbox.enums.js';
import type { RecordStatus } from '../entities/oauth-client.enums.js';
import type { CheckResult } from '../transports/mail-check.result.js';
import type { FetchedMessage, MailFailure } from '../transports/mail-transport.js';

/** Mailboxes by id, or every mailbox whose stored settings match all the given fields. */
export type MailboxSelection =
  | readonly string[]
  | {
    readonly protocol?: MailProtocol;
    readonly direction?: MailDirection;
    readonly status?: RecordStatus;
    readonly oauthClientId?: string;
    readonly lastCheckStatus?: CheckStatus;
  };

/** How a bulk Check or fetch runs. */
export interface FleetOptions {
  /** Mailboxes worked on at once, overall. Default 10. */
  readonly concurrency?: number;
  /** Connections to one mail host at once. Default: no cap beyond `concurrency`. */
  readonly perHost?: number;
  /** Connections of one account (protocol, host and username) at once. Default: the provider's figure, else 10. */
  readonly perAccount?: number;
  /** Aborting starts no further mailbox; those under way finish and are still reported. */
  readonly signal?: AbortSignal;
}

/** One mailbox's Check in a bulk Check. */
export interface MailboxCheckOutcome {
  readonly mailboxId: string;
  readonly result: CheckResult;
}

/** One mailbox's new messages in a bulk fetch, or why there are none. */
export type MailboxFetchOutcome =
  | { readonly mailboxId: string; readonly ok: true; readonly messages: FetchedMessage[] }
  | { readonly mailboxId: string; readonly ok: false; readonly failure: MailFailure };
