import { isIP } from 'node:net';
import { getDomain } from 'tldts';

const bare = (host: string) => host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');

/** Whether `host` matches one of `patterns`: a name exactly, or `*.domain` for any subdomain of it. */
export function mailHostMatches(host: string, patterns: readonly string[]): boolean {
  const name = bare(host);
  return patterns.some((raw) => {
    const pattern = bare(raw);
    return pattern.startsWith('*.') ? name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1 : name === pattern;
  });
}

/**
 * The mail hosts that share the registrable domain of `url` (public-suffix
 * aware: `login.example.co.uk` gives `example.co.uk` and its subdomains), or
 * the very IP literal. A token endpoint on a shared hosting suffix yields no
 * domain and so no host.
 */
export function sameSiteHosts(url: string | null | undefined): string[] {
  let hostname: string;
  try {
    hostname = bare(new URL(url ?? '').hostname);
  } catch {
    return [];
  }
  if (isIP(hostname)) return [hostname];
  const domain = getDomain(hostname, { allowPrivateDomains: true });
  return domain ? [domain, `*.${domain}`] : [];
}

/** Checks one Allowed Mail Hosts entry: a host name, an IP address, or `*.domain`. */
export function checkMailHostPattern(entry: string): string | null {
  const name = entry.startsWith('*.') ? entry.slice(2) : entry;
  if (isIP(bare(name))) return entry.startsWith('*.') ? `"${entry}": a wildcard needs a domain, not an IP address.` : null;
  const labels = name.split('.');
  if (!labels.every((l) => /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i.test(l))) return `"${entry}" is not a host name or *.domain pattern.`;
  if (entry.startsWith('*.') && !getDomain(name, { allowPrivateDomains: true })) return `"${entry}" would match a whole public suffix; name a domain you own.`;
  return null;
}
