import { ImapFlow } from 'imapflow';
import type { MailSession } from '../mail-transport.js';
import { oauthBearer, xoauth2 } from '../sasl.js';

/** An imapflow client, logged in, STARTTLS enforced when chosen, connected through the egress lookup. The caller logs out. */
export async function openImap(s: MailSession): Promise<ImapFlow> {
  if (s.endpoint.kind !== 'socket') throw new Error('IMAP needs a socket endpoint.');
  const { host, port, encryption } = s.endpoint;
  const client = new ImapFlow({
    host,
    port,
    secure: encryption === 'ssl',
    // true: STARTTLS is required, so credentials never go over a plain connection.
    doSTARTTLS: encryption === 'starttls' ? true : encryption === 'none' ? false : undefined,
    auth: s.credential.kind === 'token' ? { user: s.username, accessToken: s.credential.accessToken } : { user: s.username, pass: s.credential.password },
    // imapflow hands `tls` to net.connect/tls.connect as they are, so the egress rule applies to the address it connects to.
    tls: { secureContext: s.secureContext, rejectUnauthorized: true, lookup: s.lookup },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: s.timeoutMs,
    greetingTimeout: s.timeoutMs,
    socketTimeout: s.timeoutMs * 3,
  });
  conformingOAuthLogin(client);
  // imapflow emits 'error' on socket trouble after connect; without a listener it would crash the process.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** The parts of imapflow 2.1.2 (pinned exactly) that its AUTHENTICATE command uses. */
interface ImapConnection {
  commands: Map<string, AuthenticateCommand>;
  capabilities: Map<string, unknown>;
  authCapabilities: Map<string, unknown>;
  servername: string | false;
  host: string;
  port: number;
  state: number;
  states: { NOT_AUTHENTICATED: number };
  write(chunk: string): void;
  exec(command: string, attributes: { type: string; value: string; sensitive?: boolean }[], options: { onPlusTag: (response: { attributes?: { type: string; value: string }[] }) => void | Promise<void> }): Promise<{ next(): void }>;
}
type AuthenticateCommand = (connection: ImapConnection, username: string, options: { accessToken?: string; password?: string }) => Promise<string | undefined>;

/**
 * imapflow 2.1.2 always sends the OAuth initial response on the AUTHENTICATE
 * line, advertised or not. RFC 4959 allows that only when the server offers
 * SASL-IR; otherwise the response goes after the server's empty "+"
 * continuation. This replaces the client's own AUTHENTICATE for tokens (and
 * only on this instance); password logins keep imapflow's, which never uses SASL-IR.
 */
function conformingOAuthLogin(client: ImapFlow): void {
  const c = client as unknown as ImapConnection;
  const original = c.commands.get('AUTHENTICATE')!;
  c.commands = new Map(c.commands).set('AUTHENTICATE', async (connection, username, options) => {
    if (!options.accessToken) return original(connection, username, options);
    if (connection.state !== connection.states.NOT_AUTHENTICATED) return undefined;
    const bearer = connection.capabilities.has('AUTH=OAUTHBEARER');
    if (!bearer && !connection.capabilities.has('AUTH=XOAUTH2') && !connection.capabilities.has('AUTH=XOAUTH')) {
      throw new Error('Unsupported authentication mechanism');
    }
    // imapflow's choice: OAUTHBEARER when offered.
    const mechanism = bearer ? 'OAUTHBEARER' : 'XOAUTH2';
    const response = bearer
      ? oauthBearer(username, connection.servername || connection.host, connection.port, options.accessToken)
      : xoauth2(username, options.accessToken);
    // RFC 7628 §3.2.3 and XOAUTH2: an error challenge is answered with %x01 or an empty line.
    const breaker = bearer ? 'AQ==' : '';
    let responded = connection.capabilities.has('SASL-IR');
    try {
      const done = await connection.exec(
        'AUTHENTICATE',
        [{ type: 'ATOM', value: mechanism }, ...(responded ? [{ type: 'ATOM', value: response, sensitive: true }] : [])],
        {
          onPlusTag: () => {
            // The first "+" without SASL-IR asks for the response; any later one is the server's error challenge.
            if (!responded) {
              responded = true;
              connection.write(response);
            } else connection.write(breaker);
          },
        },
      );
      done.next();
      connection.authCapabilities.set(`AUTH=${mechanism}`, true);
      return username;
    } catch (error) {
      throw describeAuthenticateError(error);
    }
  });
}

/** Marks the failure the way imapflow's own AUTHENTICATE does; a BAD is a malformed command, not a refused token. */
function describeAuthenticateError(error: unknown): unknown {
  if (!error || typeof error !== 'object') return error;
  const e = error as Record<string, unknown> & { response?: { attributes?: { section?: { value?: unknown }[] }[] } };
  const section = e.response?.attributes?.[0]?.section?.[0]?.value;
  if (typeof section === 'string') e.serverResponseCode = section.toUpperCase().trim();
  if (e.responseStatus === 'BAD') e.saslSyntaxError = true;
  else if (e.responseStatus === 'NO') e.authenticationFailed = true;
  return e;
}
