import type { OAuthClient } from '../entities/oauth-client.entity.js';
import type { OAuthProviderKind } from '../entities/oauth-client.enums.js';
import { AZURE_PRESET } from './azure/azure.preset.js';
import { GENERIC_PRESET } from './generic/generic.preset.js';
import { GOOGLE_PRESET } from './google/google.preset.js';
import type { OAuthProviderPreset } from './oauth-provider.preset.js';

/** The only place that knows every provider kind. */
export const OAUTH_PROVIDER_PRESETS: Readonly<Record<OAuthProviderKind, OAuthProviderPreset>> = {
  azure: AZURE_PRESET,
  google: GOOGLE_PRESET,
  generic: GENERIC_PRESET,
};

/** Endpoints and scopes in force for a client: filled fields override the preset. */
export interface EffectiveClientSettings {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly userDataEndpoint: string | null;
  readonly discoveryUrl: string | null;
  readonly scopes: readonly string[];
  readonly scopeSeparator: string;
  readonly authorizeParams: Readonly<Record<string, string>>;
}

type SettingsInput = Pick<
  OAuthClient,
  'provider' | 'type' | 'tenantId' | 'authorizeUrl' | 'tokenUrl' | 'userDataEndpoint' | 'scope' | 'scopeSeparator'
>;

export function resolveClientSettings(client: SettingsInput, baseUrls: Partial<Record<OAuthProviderKind, string>> = {}): EffectiveClientSettings {
  const preset = OAUTH_PROVIDER_PRESETS[client.provider];
  const endpoints = preset.endpoints(client, baseUrls[client.provider]);
  const separator = client.scopeSeparator || ' ';
  return {
    authorizeUrl: client.authorizeUrl || endpoints?.authorizeUrl || '',
    tokenUrl: client.tokenUrl || endpoints?.tokenUrl || '',
    userDataEndpoint: client.userDataEndpoint || endpoints?.userDataEndpoint || null,
    discoveryUrl: endpoints?.discoveryUrl ?? null,
    scopes: client.scope
      ? client.scope.split(separator).map((s) => s.trim()).filter(Boolean)
      : (preset.defaultScopes?.[client.type] ?? []),
    scopeSeparator: separator,
    authorizeParams: preset.authorizeParams,
  };
}
