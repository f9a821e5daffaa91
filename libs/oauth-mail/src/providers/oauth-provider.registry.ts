import { Inject, Injectable } from '@nestjs/common';
import { MailProtocol } from '../entities/mailbox.enums.js';
import type { OAuthClient } from '../entities/oauth-client.entity.js';
import type { OAuthProviderKind } from '../entities/oauth-client.enums.js';
import { ConfigurationError } from '../errors/oauth-mail.error.js';
import { OAUTH_MAIL_MODULE_OPTIONS } from '../oauth-mail.module-definition.js';
import type { OAuthMailModuleOptions } from '../oauth-mail.options.js';
import { AZURE_PROVIDER } from './azure/azure.oauth-provider.js';
import { GENERIC_PROVIDER } from './generic/generic.oauth-provider.js';
import { GOOGLE_PROVIDER } from './google/google.oauth-provider.js';
import { mailHostMatches } from './mail-host.rule.js';
import type { OAuthProvider, ProviderClient, SignInCandidate } from './oauth-provider.js';

/** The providers that ship with the library: the only place that lists them. */
export const BUILT_IN_OAUTH_PROVIDERS = {
  azure: AZURE_PROVIDER,
  google: GOOGLE_PROVIDER,
  generic: GENERIC_PROVIDER,
} as const satisfies Record<OAuthProviderKind, OAuthProvider>;

/** Endpoints and scopes in force for a client: filled fields override the provider's own. */
export interface EffectiveClientSettings {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly userDataEndpoint: string | null;
  readonly discoveryUrl: string | null;
  /** The issuer the provider names for this client, when it knows one. */
  readonly issuer: string | null;
  readonly scopes: readonly string[];
  readonly scopeSeparator: string;
  readonly authorizeParams: Readonly<Record<string, string>>;
}

type SettingsInput = ProviderClient & Pick<OAuthClient, 'provider' | 'authorizeUrl' | 'tokenUrl' | 'userDataEndpoint' | 'scope' | 'scopeSeparator'>;

const LOOPBACK_MAIL_HOSTS = ['localhost', '*.localhost', '127.0.0.1', '::1'];
/** Dovecot's mail_max_userip_connections: what a server of unknown make most likely allows one user. */
const DEFAULT_CONNECTIONS_PER_ACCOUNT = 10;

/**
 * The providers in force: the built-in ones plus those a host registers
 * through `OAuthMailModule.forRoot({ providers })` (which may also replace a
 * built-in one by its kind).
 */
@Injectable()
export class OAuthProviderRegistry {
  private readonly byKind = new Map<string, OAuthProvider>();

  constructor(@Inject(OAUTH_MAIL_MODULE_OPTIONS) private readonly options: Pick<OAuthMailModuleOptions, 'providers' | 'providerBaseUrls'>) {
    for (const provider of [...Object.values(BUILT_IN_OAUTH_PROVIDERS), ...(options.providers ?? [])]) {
      if (!/^[a-z][a-z0-9-]{0,39}$/.test(provider.kind)) throw new ConfigurationError(`OAuthMailModule providers: "${provider.kind}" is not a provider kind (lower-case letters, digits and dashes, at most 40).`);
      this.byKind.set(provider.kind, provider);
    }
  }

  /** Every provider, in registration order (the client form lists them so). */
  all(): OAuthProvider[] {
    return [...this.byKind.values()];
  }

  find(kind: string | null | undefined): OAuthProvider | undefined {
    return kind ? this.byKind.get(kind) : undefined;
  }

  /** The provider of a stored client; a row naming an unregistered one is a host misconfiguration. */
  get(kind: string): OAuthProvider {
    const provider = this.byKind.get(kind);
    if (!provider) throw new ConfigurationError(`No OAuth provider "${kind}" is registered: add it to OAuthMailModule's providers, or change the client's Provider.`);
    return provider;
  }

  /** Endpoints, issuer and scopes in force for a client. */
  settings(client: SettingsInput): EffectiveClientSettings {
    const provider = this.get(client.provider);
    const endpoints = provider.endpoints(client, this.baseUrl(client.provider));
    const separator = client.scopeSeparator || ' ';
    return {
      authorizeUrl: client.authorizeUrl || endpoints?.authorizeUrl || '',
      tokenUrl: client.tokenUrl || endpoints?.tokenUrl || '',
      userDataEndpoint: client.userDataEndpoint || endpoints?.userDataEndpoint || null,
      discoveryUrl: endpoints?.discoveryUrl ?? null,
      // An endpoint the admin replaced may belong to another server than the provider's issuer.
      issuer: client.authorizeUrl || client.tokenUrl ? null : (endpoints?.issuer ?? null),
      scopes: client.scope ? client.scope.split(separator).map((s) => s.trim()).filter(Boolean) : defaultScopes(provider, client.type),
      scopeSeparator: separator,
      authorizeParams: provider.authorizeParams,
    };
  }

  /**
   * The remedy for a provider's error: its own hint first, then the others'.
   * A Generic client may well point at Microsoft's or Google's endpoints.
   */
  hintFor(kind: string): (error: string | null, description: string | null) => string | null {
    const own = this.get(kind);
    return (error, description) => {
      for (const provider of [own, ...this.all().filter((p) => p !== own)]) {
        const hint = provider.hint(error, description);
        if (hint) return hint;
      }
      return null;
    };
  }

  /** The claim that names a person: Username Attribute, else the provider's default. */
  usernameAttribute(client: Pick<OAuthClient, 'provider' | 'usernameAttribute'>): string {
    return client.usernameAttribute ?? this.get(client.provider).defaultUsernameAttribute;
  }

  /** The client's Allowed Tenants / Domains, by its provider's rule; an empty list lets everyone in. */
  signInAllowed(client: Pick<OAuthClient, 'provider' | 'allowedDomains'>, candidate: SignInCandidate): boolean {
    return !client.allowedDomains?.length || this.get(client.provider).signInAllowed(candidate, client.allowedDomains);
  }

  /**
   * Why `host` may not receive this client's tokens as a mail login, or null.
   * In a test lab (`providerBaseUrls`), the replaced host and loopback are allowed too.
   */
  mailHostRefusal(client: SettingsInput, host: string): string | null {
    const provider = this.get(client.provider);
    const base = this.baseUrl(client.provider);
    const allowed = [...provider.mailHosts(client), ...(base ? [new URL(base).hostname, ...LOOPBACK_MAIL_HOSTS] : [])];
    if (mailHostMatches(host, allowed)) return null;
    const list = allowed.length ? allowed.join(', ') : 'none (set Allowed Mail Hosts on the client)';
    return `${host} is not a mail server of ${provider.label}: its tokens are sent only to ${list}. Correct the Host${provider.fields.includes('allowedMailHosts') ? ", or add it to the OAuth client's Allowed Mail Hosts" : ''}.`;
  }

  /**
   * The provider whose own mail servers `host` is, whatever a client says
   * (Microsoft 365's, Google's; Generic names none without a client), for hints.
   */
  mailHostOwner(host: string): OAuthProvider | undefined {
    const anyClient: ProviderClient = { type: 'mailbox' };
    return this.all().find((provider) => mailHostMatches(host, provider.mailHosts(anyClient)));
  }

  /** How many connections one account may hold at once on this host: its provider's figure, or Dovecot's default of 10 per user. */
  connectionsPerAccount(host: string, protocol: MailProtocol): number {
    return this.mailHostOwner(host)?.mailConnectionsPerAccount?.[protocol] ?? DEFAULT_CONNECTIONS_PER_ACCOUNT;
  }

  private baseUrl(kind: string): string | undefined {
    return this.options.providerBaseUrls?.[kind];
  }
}

/** A Mailbox client asks for what every transport needs, then the provider's base scopes; a User client for sign-in scopes. */
function defaultScopes(provider: OAuthProvider, type: ProviderClient['type']): readonly string[] {
  if (!provider.scopes) return [];
  if (type === 'user') return provider.scopes.user;
  const { byProtocol, base } = provider.scopes.mailbox;
  return [...new Set([...Object.values(MailProtocol).flatMap((p) => byProtocol[p]), ...base])];
}
