const REDACTED = '[redacted]';
// Credentials that may sit in a foreign error text even when we never put them there.
const CREDENTIAL_PATTERNS: readonly RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
];
// Short values (such as "1" or "code") would redact ordinary words.
const MIN_SECRET_LENGTH = 4;

/**
 * An address as it may appear in a message or log line: scheme, host, port and
 * path. Credentials and the fragment are dropped; query parameters keep their
 * names and lose their values (a code, a token or a key may travel there).
 */
export function redactUrl(url: URL): string {
  const names = [...new Set(url.searchParams.keys())];
  const query = names.length ? `?${names.map((name) => `${encodeURIComponent(name)}=${REDACTED}`).join('&')}` : '';
  return `${url.origin}${url.pathname}${query}`;
}

/**
 * Removes the secret values of one request (body values, credentials in
 * headers and URLs, query values) from any text about it, and every string
 * that looks like a bearer or basic credential or a JWT.
 */
export class Redactor {
  private readonly secrets: string[];

  constructor(values: Iterable<string | null | undefined>) {
    const unique = new Set<string>();
    for (const value of values) {
      if (!value || value.length < MIN_SECRET_LENGTH) continue;
      unique.add(value);
      // The same value is often also written percent- or base64-encoded.
      unique.add(encodeURIComponent(value));
    }
    this.secrets = [...unique].sort((a, b) => b.length - a.length);
  }

  /** The secrets of a request to `url` with these headers and this body. */
  static forRequest(url: URL, headers: Readonly<Record<string, string>> = {}, body: unknown = undefined, proxy: URL | null = null): Redactor {
    const values: string[] = [...url.searchParams.values(), decodeURIComponent(url.username), decodeURIComponent(url.password)];
    if (proxy) values.push(decodeURIComponent(proxy.username), decodeURIComponent(proxy.password));
    for (const [name, value] of Object.entries(headers)) {
      if (!/^(authorization|proxy-authorization|cookie|x-api-key)$/i.test(name)) continue;
      values.push(value, value.replace(/^\S+\s+/, ''));
    }
    collectStrings(body, values);
    return new Redactor(values);
  }

  /** `text` with every known secret and every credential-looking string replaced. */
  text(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    for (const pattern of CREDENTIAL_PATTERNS) out = out.replace(pattern, (match) => (/^(bearer|basic)\s/i.test(match) ? `${match.split(/\s+/)[0]} ${REDACTED}` : REDACTED));
    return out;
  }
}

function collectStrings(value: unknown, into: string[], depth = 0): void {
  if (depth > 8 || value === null || value === undefined) return;
  if (typeof value === 'string') into.push(value);
  else if (typeof value === 'number' || typeof value === 'boolean') return;
  else if (value instanceof URLSearchParams) for (const v of value.values()) into.push(v);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, into, depth + 1);
  else if (typeof value === 'object') for (const v of Object.values(value)) collectStrings(v, into, depth + 1);
}
