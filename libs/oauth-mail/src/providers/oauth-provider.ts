import type { MailProtocol } from '../entities/mailbox.enums.js';
import type { OAuthClientType } from '../entities/oauth-client.enums.js';
import type { ProviderSignIn } from './provider-sign-in.js';

/** The parts of a client row a provider reads. */
export interface ProviderClient {
  readonly type: OAuthClientType;
  readonly tenantId?: string | null;
  readonly tokenUrl?: string | null;
  readonly allowedMailHosts?: readonly string[] | null;
}

/** Endpoints a provider contributes when the admin leaves a field empty. */
export interface ProviderEndpoints {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly userDataEndpoint?: string;
  /** OpenID Connect discovery document, for providers whose sign-in reads it (Azure). */
  readonly discoveryUrl?: string;
  /** The issuer people are keyed on and metadata is discovered from, when the provider knows it. */
  readonly issuer?: string;
}

/** Default scopes: a Mailbox client asks for `base` plus what each transport needs, so one consent serves every mailbox of the client. */
export interface ProviderScopes {
  readonly user: readonly string[];
  readonly mailbox: { readonly base: readonly string[]; readonly byProtocol: Readonly<Record<MailProtocol, readonly string[]>> };
}

/** Client fields that only some providers use: the validator reads them only for a provider that lists them. */
export type ProviderField = 'tenantId' | 'allowedMailHosts';

/** A client form as the common validator normalized it, for a provider's own rules. */
export interface ProviderDraft {
  readonly type: OAuthClientType;
  readonly tenantId: string | null;
  readonly scope: string | null;
  readonly authorizeUrl: string | null;
  readonly tokenUrl: string | null;
  readonly userDataSource: string | null;
  readonly userDataEndpoint: string | null;
  readonly usernameAttribute: string | null;
  readonly allowedDomains: readonly string[] | null;
}

/** What a sign-in allowlist (Allowed Tenants / Domains) is matched against. */
export interface SignInCandidate {
  readonly claims: Readonly<Record<string, unknown>>;
  /** From Username Attribute; null when missing or an unverified e-mail. */
  readonly username: string | null;
}

/**
 * An OAuth vendor: its data (endpoints, scopes, labels, mail hosts) and its
 * behaviour (field rules, error hints, sign-in rules). One folder per
 * provider; the registry is the only place that lists them.
 */
export interface OAuthProvider {
  readonly kind: string;
  readonly label: string;
  /** Provider-specific fields the form shows and the validator reads. */
  readonly fields: readonly ProviderField[];
  /** `baseUrl` replaces the public host (test labs only). Null: every endpoint comes from the row. */
  endpoints(client: ProviderClient, baseUrl?: string): ProviderEndpoints | null;
  readonly scopes: ProviderScopes | null;
  /** Extra authorization request parameters. */
  readonly authorizeParams: Readonly<Record<string, string>>;
  /** Rules beyond the common ones; `fail` records a field error. */
  checkFields(draft: ProviderDraft, fail: (field: string, message: string) => void): void;
  /** Whether one Allowed Tenants / Domains entry (lower-cased) is of the kind `signInAllowed` matches. */
  isAllowlistEntry(entry: string): boolean;
  /** Whether the signed-in person is on the client's allowlist (never called with an empty list). */
  signInAllowed(candidate: SignInCandidate, allowlist: readonly string[]): boolean;
  /** The claim that names a person when Username Attribute is empty. */
  readonly defaultUsernameAttribute: string;
  /** A remedy for one of the provider's error codes or texts, or null. */
  hint(error: string | null, description: string | null): string | null;
  /**
   * Host patterns (names, or `*.domain` for its subdomains) that the client's
   * tokens may be sent to as a mail login. A bearer token sent anywhere else
   * could be replayed by that server.
   */
  mailHosts(client: ProviderClient): readonly string[];
  /**
   * Connections the provider's mail servers allow one account at once, by protocol
   * (Exchange Online: 3 SMTP per mailbox; Gmail: 15 IMAP per account). Bulk Checks stay under them.
   */
  readonly mailConnectionsPerAccount?: Readonly<Partial<Record<MailProtocol, number>>>;
  /** A sign-in of the provider's own, where the common OpenID Connect one does not fit (Azure). */
  readonly signIn?: ProviderSignIn;
}
