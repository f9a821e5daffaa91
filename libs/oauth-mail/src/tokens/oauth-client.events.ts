import type { ErrorCode } from '../errors/error-codes.js';

/** What happened to a client's tokens; hosts subscribe to alert people (one event per change). */
export type OAuthClientEvent =
  | { type: 'validated'; clientId: string; identity: string | null }
  | { type: 'refreshed'; clientId: string }
  | { type: 'needs_revalidation'; clientId: string; code: ErrorCode; message: string };
