import { Strategy as OAuth2Strategy, type StateStore } from 'passport-oauth2';
import type { EffectiveClientSettings } from '../providers/oauth-provider.registry.js';
import type { TokenSet } from '../tokens/token-set.js';

export interface StrategyInput {
  settings: EffectiveClientSettings;
  clientId: string;
  clientSecret: string;
  callbackUrl: string;
  /** Keeps state and the PKCE verifier server-side. */
  store: StateStore;
  /** Performs the code exchange (our token endpoint client, not passport's). */
  exchange(code: string, codeVerifier: string): Promise<TokenSet>;
}

/**
 * A passport-oauth2 strategy for one client row and one request. Clients live
 * in the database, so a strategy is never registered globally with passport.use().
 */
export function createOAuth2Strategy(input: StrategyInput): OAuth2Strategy {
  const strategy = new OAuth2Strategy(
    {
      authorizationURL: input.settings.authorizeUrl,
      tokenURL: input.settings.tokenUrl,
      clientID: input.clientId,
      clientSecret: input.clientSecret,
      callbackURL: input.callbackUrl,
      scope: [...input.settings.scopes],
      scopeSeparator: input.settings.scopeSeparator,
      state: true,
      pkce: 'S256',
      store: input.store,
      skipUserProfile: true,
    } as never,
    (_accessToken: string, _refreshToken: string, tokens: TokenSet, _profile: unknown, done: (e: unknown, user: TokenSet) => void) =>
      done(null, tokens),
  );
  strategy.authorizationParams = () => ({ ...input.settings.authorizeParams });
  // passport hands the code and verifier here; the exchange itself goes through the token endpoint client.
  const oauth2 = (strategy as unknown as { _oauth2: Record<string, unknown> })._oauth2;
  oauth2.getOAuthAccessToken = (code: string, params: { code_verifier: string }, done: (...args: unknown[]) => void) => {
    input.exchange(code, params.code_verifier).then(
      (tokens) => done(null, tokens.accessToken, tokens.refreshToken, tokens),
      (error) => done(error),
    );
  };
  return strategy;
}
