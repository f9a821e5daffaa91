import { checkSearchFilter } from '../directories/ldap-filter.js';
import type { LdapDirectory } from '../entities/ldap-directory.entity.js';
import { checkHost, checkPort, checkText, isLoopbackHost } from './field-rules.js';
import { InputReader, type Validated } from './input-reader.js';

/** The editable fields of an LDAP directory, normalized. `bindPassword` is set only when a new one was typed. */
export interface LdapDirectoryDraft {
  name: string;
  url: string;
  startTls: boolean;
  bindDn: string | null;
  bindPassword?: string;
  baseDn: string;
  searchFilter: string;
  attributeMap: Record<string, string> | null;
}

export const LDAP_DIRECTORY_EDITABLE_FIELDS = ['name', 'url', 'startTls', 'bindDn', 'bindPassword', 'baseDn', 'searchFilter', 'attributeMap'] as const;

export const DEFAULT_SEARCH_FILTER = '(|(uid={username})(mail={username}))';

// attr=value pairs separated by commas; a value may hold escaped characters (RFC 4514).
const DN = /^[A-Za-z][A-Za-z0-9-]*=(?:\\.|[^,\\])+(?:,\s*[A-Za-z][A-Za-z0-9-]*=(?:\\.|[^,\\])+)*$/;

/** Checks an LDAP directory create or update. Absent fields keep `existing` values; the bind password is kept when left empty. */
export function validateLdapDirectory(input: Readonly<Record<string, unknown>>, existing: LdapDirectory | null): Validated<LdapDirectoryDraft> {
  const r = new InputReader(input, existing as unknown as Record<string, unknown> | null);

  const name = r.text('name');
  if (!name) r.fail('name', 'Enter a name, such as "Head office directory". OAuth clients list it in Related LDAPs.');
  else r.check('name', checkText(name, 100) ?? (name.includes(',') ? 'A name cannot contain commas: Related LDAPs separates names with them.' : null));

  const url = r.text('url') ?? '';
  const startTls = r.bool('startTls', false);
  const urlError = checkLdapUrl(url);
  r.check('url', urlError);
  if (!urlError && startTls && url.toLowerCase().startsWith('ldaps:')) r.fail('startTls', 'ldaps:// is already encrypted: turn StartTLS off, or use ldap://.');

  const bindDn = r.text('bindDn');
  if (bindDn) r.check('bindDn', checkDn(bindDn));
  const bindPassword = r.secret('bindPassword', 1024);
  if (bindDn && !bindPassword && !existing?.bindPasswordEncrypted) r.fail('bindPassword', 'Enter the password of the Bind DN account.');
  // Even anonymous answers decide who signs in and with which role: they must not cross the network in clear.
  if (!urlError && !startTls && url.toLowerCase().startsWith('ldap:') && !isLoopbackHost(new URL(url).hostname)) {
    r.fail('url', 'ldap:// is unencrypted: use ldaps://, or turn on StartTLS.');
  }

  const baseDn = r.text('baseDn');
  if (!baseDn) r.fail('baseDn', 'Enter where people are searched, such as ou=people,dc=example,dc=com.');
  else r.check('baseDn', checkDn(baseDn));

  const searchFilter = r.text('searchFilter') ?? DEFAULT_SEARCH_FILTER;
  r.check('searchFilter', checkText(searchFilter, 1000) ?? checkSearchFilter(searchFilter));

  const attributeMap = r.mapping('attributeMap', 'attribute');

  return r.result({
    name: name ?? '',
    url,
    startTls,
    bindDn,
    ...(bindPassword ? { bindPassword } : {}),
    baseDn: baseDn ?? '',
    searchFilter,
    attributeMap,
  });
}

function checkLdapUrl(value: string): string | null {
  if (!value) return 'Enter the directory URL, such as ldaps://ldap.example.com.';
  const text = checkText(value, 300);
  if (text) return text;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter a URL such as ldaps://ldap.example.com or ldap://ldap.example.com:389.';
  }
  if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') return 'Use ldaps:// (or ldap:// with StartTLS).';
  if (url.username || url.password) return 'Put the account in Bind DN and Bind Password, not in the URL.';
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) return 'Enter only the scheme, host and port; Base DN and the filter have their own fields.';
  return checkHost(url.hostname) ?? (url.port ? checkPort(url.port) : null);
}

function checkDn(value: string): string | null {
  return checkText(value, 500) ?? (DN.test(value) ? null : 'Enter a DN such as cn=reader,ou=services,dc=example,dc=com.');
}
