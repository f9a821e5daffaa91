import { isIP } from 'node:net';
import { Client, InvalidCredentialsError, ResultCodeError } from 'ldapts';
import { trustedContext } from '../transports/trusted-ca.js';
import type { ErrorCode } from '../errors/error-codes.js';

/** How to reach and bind to a directory. */
export interface LdapConnectionSettings {
  url: string;
  startTls: boolean;
  bindDn: string | null;
  bindPassword: string | null;
  trustedCa?: string[];
  timeoutMs: number;
}

export type LdapStage = 'connect' | 'tls' | 'bind' | 'search';

/** An expected directory failure, with a message an admin can act on. */
export interface LdapFailure {
  stage: LdapStage;
  code: ErrorCode;
  message: string;
}

/**
 * Connects, upgrades with StartTLS when asked, binds, runs `work` and unbinds.
 * Failures come back as values; the bind password never appears in them.
 */
export async function withLdap<T>(settings: LdapConnectionSettings, work: (client: Client) => Promise<T>): Promise<{ ok: true; value: T } | ({ ok: false } & LdapFailure)> {
  const url = new URL(settings.url);
  // SNI takes names only; an IP address is still checked against the certificate.
  const tlsOptions = { secureContext: trustedContext(settings.trustedCa), ...(isIP(url.hostname) ? {} : { servername: url.hostname }), minVersion: 'TLSv1.2' as const };
  // ldapts opens TLS from the first byte whenever tlsOptions are given, so ldap:// gets them only at StartTLS.
  const client = new Client({ url: settings.url, timeout: settings.timeoutMs, connectTimeout: settings.timeoutMs, ...(url.protocol === 'ldaps:' ? { tlsOptions } : {}) });
  let stage: LdapStage = 'connect';
  try {
    if (settings.startTls && url.protocol === 'ldap:') {
      stage = 'tls';
      await client.startTLS(tlsOptions);
    }
    stage = 'bind';
    // An empty DN binds anonymously.
    await client.bind(settings.bindDn ?? '', settings.bindPassword ?? '');
    stage = 'search';
    return { ok: true, value: await work(client) };
  } catch (error) {
    return { ok: false, ...classify(error, stage, url, settings.timeoutMs) };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

function classify(error: unknown, stage: LdapStage, url: URL, timeoutMs: number): LdapFailure {
  const where = `${url.hostname}:${url.port || (url.protocol === 'ldaps:' ? 636 : 389)}`;
  const code = (error as { code?: unknown }).code;
  const text = error instanceof Error ? error.message : '';
  if (error instanceof InvalidCredentialsError) {
    return { stage: 'bind', code: 'LDAP_BIND_FAILED', message: 'The directory refused Bind DN and Bind Password (invalid credentials). Check both, and that the account is not locked.' };
  }
  if (error instanceof ResultCodeError) {
    if (code === 8 || code === 13) return { stage, code: 'LDAP_BIND_FAILED', message: 'The directory requires an encrypted connection: use ldaps:// or turn on StartTLS.' };
    if (code === 4) return { stage, code: 'LDAP_USER_AMBIGUOUS', message: 'The search matched more entries than allowed.' };
    if (code === 32) return { stage, code: 'LDAP_SEARCH_FAILED', message: 'Base DN does not exist in the directory. Check Base DN.' };
    if (code === 50) return { stage, code: stage === 'bind' ? 'LDAP_BIND_FAILED' : 'LDAP_SEARCH_FAILED', message: 'The bind account may not read there. Check Bind DN and the directory\'s access rules.' };
    if (stage === 'bind' && (code === 48 || code === 53)) return { stage, code: 'LDAP_BIND_FAILED', message: 'The directory does not allow this bind. Enter a Bind DN and Bind Password if anonymous binds are off.' };
    return { stage, code: stage === 'bind' ? 'LDAP_BIND_FAILED' : 'LDAP_SEARCH_FAILED', message: `The directory answered with LDAP result ${String(code)} (${error.name.replace(/Error$/, '')}).` };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { stage: 'connect', code: 'LDAP_HOST_NOT_FOUND', message: `The name ${url.hostname} does not resolve. Check the URL.` };
  if (code === 'ECONNREFUSED') return { stage: 'connect', code: 'LDAP_CONNECT_FAILED', message: `${where} refused the connection. Check the URL and that the directory server is running.` };
  if (/timeout|timed out/i.test(text) || code === 'ETIMEDOUT') {
    return { stage, code: 'LDAP_TIMEOUT', message: `${where} did not answer within ${Math.round(timeoutMs / 1000)} s. Check the URL, the port and any firewall between this server and the directory.` };
  }
  if ((typeof code === 'string' && /CERT|SELF_SIGNED|TLS|SSL|HOSTNAME|ALTNAME/.test(code)) || /certificate|TLS|SSL/i.test(text) || stage === 'tls') {
    return { stage: 'tls', code: 'LDAP_TLS_FAILED', message: `The secure connection to ${where} failed: ${tlsReason(code, text)}. Fix the certificate, or add its CA to the trusted CAs.` };
  }
  return { stage, code: 'LDAP_CONNECT_FAILED', message: `The connection to ${where} failed (${typeof code === 'string' ? code : 'closed'}). Check the URL and the directory server.` };
}

function tlsReason(code: unknown, text: string): string {
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN') return 'the certificate is self-signed';
  if (code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY') return 'the certificate\'s issuer is not trusted';
  if (code === 'CERT_HAS_EXPIRED') return 'the certificate has expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'the certificate is for another name';
  return text ? text.replace(/\s+/g, ' ').slice(0, 120) : 'the handshake was refused';
}
