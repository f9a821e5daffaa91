import { buildSearchFilter, checkSearchFilter } from './ldap-filter.js';

describe('LDAP search filter', () => {
  it('escapes the username so it cannot change the filter', () => {
    expect(buildSearchFilter('(uid={username})', 'ada')).toBe('(uid=ada)');
    expect(buildSearchFilter('(|(uid={username})(mail={username}))', '*)(uid=*')).toBe('(|(uid=\\2a\\29\\28uid=\\2a)(mail=\\2a\\29\\28uid=\\2a))');
    expect(buildSearchFilter('(cn={username})', 'a\\b\u0000')).toBe('(cn=a\\5cb\\00)');
  });

  it.each([
    ['(uid=ada)', /Put \{username\}/],
    ['uid={username}', /parentheses/],
    ['(&(uid={username})', /not a valid LDAP filter/],
    ['(uid={username}))(uid=x)', /not a valid LDAP filter/],
  ])('refuses %s', (template, message) => {
    expect(checkSearchFilter(template)).toMatch(message);
  });

  it('accepts usual filters', () => {
    expect(checkSearchFilter('(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))')).toBeNull();
    expect(checkSearchFilter('(sAMAccountName={username})')).toBeNull();
  });
});
