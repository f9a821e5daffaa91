import { createRequire } from 'node:module';
import { Logger } from '@nestjs/common';
import type { Strategy } from 'passport';
import { runStrategy } from '../../passport/run-strategy.js';

/** What the Azure sign-in needs from a client row and its settings. */
export interface AzureSignInSettings {
  clientId: string;
  clientSecret: string;
  /** The tenant's OpenID Connect discovery document (https). */
  discoveryUrl: string;
  redirectUri: string;
  scopes: readonly string[];
  /** organizations, common or consumers: the issuer names the signed-in person's tenant, not ours. */
  multiTenant: boolean;
  /** Loopback redirect URIs may be http (development and tests); passport-azure-ad wants https otherwise. */
  allowHttpRedirect: boolean;
  /** The client's Proxy as a URL: metadata, keys and the code redemption go through it (HTTP CONNECT). */
  proxy?: string;
}

/** The state and nonce passport-azure-ad chose for a request, which the callback must hand back. */
export interface AzureRequestSecrets {
  state: string;
  nonce: string;
}

export type AzureOutcome<T> = { ok: true; value: T } | { ok: false; message: string };

const logger = new Logger('passport-azure-ad');
const SESSION_KEY = 'oidc';

/**
 * passport-azure-ad writes bunyan JSON lines to stdout. Its modules take their
 * logger when they load, so the factory is replaced before the strategy is
 * first required, and every record goes through the app's logger instead.
 */
let OIDCStrategy: (new (options: object, verify: (...args: unknown[]) => void) => Strategy) | undefined;
function loadStrategy() {
  if (OIDCStrategy) return OIDCStrategy;
  const require = createRequire(import.meta.url);
  const requireFromPackage = createRequire(require.resolve('passport-azure-ad'));
  const bunyan = requireFromPackage('bunyan') as { createLogger(options: object): unknown; INFO: number; WARN: number; ERROR: number };
  const logging = requireFromPackage('./logging') as { getLogger: (name: string) => unknown };
  // Called with `new`, so a plain function that returns the logger.
  logging.getLogger = function getLogger(name: string) {
    return bunyan.createLogger({
      name,
      streams: [{
        type: 'raw',
        level: 'info',
        stream: {
          write: (record: { level: number; msg: string }) => {
            const text = `${name}: ${record.msg}`;
            if (record.level >= bunyan.ERROR) logger.error(text);
            else if (record.level >= bunyan.WARN) logger.warn(text);
            else logger.debug(text);
          },
        },
      }],
    });
  };
  OIDCStrategy = (require('passport-azure-ad') as { OIDCStrategy: typeof OIDCStrategy }).OIDCStrategy;
  return OIDCStrategy!;
}

function strategy(settings: AzureSignInSettings): Strategy {
  const Strategy = loadStrategy();
  return new Strategy(
    {
      identityMetadata: settings.discoveryUrl,
      clientID: settings.clientId,
      clientSecret: settings.clientSecret,
      responseType: 'code',
      responseMode: 'query',
      redirectUrl: settings.redirectUri,
      allowHttpForRedirectUrl: settings.allowHttpRedirect,
      scope: [...settings.scopes],
      // Tenant-specific metadata names the one issuer to accept; for multi-tenant clients the caller checks iss against tid.
      validateIssuer: !settings.multiTenant,
      passReqToCallback: false,
      loggingNoPII: true,
      sessionKey: SESSION_KEY,
      nonceLifetime: 600,
      clockSkew: 60,
      ...(settings.proxy ? { proxy: settings.proxy } : {}),
    },
    // Eight parameters: passport-azure-ad passes the validated ID token's claims.
    (_iss: unknown, _sub: unknown, _profile: unknown, jwtClaims: unknown, _access: unknown, _refresh: unknown, _params: unknown, done: unknown) =>
      (done as (err: null, user: unknown) => void)(null, jwtClaims),
  );
}

/** The authorization URL, with PKCE, and the state and nonce the strategy chose for it. */
export async function startAzureSignIn(settings: AzureSignInSettings, codeChallenge: string): Promise<AzureOutcome<{ authorizeUrl: string } & AzureRequestSecrets>> {
  const req = { query: {}, body: {}, session: {} as Record<string, { content?: AzureRequestSecrets[] }> };
  const outcome = await runStrategy(strategy(settings), req, {
    extraAuthReqQueryParams: { code_challenge: codeChallenge, code_challenge_method: 'S256' },
  });
  const secrets = req.session[SESSION_KEY]?.content?.[0];
  if (outcome.kind !== 'redirect' || !secrets) return { ok: false, message: failure(outcome) };
  return { ok: true, value: { authorizeUrl: outcome.url, state: secrets.state, nonce: secrets.nonce } };
}

/** Redeems the code (with the PKCE verifier) and returns the ID token's claims, validated by passport-azure-ad. */
export async function completeAzureSignIn(
  settings: AzureSignInSettings,
  response: { code: string; state: string },
  secrets: AzureRequestSecrets,
  codeVerifier: string,
): Promise<AzureOutcome<Record<string, unknown>>> {
  const req = {
    query: { code: response.code, state: response.state },
    body: {},
    session: { [SESSION_KEY]: { content: [{ state: secrets.state, nonce: secrets.nonce, policy: undefined, timeStamp: Date.now() }] } },
  };
  const outcome = await runStrategy(strategy(settings), req, { extraTokenReqQueryParams: { code_verifier: codeVerifier } });
  if (outcome.kind !== 'success' || !outcome.user || typeof outcome.user !== 'object') return { ok: false, message: failure(outcome) };
  return { ok: true, value: outcome.user as Record<string, unknown> };
}

function failure(outcome: Awaited<ReturnType<typeof runStrategy>>): string {
  const detail = outcome.kind === 'error' ? String((outcome.error as Error)?.message ?? '') : outcome.kind === 'fail' ? String((outcome.info as { message?: string })?.message ?? outcome.info ?? '') : '';
  logger.warn(`Azure sign-in refused by passport-azure-ad: ${detail.slice(0, 300) || outcome.kind}`);
  if (/metadata/i.test(detail)) return 'The Microsoft sign-in metadata could not be loaded. Check Tenant ID, and that this server reaches login.microsoftonline.com.';
  if (/redeem/i.test(detail)) return 'Microsoft refused the sign-in code: check the Client Secret (its Value) and the Redirect URI registered in Entra ID.';
  return 'The identity from Microsoft could not be verified, so the sign-in was refused.';
}
