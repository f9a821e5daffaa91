import type { EgressPolicy } from '../egress/egress-policy.js';

/** What an authorization server says about itself, as far as the authorization response is concerned. */
export interface IssuerMetadata {
  issuer: string;
  /** RFC 9207: every authorization response carries `iss`. */
  answersWithIss: boolean;
}

const CACHE_MS = 10 * 60 * 1000;
// Keyed by configured authorization endpoints: a handful per deployment; the cap only bounds a misuse.
const CACHE_MAX = 500;
const cache = new Map<string, { at: number; value: IssuerMetadata | null }>();

/**
 * The metadata of the server behind an authorization endpoint (OpenID
 * discovery or RFC 8414 at its origin), if it describes that very endpoint.
 * Absent or unrelated metadata gives null: the checks that need it are then
 * the weaker origin checks, never a failure.
 */
export async function discoverIssuer(authorizeUrl: string, timeoutMs: number, egress: EgressPolicy): Promise<IssuerMetadata | null> {
  const endpoint = new URL(authorizeUrl);
  endpoint.search = '';
  endpoint.hash = '';
  const key = endpoint.toString();
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
  if (await egress.refusal(endpoint.hostname)) return null;
  let value: IssuerMetadata | null = null;
  let answered = true;
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    const metadata = await fetchJson(new URL(path, endpoint.origin), timeoutMs);
    if (metadata === 'unreachable') answered = false;
    if (!metadata || metadata === 'unreachable' || typeof metadata.issuer !== 'string' || metadata.authorization_endpoint !== key) continue;
    if (safeOrigin(metadata.issuer) !== endpoint.origin) continue;
    value = { issuer: metadata.issuer, answersWithIss: metadata.authorization_response_iss_parameter_supported === true };
    break;
  }
  // A server that could not be reached is asked again next time, rather than trusted to have no metadata.
  if (value || answered) {
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, { at: Date.now(), value });
  }
  return value;
}

async function fetchJson(url: URL, timeoutMs: number): Promise<Record<string, unknown> | null | 'unreachable'> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch {
    return 'unreachable';
  }
  if (res.status >= 500) return 'unreachable';
  if (!res.ok) return null;
  const body: unknown = await res.json().catch(() => null);
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
}

export function safeOrigin(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}
