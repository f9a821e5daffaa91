/** What a provider's own sign-in adapter needs from the client row and its settings. */
export interface ProviderSignInContext {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tenantId: string | null;
  /** The provider's OpenID Connect discovery document (https). */
  readonly discoveryUrl: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  /** Loopback redirect URIs may be http (development and tests). */
  readonly allowHttpRedirect: boolean;
  /** The client's Proxy as a URL (HTTP CONNECT). */
  readonly proxy?: string;
  /** The origin the request went to: an issuer elsewhere is refused (mix-up defense). */
  readonly expectedIssuerOrigin: string;
}

export type SignInAdapterOutcome<T> = { ok: true; value: T } | { ok: false; code: 'PROVIDER_ERROR' | 'ISSUER_MISMATCH'; message: string };

/** A person the adapter verified, keyed on the provider's stable subject. */
export interface AdapterIdentity {
  readonly issuer: string;
  readonly subject: string;
  readonly claims: Record<string, unknown>;
}

/**
 * A provider's own sign-in, where the common OpenID Connect one does not fit
 * (Azure goes through passport-azure-ad). The common flow keeps state, nonce
 * and PKCE in its single-use transaction; the adapter builds the request and
 * verifies the answer.
 */
export interface ProviderSignIn {
  /** The authorization URL with the given PKCE challenge, and the state and nonce the adapter chose for it. */
  start(context: ProviderSignInContext, codeChallenge: string): Promise<SignInAdapterOutcome<{ authorizeUrl: string; state: string; nonce: string }>>;
  /** Redeems the code and verifies the person. */
  complete(
    context: ProviderSignInContext,
    response: { code: string; state: string },
    secrets: { state: string; nonce: string },
    codeVerifier: string,
  ): Promise<SignInAdapterOutcome<AdapterIdentity>>;
}
