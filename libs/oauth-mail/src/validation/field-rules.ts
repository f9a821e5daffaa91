import { isIP } from 'node:net';

/**
 * Small checks shared by the validators. Each returns an error message an
 * admin can act on, or null when the value is fine.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// Invisible characters that make two names look alike or reorder text.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/;

export function checkText(value: string, max: number, opts: { singleLine?: boolean } = {}): string | null {
  if (value.length > max) return `Too long: at most ${max} characters.`;
  // Control characters are what this check is for.
  // eslint-disable-next-line no-control-regex
  const control = opts.singleLine === false ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/ : CONTROL;
  if (control.test(value)) return 'Remove control characters (such as line breaks or tabs).';
  if (INVISIBLE.test(value)) return 'Remove invisible characters (zero-width or direction marks).';
  return null;
}

/** A token without whitespace, such as a client id or a username. */
export function checkToken(value: string, max: number): string | null {
  return checkText(value, max) ?? (/\s/.test(value) ? 'Must not contain spaces.' : null);
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOOPBACK_NAMES.has(host) || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** An absolute https URL (http only for loopback), without credentials or fragment. */
export function checkUrl(value: string, max = 2048): string | null {
  const text = checkText(value, max);
  if (text) return text;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter a full URL, such as https://login.example.com/oauth2/authorize.';
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return 'Use https: plain http is allowed only for localhost.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Use an https:// URL.';
  if (url.username || url.password) return 'Remove the user name and password from the URL.';
  if (value.includes('#')) return 'Remove the #fragment from the URL.';
  return null;
}

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** A DNS name or an IP address literal. */
export function checkHost(value: string): string | null {
  if (!value) return 'Enter the server name, such as imap.example.com.';
  if (/\s/.test(value) || CONTROL.test(value)) return 'A host name must not contain spaces or control characters.';
  if (value.length > 253) return 'Too long: at most 253 characters.';
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (isIP(bare)) return null;
  if (value.split('.').every((label) => LABEL.test(label))) return null;
  return 'Enter a host name (letters, digits, dots and dashes) or an IP address, without a scheme or port.';
}

export function checkPort(value: unknown): string | null {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535 || (typeof value === 'string' && !/^\d+$/.test(value.trim()))) {
    return 'Enter a port number from 1 to 65535.';
  }
  return null;
}

const EMAIL = /^[^\s@<>(),;:"[\]\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

export function checkEmail(value: string): string | null {
  return checkText(value, 320) ?? (EMAIL.test(value) ? null : 'Enter an e-mail address, such as support@example.com.');
}

/** A DNS domain of two labels or more, such as example.com. */
export const isDomainName = (value: string): boolean => /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(value);
