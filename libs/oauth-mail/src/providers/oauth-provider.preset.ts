import type { OAuthClientType, OAuthProviderKind } from '../entities/oauth-client.enums.js';

/** The parts of a client row a preset builds endpoints from. */
export interface PresetInput {
  readonly tenantId?: string | null;
}

/**
 * What a provider contributes when the admin leaves a field empty: endpoints,
 * default scopes per client type and the extra authorize parameters.
 * Kept as data, one file per provider.
 */
export interface OAuthProviderPreset {
  readonly kind: OAuthProviderKind;
  readonly label: string;
  /** Fields the admin must fill for this provider (beyond name, type, status). */
  readonly requiredFields: readonly string[];
  /** Builds endpoints; `baseUrl` replaces the public host (used only by tests). */
  endpoints(input: PresetInput, baseUrl?: string): PresetEndpoints | null;
  readonly defaultScopes: Readonly<Record<OAuthClientType, readonly string[]>> | null;
  readonly authorizeParams: Readonly<Record<string, string>>;
}

export interface PresetEndpoints {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly userDataEndpoint?: string;
  /** OpenID Connect discovery document, for providers whose sign-in reads it (Azure). */
  readonly discoveryUrl?: string;
}
