import { OAuthProviderRegistry } from './oauth-provider.registry.js';
import { checkMailHostPattern, mailHostMatches, sameSiteHosts } from './mail-host.rule.js';
import { FOURTH_PROVIDER as FOURTH } from '../../../../test/support/fourth-provider.js';

const client = (fields: Record<string, unknown>) =>
  ({ type: 'mailbox', tenantId: null, authorizeUrl: null, tokenUrl: null, userDataEndpoint: null, scope: null, scopeSeparator: ' ', allowedMailHosts: null, ...fields }) as never;

describe(OAuthProviderRegistry.name, () => {
  const sut = new OAuthProviderRegistry({ providers: [FOURTH] });

  it.each([
    ['azure', { tenantId: 'contoso.onmicrosoft.com' }, 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize', 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0'],
    ['azure', { tenantId: 'organizations' }, 'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize', null],
    ['google', {}, 'https://accounts.google.com/o/oauth2/v2/auth', 'https://accounts.google.com'],
    ['generic', { authorizeUrl: 'https://sso.example.org/auth', tokenUrl: 'https://sso.example.org/token', scope: 'a b' }, 'https://sso.example.org/auth', null],
    ['fourth', {}, 'https://id.fourth.invalid/authorize', 'https://id.fourth.invalid'],
  ])('%s resolves its endpoints and issuer (%j)', (provider, fields, authorizeUrl, issuer) => {
    expect(sut.settings(client({ provider, ...fields }))).toMatchObject({ authorizeUrl, issuer });
  });

  it('asks a Mailbox client for every transport\'s scopes, then the base ones, without repeats', () => {
    expect(sut.settings(client({ provider: 'google' })).scopes).toEqual(['https://mail.google.com/', 'openid', 'email']);
    expect(sut.settings(client({ provider: 'fourth' })).scopes).toEqual(['mail.read', 'mail.send', 'offline_access']);
    expect(sut.settings(client({ provider: 'fourth', type: 'user' })).scopes).toEqual(['openid']);
  });

  it('lists the built-in providers first, then the registered ones, and refuses an unknown kind with a ConfigurationError', () => {
    expect(sut.all().map((p) => p.kind)).toEqual(['azure', 'google', 'generic', 'fourth']);
    expect(() => sut.get('fifth')).toThrow(/No OAuth provider "fifth" is registered/);
    expect(() => new OAuthProviderRegistry({ providers: [{ ...FOURTH, kind: 'Bad Kind' }] })).toThrow(/not a provider kind/);
  });

  it.each([
    ['azure', 'outlook.office365.com', null],
    ['azure', 'SMTP.Office365.com', null],
    ['azure', 'imap.gmail.com', /not a mail server of Azure \(Microsoft 365\): its tokens are sent only to outlook\.office365\.com/],
    ['google', 'imap.gmail.com', null],
    ['google', 'mail.attacker.example', /only to imap\.gmail\.com, pop\.gmail\.com, smtp\.gmail\.com/],
    ['fourth', 'mail.fourth.invalid', null],
  ])('%s tokens may go to %s: %s', (provider, host, refusal) => {
    const answer = sut.mailHostRefusal(client({ provider, tenantId: 'organizations' }), host);
    if (refusal) expect(answer).toMatch(refusal);
    else expect(answer).toBeNull();
  });

  it('Generic: Allowed Mail Hosts, else the token endpoint\'s registrable domain or IP literal', () => {
    const generic = (fields: object) => client({ provider: 'generic', ...fields });
    const site = generic({ tokenUrl: 'https://login.example.co.uk/token' });
    expect(sut.mailHostRefusal(site, 'imap.example.co.uk')).toBeNull();
    expect(sut.mailHostRefusal(site, 'example.co.uk')).toBeNull();
    expect(sut.mailHostRefusal(site, 'imap.other.co.uk')).toMatch(/or add it to the OAuth client's Allowed Mail Hosts/);
    expect(sut.mailHostRefusal(generic({ tokenUrl: 'http://127.0.0.1:9000/token' }), '127.0.0.1')).toBeNull();
    expect(sut.mailHostRefusal(generic({ tokenUrl: 'http://127.0.0.1:9000/token' }), '127.0.0.2')).toMatch(/only to 127\.0\.0\.1/);
    const listed = generic({ tokenUrl: 'https://login.example.com/token', allowedMailHosts: ['*.mail.example.net'] });
    expect(sut.mailHostRefusal(listed, 'eu.mail.example.net')).toBeNull();
    expect(sut.mailHostRefusal(listed, 'imap.example.com')).not.toBeNull();
  });

  it('in a test lab (providerBaseUrls) also allows the replaced host and loopback', () => {
    const lab = new OAuthProviderRegistry({ providerBaseUrls: { azure: 'https://127.0.0.1:8443' } });
    expect(lab.mailHostRefusal(client({ provider: 'azure', tenantId: 'organizations' }), 'localhost')).toBeNull();
    expect(lab.mailHostRefusal(client({ provider: 'google' }), 'localhost')).not.toBeNull();
  });

  it.each([
    ['outlook.office365.com', 'azure'],
    ['SMTP.Office365.com.', 'azure'],
    ['imap.gmail.com', 'google'],
    ['mail.fourth.invalid', 'fourth'],
    ['imap.example.com', undefined],
    ['127.0.0.1', undefined],
  ])('knows whose own mail server %s is (%s)', (host, kind) => {
    expect(sut.mailHostOwner(host)?.kind).toBe(kind);
  });

  it('gives each provider its own hints', () => {
    expect(sut.get('azure').hint('invalid_client', 'AADSTS7000215: Invalid client secret')).toMatch(/^AADSTS7000215: The Client Secret is wrong/);
    expect(sut.get('google').hint('invalid_grant', 'Token has been expired or revoked.')).toMatch(/Google revoked the token/);
    expect(sut.get('generic').hint('invalid_grant', 'AADSTS7000215: x')).toBeNull();
    expect(sut.get('fourth').hint('fourth_error', null)).toBe('Do the fourth thing.');
    // A Generic client may point at Microsoft's or Google's endpoints: their hints apply when it has none.
    expect(sut.hintFor('generic')('invalid_client', 'AADSTS7000215: x')).toMatch(/^AADSTS7000215/);
    expect(sut.hintFor('azure')('fourth_error', null)).toBe('Do the fourth thing.');
  });
});

describe('mail host patterns', () => {
  it.each([
    ['imap.example.com', ['imap.example.com'], true],
    ['IMAP.Example.com.', ['imap.example.com'], true],
    ['eu.imap.example.com', ['*.example.com'], true],
    ['example.com', ['*.example.com'], false],
    ['evil-example.com', ['*.example.com'], false],
    ['[::1]', ['::1'], true],
  ])('%s against %j: %s', (host, patterns, expected) => expect(mailHostMatches(host, patterns)).toBe(expected));

  it('takes the registrable domain, public-suffix aware', () => {
    expect(sameSiteHosts('https://login.microsoftonline.com/x')).toEqual(['microsoftonline.com', '*.microsoftonline.com']);
    expect(sameSiteHosts('https://a.b.example.co.uk/')).toEqual(['example.co.uk', '*.example.co.uk']);
    expect(sameSiteHosts('not a url')).toEqual([]);
  });

  it.each([
    ['mail.example.com', null],
    ['*.example.com', null],
    ['10.0.0.5', null],
    ['*.co.uk', /whole public suffix/],
    ['*.10.0.0.5', /needs a domain/],
    ['bad host', /not a host name/],
  ])('Allowed Mail Hosts entry %s', (entry, expected) => {
    const answer = checkMailHostPattern(entry);
    if (expected) expect(answer).toMatch(expected);
    else expect(answer).toBeNull();
  });
});
