import type { OAuthClient } from '../entities/oauth-client.entity.js';
import {
  OAuthClientType,
  RecordStatus,
  UserDataSource,
} from '../entities/oauth-client.enums.js';
import type { OAuthProviderRegistry } from '../providers/oauth-provider.registry.js';
import { checkMailHostPattern } from '../providers/mail-host.rule.js';
import { checkText, checkToken, checkUrl, checkHost, checkPort } from './field-rules.js';
import { InputReader, type Validated } from './input-reader.js';
import { checkCreateExpression } from '../provisioning/cel-environment.js';

/** The editable fields of an OAuth client, normalized. `clientSecret` is set only when a new one was typed. */
export interface OAuthClientDraft {
  name: string;
  provider: string;
  type: OAuthClientType;
  status: RecordStatus;
  tenantId: string | null;
  clientId: string;
  clientSecret?: string;
  scope: string | null;
  scopeSeparator: string;
  authorizeUrl: string | null;
  tokenUrl: string | null;
  proxy: string | null;
  verifySsl: boolean;
  userDataSource: UserDataSource | null;
  userDataEndpoint: string | null;
  usernameAttribute: string | null;
  userFields: Record<string, string> | null;
  userCreateExpression: string | null;
  loginButtonCaption: string | null;
  loginButtonIcon: string | null;
  relatedLdaps: string[] | null;
  allowedDomains: string[] | null;
  allowedMailHosts: string[] | null;
}

/** Fields an admin may write; everything else (tokens, validation state) is server-managed. */
export const OAUTH_CLIENT_EDITABLE_FIELDS = [
  'name', 'provider', 'type', 'status', 'tenantId', 'clientId', 'clientSecret', 'scope', 'scopeSeparator',
  'authorizeUrl', 'tokenUrl', 'proxy', 'verifySsl', 'userDataSource', 'userDataEndpoint', 'usernameAttribute',
  'userFields', 'userCreateExpression', 'loginButtonCaption', 'loginButtonIcon', 'relatedLdaps', 'allowedDomains',
  'allowedMailHosts',
] as const;

const SECRET_MAX = 4096;

/**
 * Checks an OAuth client create or update. Absent fields keep `existing`
 * values; the secret is required on create and kept when left empty on edit.
 */
export function validateOAuthClient(
  input: Readonly<Record<string, unknown>>,
  existing: OAuthClient | null,
  providers: OAuthProviderRegistry,
): Validated<OAuthClientDraft> {
  const r = new InputReader(input, existing as unknown as Record<string, unknown> | null);

  const name = r.text('name');
  if (!name) r.fail('name', 'Enter a name, such as "Support mailbox (Microsoft 365)".');
  else r.check('name', checkText(name, 200));

  const registered = providers.all();
  const provider = r.oneOf('provider', registered.map((p) => p.kind));
  if (!provider) r.fail('provider', `Choose a provider: ${registered.map((p) => p.label).join(', ')}.`);
  const own = providers.find(provider);
  const type = r.oneOf('type', Object.values(OAuthClientType));
  if (!type) r.fail('type', 'Choose a type: Mailbox (IMAP, POP3, SMTP) or User (sign-in).');
  const status = r.oneOf('status', Object.values(RecordStatus), RecordStatus.Enabled) ?? RecordStatus.Enabled;

  const clientId = r.text('clientId');
  if (!clientId) r.fail('clientId', "Enter the Client ID (Azure: the app's Application (client) ID).");
  else r.check('clientId', checkToken(clientId, 512));

  const clientSecret = r.secret('clientSecret', SECRET_MAX);
  if (!clientSecret && !existing?.clientSecretEncrypted) {
    r.fail('clientSecret', "Enter the Client Secret (Azure: the secret's Value, not its Secret ID).");
  }

  // Fields of other providers are stored empty, so a provider switch leaves nothing stale behind.
  const ownField = (field: 'tenantId' | 'allowedMailHosts') => !!own?.fields.includes(field);
  const tenantId = ownField('tenantId') ? r.text('tenantId') : null;
  if (tenantId) r.check('tenantId', checkText(tenantId, 100));

  const scopeSeparator = (r.raw('scopeSeparator') as string | null | undefined) || ' ';
  if (typeof scopeSeparator !== 'string' || [...scopeSeparator].length !== 1) {
    r.fail('scopeSeparator', 'Enter exactly one character, such as a space or a comma.');
  } else if (checkText(scopeSeparator, 1)) r.fail('scopeSeparator', 'Use a visible character or a space.');

  const scope = r.text('scope');
  if (scope) r.check('scope', checkText(scope, 2048));

  const authorizeUrl = r.text('authorizeUrl');
  const tokenUrl = r.text('tokenUrl');
  const userDataEndpoint = r.text('userDataEndpoint');
  for (const [field, value] of [['authorizeUrl', authorizeUrl], ['tokenUrl', tokenUrl], ['userDataEndpoint', userDataEndpoint]] as const) {
    if (value) r.check(field, checkUrl(value));
  }

  const proxy = r.text('proxy');
  if (proxy) r.check('proxy', checkProxy(proxy));
  const verifySsl = r.bool('verifySsl', true);

  const userDataSource = r.oneOf('userDataSource', Object.values(UserDataSource));
  const usernameAttribute = r.text('usernameAttribute');
  if (usernameAttribute) r.check('usernameAttribute', checkToken(usernameAttribute, 200));

  const userFields = r.mapping('userFields', 'claim');
  const userCreateExpression = r.text('userCreateExpression');
  if (userCreateExpression) {
    const problem = checkText(userCreateExpression, 2048, { singleLine: false }) ?? checkCreateExpression(userCreateExpression);
    r.check('userCreateExpression', problem && `This expression cannot run: ${problem}`);
  }
  const loginButtonCaption = r.text('loginButtonCaption');
  if (loginButtonCaption) r.check('loginButtonCaption', checkText(loginButtonCaption, 100));
  const loginButtonIcon = r.text('loginButtonIcon');
  if (loginButtonIcon) {
    r.check('loginButtonIcon', /^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(loginButtonIcon) ? null : checkUrl(loginButtonIcon, 300));
  }
  const relatedLdaps = r.list('relatedLdaps');
  const allowedDomains = r.list('allowedDomains')?.map((d) => d.toLowerCase()) ?? null;
  if (allowedDomains && own && allowedDomains.some((d) => !own.isAllowlistEntry(d))) {
    r.fail('allowedDomains', 'Enter tenant GUIDs or domains such as example.com, separated by commas.');
  }
  const allowedMailHosts = ownField('allowedMailHosts') ? (r.list('allowedMailHosts')?.map((h) => h.toLowerCase()) ?? null) : null;
  const badHost = allowedMailHosts?.map(checkMailHostPattern).find(Boolean);
  if (badHost) r.fail('allowedMailHosts', `${badHost} Enter host names or *.domain patterns, separated by commas.`);

  if (own && type) {
    own.checkFields(
      { type, tenantId, scope, authorizeUrl, tokenUrl, userDataSource, userDataEndpoint, usernameAttribute, allowedDomains },
      (field, message) => r.fail(field, message),
    );
  }

  // The stored secret is sent to the token endpoint: it is never redirected to a new one without being typed again.
  if (existing && !clientSecret && SECRET_DESTINATION_FIELDS.some((f) => ((existing[f]) ?? null) !== ({ provider, tenantId, tokenUrl, proxy }[f] ?? null))) {
    r.fail('clientSecret', 'Enter the Client Secret again: the provider, tenant, token URL or proxy changed, and the stored secret is never sent to a new one.');
  }

  return r.result({
    name: name ?? '',
    provider: provider ?? '',
    type: type ?? 'mailbox',
    status,
    tenantId,
    clientId: clientId ?? '',
    ...(clientSecret ? { clientSecret } : {}),
    scope,
    scopeSeparator,
    authorizeUrl,
    tokenUrl,
    proxy,
    verifySsl,
    userDataSource,
    userDataEndpoint,
    usernameAttribute,
    userFields,
    userCreateExpression,
    loginButtonCaption,
    loginButtonIcon,
    relatedLdaps,
    allowedDomains,
    allowedMailHosts,
  });
}

/** The fields that decide where the client secret is sent. */
const SECRET_DESTINATION_FIELDS = ['provider', 'tenantId', 'tokenUrl', 'proxy'] as const;

/** The fields whose change makes stored tokens meaningless (or dangerous to send). */
export const OAUTH_CLIENT_CREDENTIAL_FIELDS = ['provider', 'tenantId', 'clientId', 'authorizeUrl', 'tokenUrl', 'scope', 'scopeSeparator', 'proxy'] as const;

function checkProxy(value: string): string | null {
  const text = checkText(value, 300);
  if (text) return text;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return 'Enter the proxy as host:port or http://host:port.';
  }
  // Only HTTP CONNECT is implemented; a TLS or SOCKS proxy would fail at the first call instead of here.
  if (url.protocol !== 'http:') return 'Enter an HTTP proxy (host:port or http://host:port): calls are tunnelled with HTTP CONNECT, so https:// and socks5:// proxies are not supported.';
  if (url.username || url.password) return 'Proxy credentials are not supported here; use a proxy that allows this server.';
  if (url.pathname !== '/' || url.search || url.hash) return 'Enter only the proxy host and port.';
  if (!url.port) return 'Add the proxy port, such as proxy.example.com:3128.';
  return checkHost(url.hostname) ?? checkPort(url.port);
}
