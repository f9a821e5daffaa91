import { createHash } from 'node:crypto';
import { IsNull, MoreThan, type Repository } from 'typeorm';
import type { OAuthTransaction } from '../entities/oauth-transaction.entity.js';
import type { ErrorCode } from '../errors/error-codes.js';
import { cleanProviderText } from '../errors/provider-hints.js';
import { safeOrigin } from '../clients/issuer-metadata.js';

/** The parameters of an authorization response (RFC 6749 §4.1.2), each at most once. */
const RESPONSE_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state', 'scope', 'authuser', 'hd', 'prompt'];
const MAX_PARAM = 4096;
// A provider's error description may be long; it is cut for display anyway.
const MAX_DESCRIPTION = 16_384;

/** States and nonces are stored as SHA-256 hashes only. */
export const hashState = (state: string) => createHash('sha256').update(state, 'utf8').digest('hex');

export type ResponseRefusal = { ok: false; clientId: string | null; code: ErrorCode; message: string };

/**
 * Checks an authorization response and consumes its transaction (single use,
 * one conditional UPDATE) before anything is sent to the provider. `binding`
 * decides whether the browser may complete it (admin or session binding).
 */
export async function consumeAuthorizationResponse(
  transactions: Repository<OAuthTransaction>,
  clientId: string,
  query: Readonly<Record<string, unknown>>,
  purpose: OAuthTransaction['purpose'],
  binding: (tx: OAuthTransaction) => string | null,
  again: string,
): Promise<{ ok: true; tx: OAuthTransaction; params: Record<string, string> } | ResponseRefusal> {
  const fail = (code: ErrorCode, message: string, id: string | null = null): ResponseRefusal => ({ ok: false, clientId: id, code, message });
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (typeof value !== 'string') return fail('INVALID_STATE', `The provider's answer repeats "${cleanProviderText(name, 40)}"; it was refused. ${again}`);
    if (value.length > (name === 'error_description' ? MAX_DESCRIPTION : MAX_PARAM)) return fail('INVALID_STATE', `The provider's answer is too long; it was refused. ${again}`);
    if (RESPONSE_PARAMS.includes(name)) params[name] = value;
  }
  if (!params.state) return fail('INVALID_STATE', `The answer carries no state, so it cannot be matched to a request. ${again}`);
  const tx = await transactions.findOneBy({ stateHash: hashState(params.state) });
  if (!tx || tx.clientId !== clientId || tx.purpose !== purpose) {
    return fail('INVALID_STATE', `This answer does not match a pending request of this client (unknown or already used link). ${again}`);
  }
  const refused = binding(tx);
  if (refused) return fail('INVALID_STATE', refused, clientId);
  const consumed = await transactions.update({ id: tx.id, consumedAt: IsNull(), expiresAt: MoreThan(new Date()) }, { consumedAt: new Date() });
  if (!consumed.affected) {
    return tx.consumedAt
      ? fail('INVALID_STATE', `This link was already used. ${again}`, clientId)
      : fail('INVALID_STATE', `This link has expired (links last 10 minutes). ${again}`, clientId);
  }
  return { ok: true, tx, params };
}

/**
 * The mix-up defense (RFC 9207): an `iss` must come from the origin the request
 * went to, and must be exactly the issuer when its metadata promised one.
 * Returns why the answer is refused, or null.
 */
export function issuerRefusal(tx: Pick<OAuthTransaction, 'expectedIssuerOrigin' | 'expectedIssuer'>, params: Readonly<Record<string, string>>): string | null {
  if (tx.expectedIssuer) {
    if (params.iss === undefined) return 'The provider names itself in every answer (iss), but this answer does not; it was refused.';
    if (params.iss !== tx.expectedIssuer) return 'The answer came from another issuer than the one the request was sent to, so it was refused.';
  }
  if (params.iss !== undefined && safeOrigin(params.iss) !== tx.expectedIssuerOrigin) return 'The answer came from another issuer than the one the request was sent to, so it was refused.';
  return null;
}
