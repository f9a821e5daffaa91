import { OAuthProviderRegistry } from '../providers/oauth-provider.registry.js';
import { classifyTokenError, type Grant } from './token-endpoint.client.js';

describe(classifyTokenError.name, () => {
  const hints = new OAuthProviderRegistry({});

  it.each<[string, number, unknown, Grant, string, RegExp]>([
    ['a 5xx', 503, { error: 'temporarily_unavailable' }, 'refresh_token', 'PROVIDER_UNAVAILABLE', /temporarily unavailable \(HTTP 503\)/],
    ['a 429', 429, undefined, 'refresh_token', 'PROVIDER_UNAVAILABLE', /HTTP 429/],
    ['a 408', 408, undefined, 'authorization_code', 'PROVIDER_UNAVAILABLE', /HTTP 408/],
    ['invalid_client', 401, { error: 'invalid_client' }, 'refresh_token', 'CLIENT_MISCONFIGURED', /Check the Client ID and Client Secret/],
    ['invalid_grant', 400, { error: 'invalid_grant' }, 'refresh_token', 'TOKEN_REVOKED', /refused the grant \(invalid_grant\)/],
    ['unauthorized_client', 400, { error: 'unauthorized_client' }, 'refresh_token', 'TOKEN_REVOKED', /Validate the client again/],
    ['invalid_scope', 400, { error: 'invalid_scope' }, 'authorization_code', 'TOKEN_REVOKED', /invalid_scope/],
    ['admin_policy_enforced', 400, { error: 'admin_policy_enforced' }, 'refresh_token', 'TOKEN_REVOKED', /admin_policy_enforced/],
    ['a refresh 400 without a body', 400, undefined, 'refresh_token', 'TOKEN_REVOKED', /without an OAuth error/],
    ['a refresh 401 with JSON but no error', 401, { message: 'nope' }, 'refresh_token', 'TOKEN_REVOKED', /HTTP 401, without an OAuth error/],
    ['a refresh 400 with a JSON array', 400, ['x'], 'refresh_token', 'TOKEN_REVOKED', /without an OAuth error/],
    ['a code exchange 400 without a body', 400, undefined, 'authorization_code', 'PROVIDER_ERROR', /gave no OAuth error/],
    ['another error', 400, { error: 'invalid_request', error_description: 'bad\nthing' }, 'authorization_code', 'PROVIDER_ERROR', /answered invalid_request: bad thing\./],
    ['a 403 without a body', 403, undefined, 'refresh_token', 'PROVIDER_ERROR', /answered HTTP 403/],
  ])('%s → %s', (_name, status, json, grant, code, message) => {
    const error = classifyTokenError(status, json, grant, hints.hintFor('generic'));
    expect({ code: error.code, retryable: error.retryable }).toEqual({ code, retryable: code === 'PROVIDER_UNAVAILABLE' });
    expect(error.message).toMatch(message);
  });

  it.each([
    ['azure', { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' }, 'CLIENT_MISCONFIGURED', /^AADSTS7000215: The Client Secret is wrong/],
    ['azure', { error: 'invalid_client', error_description: 'AADSTS7000222: The provided client secret keys are expired.' }, 'CLIENT_MISCONFIGURED', /has expired/],
    ['azure', { error: 'invalid_grant', error_description: 'AADSTS700082: The refresh token has expired due to inactivity.' }, 'TOKEN_REVOKED', /expired after a long time unused/],
    ['azure', { error: 'invalid_grant', error_description: 'AADSTS50173: The provided grant has expired due to it being revoked.' }, 'TOKEN_REVOKED', /changed their password/],
    ['azure', { error: 'invalid_client', error_description: 'AADSTS700016: Application not found in the directory.' }, 'CLIENT_MISCONFIGURED', /Client ID is unknown in this tenant/],
    ['google', { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }, 'TOKEN_REVOKED', /Google revoked the token/],
    ['google', { error: 'redirect_uri_mismatch' }, 'PROVIDER_ERROR', /Redirect URI is not registered in the Google Cloud OAuth client/],
    // A Generic client may front Microsoft: the AADSTS remedy still applies.
    ['generic', { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' }, 'CLIENT_MISCONFIGURED', /^AADSTS7000215/],
  ])('%s hint for %j', (provider, json, code, message) => {
    const error = classifyTokenError(400, json, 'refresh_token', hints.hintFor(provider));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });
});
