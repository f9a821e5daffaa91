import type { EgressPolicy } from '../egress/egress-policy.js';

/** What an authorization server says about itself, as far as the authorization response is concerned. */
export interface IssuerMetadata {
  issuer: string;
  /** RFC 9207: every authorization response carries `iss`. */
  answersWithIss: boolean;
}

const CACHE_MS = 10 * 60 * 1000;
const cache = new Map<string, { at: number; value: IssuerMetadata | null }>();

/**
 * The metadata of the server behind an authorization endpoint (OpenID
 * discovery or RFC 8414 at its origin), if it describes that very endpoint.
 * Absent or unrelated metadata gives null: the checks that need it are then
 * the weaker origin checks, never a failure.
 */
export async function discoverIssuer(authorizeUrl: string, timeoutMs: number, egress: EgressPolicy): Promise<IssuerMetadata | null> {
  const hit = cache.get(authorizeUrl);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
  const endpoint = new URL(authorizeUrl);
  if (await egress.refusal(endpoint.hostname)) return null;
  endpoint.search = '';
  let value: IssuerMetadata | null = null;
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    const metadata = await fetchJson(new URL(path, endpoint.origin), timeoutMs);
    if (!metadata || typeof metadata.issuer !== 'string' || metadata.authorization_endpoint !== endpoint.toString()) continue;
    if (safeOrigin(metadata.issuer) !== endpoint.origin) continue;
    value = { issuer: metadata.issuer, answersWithIss: metadata.authorization_response_iss_parameter_supported === true };
    break;
  }
  cache.set(authorizeUrl, { at: Date.now(), value });
  return value;
}

async function fetchJson(url: URL, timeoutMs: number): Promise<Record<string, unknown> | null> {
  try {
    const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    if (!res.ok) return null;
    const body: unknown = await res.json();
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function safeOrigin(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}
