import { Injectable } from '@nestjs/common';
import { OutboundHttpClient } from '../net/outbound-http.client.js';

/** What an authorization server says about itself (RFC 8414 / OpenID Connect Discovery), as far as this library uses it. */
export interface IssuerMetadata {
  issuer: string;
  /** RFC 9207: every authorization response carries `iss`. */
  answersWithIss: boolean;
  /** Where its signing keys are, if it says. */
  jwksUri: string | null;
  /** Its OpenID Connect userinfo endpoint, if it has one. */
  userinfoEndpoint: string | null;
}

/**
 * What to look up: the metadata describing the client's authorization endpoint
 * (its issuer derived from the endpoint when not known), or, without
 * `authorizeUrl`, the metadata of a known issuer whatever endpoints it lists
 * (to verify its ID tokens).
 */
export type IssuerQuery = ({ authorizeUrl: string; issuer?: string | null } | { authorizeUrl?: undefined; issuer: string }) & {
  /** The client's Proxy and Verify fields: discovery goes the way the client's other requests go. */
  proxy?: string | null;
  verifySsl?: boolean;
  /** Default: the module's `httpTimeoutMs`. */
  timeoutMs?: number;
};

const CACHE_MS = 10 * 60 * 1000;
// Keyed by configured authorization endpoints: a handful per deployment; the cap only bounds a misuse.
const CACHE_MAX = 500;
// Candidate issuers derived from an authorize URL's path (Keycloak's is three segments above it), besides its origin.
const MAX_PATH_CANDIDATES = 3;
// Metadata documents are small; a larger answer is not one.
const MAX_METADATA_BYTES = 256 * 1024;

/**
 * The metadata of the server behind an authorization endpoint, if it
 * describes that very endpoint. Absent or unrelated metadata gives null: the
 * checks that need it are then the weaker origin checks, never a failure.
 * Answers are cached for 10 minutes, except when a server could not be reached.
 */
@Injectable()
export class IssuerDiscovery {
  private readonly cache = new Map<string, { at: number; value: IssuerMetadata | null }>();

  constructor(private readonly http: OutboundHttpClient) {}

  async discover(query: IssuerQuery): Promise<IssuerMetadata | null> {
    let endpoint: URL;
    try {
      endpoint = new URL(query.authorizeUrl ?? query.issuer);
    } catch {
      return null;
    }
    endpoint.search = '';
    endpoint.hash = '';
    const authorizeUrl = query.authorizeUrl === undefined ? null : endpoint.toString();
    const key = JSON.stringify([authorizeUrl, query.issuer ?? null, query.proxy ?? null, query.verifySsl ?? true]);
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;

    let value: IssuerMetadata | null = null;
    let answered = true;
    search: for (const candidate of query.issuer ? [query.issuer] : candidateIssuers(endpoint)) {
      for (const url of metadataUrls(candidate)) {
        const metadata = await this.fetchMetadata(url, query);
        if (metadata === 'unreachable') {
          answered = false;
          continue;
        }
        if (!metadata || typeof metadata.issuer !== 'string' || (authorizeUrl !== null && metadata.authorization_endpoint !== authorizeUrl)) continue;
        // Known issuer: exactly it. Derived: the candidate the document was found under (RFC 8414 §3.3), a trailing slash aside.
        if (query.issuer ? metadata.issuer !== query.issuer : trimSlash(metadata.issuer) !== trimSlash(candidate)) continue;
        value = {
          issuer: metadata.issuer,
          answersWithIss: metadata.authorization_response_iss_parameter_supported === true,
          jwksUri: typeof metadata.jwks_uri === 'string' ? metadata.jwks_uri : null,
          userinfoEndpoint: typeof metadata.userinfo_endpoint === 'string' ? metadata.userinfo_endpoint : null,
        };
        break search;
      }
    }
    // A server that could not be reached is asked again next time, rather than trusted to have no metadata.
    if (value || answered) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(key, { at: Date.now(), value });
    }
    return value;
  }

  private async fetchMetadata(url: URL, query: IssuerQuery): Promise<Record<string, unknown> | null | 'unreachable'> {
    try {
      const response = await this.http.request({
        url,
        headers: { accept: 'application/json' },
        proxy: query.proxy,
        verifySsl: query.verifySsl,
        timeoutMs: query.timeoutMs,
        maxBytes: MAX_METADATA_BYTES,
      });
      if (response.status >= 500 || response.status === 429) return 'unreachable';
      if (response.status !== 200) return null;
      const body: unknown = JSON.parse(response.body.toString('utf8'));
      return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
    } catch (error) {
      return error instanceof SyntaxError || (error as { reason?: string }).reason === 'too_large' ? null : 'unreachable';
    }
  }
}

/**
 * Issuers an authorization endpoint may belong to: the prefixes of its path,
 * longest first (`https://host/realms/x/protocol/openid-connect/auth` →
 * `…/protocol/openid-connect`, `…/protocol`, `/realms/x`), then its origin.
 */
export function candidateIssuers(authorizeUrl: URL): string[] {
  const segments = authorizeUrl.pathname.split('/').filter(Boolean);
  const prefixes: string[] = [];
  for (let n = segments.length - 1; n >= 1 && prefixes.length < MAX_PATH_CANDIDATES; n--) prefixes.push(`${authorizeUrl.origin}/${segments.slice(0, n).join('/')}`);
  return [...prefixes, authorizeUrl.origin];
}

/**
 * Where an issuer's metadata is: RFC 8414 §3.1 inserts the well-known segment
 * between host and path; OpenID Connect Discovery §4 appends it to the issuer.
 * For an issuer without a path the two differ only in the segment's name.
 */
export function metadataUrls(issuer: string): URL[] {
  const url = new URL(issuer);
  const path = trimSlash(url.pathname);
  return [new URL(`/.well-known/oauth-authorization-server${path}`, url.origin), new URL(`${path}/.well-known/openid-configuration`, url.origin)];
}

const trimSlash = (value: string) => value.replace(/\/$/, '');

/** The origin of a URL, or null when it is not one. */
export function safeOrigin(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}
