import { OAuthTokenError } from '../errors/oauth-token.error.js';

/** The tokens of a validated client, as stored (encrypted) in `accessTokenEncrypted`. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  tokenType: string;
  /** Epoch ms: time received + expires_in. */
  expiresAt: number;
  /** Scopes granted, when the provider said so. */
  scope: string | null;
  idToken: string | null;
  receivedAt: number;
}

/** When the provider omits expires_in. */
const DEFAULT_LIFETIME_S = 3600;

/**
 * Checks a token endpoint's JSON answer (RFC 6749 §5.1) and turns it into a
 * TokenSet. Anything malformed is an error, so bad data never replaces good tokens.
 */
export function parseTokenResponse(body: unknown, receivedAt: number): TokenSet {
  const invalid = (why: string) => new OAuthTokenError('TOKEN_RESPONSE_INVALID', `The token endpoint answered an invalid token response: ${why}.`);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid('not a JSON object');
  const r = body as Record<string, unknown>;
  if (typeof r.access_token !== 'string' || !r.access_token) throw invalid('no access_token');
  if (typeof r.token_type !== 'string' || r.token_type.toLowerCase() !== 'bearer') throw invalid('token_type is not Bearer');
  if (r.expires_in !== undefined && (typeof r.expires_in !== 'number' || !Number.isFinite(r.expires_in) || r.expires_in <= 0)) {
    throw invalid('expires_in is not a positive number');
  }
  for (const field of ['refresh_token', 'scope', 'id_token'] as const) {
    if (r[field] !== undefined && r[field] !== null && typeof r[field] !== 'string') throw invalid(`${field} is not a string`);
  }
  return {
    accessToken: r.access_token,
    refreshToken: (r.refresh_token as string | undefined) || null,
    tokenType: 'Bearer',
    expiresAt: receivedAt + ((r.expires_in) ?? DEFAULT_LIFETIME_S) * 1000,
    scope: (r.scope as string | undefined) ?? null,
    idToken: (r.id_token as string | undefined) ?? null,
    receivedAt,
  };
}

/** The claims of an ID token received straight from the token endpoint over TLS (OIDC Core §3.1.3.7 allows skipping the signature there). */
export function idTokenClaims(idToken: string | null): Record<string, unknown> | null {
  if (!idToken) return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Who consented: the first of the usual identity claims. */
export function identityFromClaims(claims: Record<string, unknown> | null): string | null {
  for (const claim of ['email', 'preferred_username', 'upn', 'unique_name', 'sub']) {
    const value = claims?.[claim];
    if (typeof value === 'string' && value) return value.slice(0, 320);
  }
  return null;
}
