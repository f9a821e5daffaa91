import { escapeFilter, FilterParser } from 'ldapts';

/** What a search filter writes where the signed-in person's username goes. */
export const USERNAME_PLACEHOLDER = '{username}';

/** The filter with every placeholder replaced by the username, escaped per RFC 4515. */
export function buildSearchFilter(template: string, username: string): string {
  return template.split(USERNAME_PLACEHOLDER).join(escapeFilter`${username}`);
}

/** Why a search filter template cannot be used, or null. */
export function checkSearchFilter(template: string): string | null {
  if (!template.includes(USERNAME_PLACEHOLDER)) return `Put ${USERNAME_PLACEHOLDER} where the username goes, such as (uid=${USERNAME_PLACEHOLDER}).`;
  if (!template.startsWith('(') || !template.endsWith(')')) return 'Wrap the filter in parentheses, such as (uid={username}).';
  // Values escape parentheses as \28 and \29, so every raw one is structure; ldapts's parser forgives a missing ")".
  let depth = 0;
  for (const ch of template) {
    depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
    if (depth < 0) break;
  }
  try {
    if (depth !== 0) throw new Error('unbalanced');
    FilterParser.parseString(buildSearchFilter(template, 'x'));
    return null;
  } catch {
    return 'This is not a valid LDAP filter: check the parentheses and operators, such as (&(objectClass=person)(uid={username})).';
  }
}
