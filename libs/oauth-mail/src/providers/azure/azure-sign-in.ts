import { createRequire } from 'node:module';
import { Logger } from '@nestjs/common';
import type { Strategy } from 'passport';
import { runStrategy } from '../../passport/run-strategy.js';
import type { AdapterIdentity, ProviderSignIn, ProviderSignInContext, SignInAdapterOutcome } from '../provider-sign-in.js';
import { safeOrigin } from '../../clients/issuer-metadata.js';
import { isMultiTenant } from './azure.tenants.js';

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

function strategy(settings: ProviderSignInContext): Strategy {
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
      // Tenant-specific metadata names the one issuer to accept; for multi-tenant clients complete() checks iss against tid.
      validateIssuer: !isMultiTenant(settings.tenantId),
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

/**
 * Azure sign-in through passport-azure-ad's OIDCStrategy, confined to this
 * folder: it reads the tenant's metadata and validates the ID token; PKCE is
 * added through its extra-parameter options, and its state and nonce are kept
 * in the common flow's transaction. People are keyed on (tid, oid).
 */
export class AzureSignIn implements ProviderSignIn {
  async start(context: ProviderSignInContext, codeChallenge: string): Promise<SignInAdapterOutcome<{ authorizeUrl: string; state: string; nonce: string }>> {
    const req = { query: {}, body: {}, session: {} as Record<string, { content?: { state: string; nonce: string }[] }> };
    const outcome = await runStrategy(strategy(context), req, {
      extraAuthReqQueryParams: { code_challenge: codeChallenge, code_challenge_method: 'S256' },
    });
    const secrets = req.session[SESSION_KEY]?.content?.[0];
    if (outcome.kind !== 'redirect' || !secrets) return { ok: false, code: 'PROVIDER_ERROR', message: failure(outcome) };
    return { ok: true, value: { authorizeUrl: outcome.url, state: secrets.state, nonce: secrets.nonce } };
  }

  async complete(
    context: ProviderSignInContext,
    response: { code: string; state: string },
    secrets: { state: string; nonce: string },
    codeVerifier: string,
  ): Promise<SignInAdapterOutcome<AdapterIdentity>> {
    const req = {
      query: { code: response.code, state: response.state },
      body: {},
      session: { [SESSION_KEY]: { content: [{ state: secrets.state, nonce: secrets.nonce, policy: undefined, timeStamp: Date.now() }] } },
    };
    const outcome = await runStrategy(strategy(context), req, { extraTokenReqQueryParams: { code_verifier: codeVerifier } });
    if (outcome.kind !== 'success' || !outcome.user || typeof outcome.user !== 'object') return { ok: false, code: 'PROVIDER_ERROR', message: failure(outcome) };
    const claims = outcome.user as Record<string, unknown>;
    const { tid, oid, iss } = claims;
    if (typeof tid !== 'string' || typeof oid !== 'string' || typeof iss !== 'string') {
      return { ok: false, code: 'PROVIDER_ERROR', message: 'The Microsoft ID token has no tenant or object id (tid, oid), so the person cannot be identified.' };
    }
    // Multi-tenant metadata names no single issuer: it must be the person's own tenant at the same host.
    if (isMultiTenant(context.tenantId) && (safeOrigin(iss) !== context.expectedIssuerOrigin || new URL(iss).pathname.replace(/\/$/, '') !== `/${tid}/v2.0`)) {
      return { ok: false, code: 'ISSUER_MISMATCH', message: 'The ID token names another issuer than its tenant; the sign-in was refused.' };
    }
    return { ok: true, value: { issuer: iss, subject: `${tid}:${oid}`, claims } };
  }
}

function failure(outcome: Awaited<ReturnType<typeof runStrategy>>): string {
  const detail = outcome.kind === 'error' ? String((outcome.error as Error)?.message ?? '') : outcome.kind === 'fail' ? typeof outcome.info === 'string' ? outcome.info : String((outcome.info as { message?: string } | null)?.message ?? '') : '';
  logger.warn(`Azure sign-in refused by passport-azure-ad: ${detail.slice(0, 300) || outcome.kind}`);
  if (/metadata/i.test(detail)) return 'The Microsoft sign-in metadata could not be loaded. Check Tenant ID, and that this server reaches login.microsoftonline.com.';
  if (/redeem/i.test(detail)) return 'Microsoft refused the sign-in code: check the Client Secret (its Value) and the Redirect URI registered in Entra ID.';
  return 'The identity from Microsoft could not be verified, so the sign-in was refused.';
}
