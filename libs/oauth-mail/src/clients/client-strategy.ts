import type { SecretVault } from '../crypto/secret-vault.js';
import { OAuthClient } from '../entities/oauth-client.entity.js';
import { createOAuth2Strategy } from '../passport/passport-strategy.factory.js';
import type { TransactionStateStore } from '../passport/transaction-state.store.js';
import type { TokenEndpointClient } from '../tokens/token-endpoint.client.js';
import type { OAuthClientService } from './oauth-client.service.js';

/** The passport strategy of one client row, for Validate and sign-in alike; `extra` adds authorize parameters (nonce). */
export function strategyForClient(
  client: OAuthClient,
  store: TransactionStateStore,
  deps: { clientService: OAuthClientService; vault: SecretVault; endpoint: TokenEndpointClient },
  extra: Record<string, string> = {},
) {
  const settings = deps.clientService.settings(client);
  const clientSecret = deps.vault.open(OAuthClient, client, 'clientSecretEncrypted') ?? '';
  const redirectUri = deps.clientService.redirectUri(client.id);
  return createOAuth2Strategy({
    settings: { ...settings, authorizeParams: { ...settings.authorizeParams, ...extra } },
    clientId: client.clientId,
    clientSecret,
    callbackUrl: redirectUri,
    store: store as never,
    exchange: (code, verifier) =>
      deps.endpoint.exchangeCode({ tokenUrl: settings.tokenUrl, clientId: client.clientId, clientSecret, proxy: client.proxy, verifySsl: client.verifySsl }, code, redirectUri, verifier),
  });
}
