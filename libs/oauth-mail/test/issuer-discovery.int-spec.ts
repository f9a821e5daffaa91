import 'reflect-metadata';
// Imported from their files, not the barrel: this suite needs no module or database.
import { candidateIssuers, IssuerDiscovery, metadataUrls } from '../src/clients/issuer-metadata.js';
import { DEFAULT_BLOCKED_NETWORKS, EgressPolicy } from '../src/egress/egress-policy.js';
import { OutboundHttpClient } from '../src/net/outbound-http.client.js';
import { ConnectProxy } from '../../../test/support/connect-proxy.js';
import { OidcPeer } from '../../../test/support/oidc-peer.js';

const RFC8414 = '/.well-known/oauth-authorization-server/realms/test';
const OIDC = '/.well-known/openid-configuration';

describe(IssuerDiscovery.name, () => {
  // Issue #19 defect 5: an issuer with a path (Keycloak realms), with and without the RFC 8414 address.
  let realm: OidcPeer;
  let realmOidcOnly: OidcPeer;
  let root: OidcPeer;
  const http = new OutboundHttpClient({ httpTimeoutMs: 2000 }, new EgressPolicy(DEFAULT_BLOCKED_NETWORKS));
  const fresh = () => new IssuerDiscovery(http);

  beforeAll(async () => {
    [realm, realmOidcOnly, root] = await Promise.all([
      OidcPeer.start({ issuerPath: '/realms/test', rfc8414: true }),
      OidcPeer.start({ issuerPath: '/realms/test' }),
      OidcPeer.start(),
    ]);
  });
  afterEach(() => Promise.all([realm.reset(), realmOidcOnly.reset(), root.reset()]));
  afterAll(() => Promise.all([realm?.stop(), realmOidcOnly?.stop(), root?.stop()]));

  it('derives the metadata addresses as RFC 8414 §3.1 and OpenID Connect Discovery say', () => {
    expect(metadataUrls('https://host/realms/x').map(String)).toEqual(['https://host/.well-known/oauth-authorization-server/realms/x', 'https://host/realms/x/.well-known/openid-configuration']);
    expect(metadataUrls('https://host').map(String)).toEqual(['https://host/.well-known/oauth-authorization-server', 'https://host/.well-known/openid-configuration']);
    expect(candidateIssuers(new URL('https://host/realms/x/protocol/openid-connect/auth'))).toEqual(['https://host/realms/x/protocol/openid-connect', 'https://host/realms/x/protocol', 'https://host/realms/x', 'https://host']);
    expect(candidateIssuers(new URL('https://host/auth'))).toEqual(['https://host']);
  });

  it('finds the metadata of an issuer with a path at the RFC 8414 address, from the authorize URL alone, and caches it', async () => {
    expect(realm.issuer).toMatch(/\/realms\/test$/);
    const sut = fresh();
    const metadata = await sut.discover({ authorizeUrl: `${realm.issuer}/auth?prompt=login` });
    expect(metadata).toEqual({ issuer: realm.issuer, answersWithIss: true, jwksUri: `${realm.issuer}/jwks`, userinfoEndpoint: `${realm.issuer}/me` });
    expect(await realm.requests(RFC8414)).toBe(1);
    expect(await realm.requests(OIDC)).toBe(0);
    expect(await sut.discover({ authorizeUrl: `${realm.issuer}/auth` })).toEqual(metadata);
    expect(await realm.requests(RFC8414)).toBe(1);
  });

  it('falls back to the OpenID Connect address (issuer + /.well-known/openid-configuration)', async () => {
    const metadata = await fresh().discover({ authorizeUrl: `${realmOidcOnly.issuer}/auth` });
    expect(metadata).toMatchObject({ issuer: realmOidcOnly.issuer, answersWithIss: true });
    expect(await realmOidcOnly.requests(OIDC)).toBe(1);
  });

  it('asks only a known issuer, and accepts only metadata that names it and describes this very endpoint', async () => {
    expect(await fresh().discover({ authorizeUrl: `${realm.issuer}/auth`, issuer: realm.issuer })).toMatchObject({ issuer: realm.issuer });
    expect(await fresh().discover({ authorizeUrl: `${realm.issuer}/auth`, issuer: `${new URL(realm.issuer).origin}/realms/other` })).toBeNull();
    expect(await fresh().discover({ authorizeUrl: `${realm.issuer}/auth-elsewhere` })).toBeNull();
    expect(await fresh().discover({ authorizeUrl: `${root.issuer}/auth`, issuer: realm.issuer })).toBeNull();
  });

  it('still finds an issuer without a path at the host root, also through the client\'s proxy', async () => {
    expect(await fresh().discover({ authorizeUrl: `${root.issuer}/auth` })).toMatchObject({ issuer: root.issuer, answersWithIss: true });
    const proxy = await ConnectProxy.start();
    try {
      expect(await fresh().discover({ authorizeUrl: `${root.issuer}/auth`, proxy: proxy.address })).toMatchObject({ issuer: root.issuer });
      expect(proxy.tunnels.length).toBeGreaterThan(0);
      expect(new Set(proxy.tunnels)).toEqual(new Set([new URL(root.issuer).host]));
    } finally {
      await proxy.stop();
    }
  });

  it('never caches a server that could not be reached, and never reaches a blocked network', async () => {
    const sut = fresh();
    // oidc-provider answers at both addresses of an issuer without a path.
    for (const path of ['/.well-known/oauth-authorization-server', OIDC]) await root.fault(path, { status: 503, times: 1 });
    expect(await sut.discover({ authorizeUrl: `${root.issuer}/auth` })).toBeNull();
    expect(await sut.discover({ authorizeUrl: `${root.issuer}/auth` })).toMatchObject({ issuer: root.issuer });
    expect(await sut.discover({ authorizeUrl: 'http://169.254.169.254/auth' })).toBeNull();
  });
});
