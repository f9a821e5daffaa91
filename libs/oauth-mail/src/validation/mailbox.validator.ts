import type { Mailbox } from '../entities/mailbox.entity.js';
import {
  DEFAULT_PORTS,
  MailDirection,
  MailEncryption,
  MailProtocol,
  PROTOCOLS_BY_DIRECTION,
} from '../entities/mailbox.enums.js';
import type { OAuthClient } from '../entities/oauth-client.entity.js';
import { RecordStatus } from '../entities/oauth-client.enums.js';
import type { MailboxField } from '../transports/mail-transport.js';
import { checkEmail, checkHost, checkPort, checkText } from './field-rules.js';
import { InputReader, type Validated } from './input-reader.js';

/** The editable fields of a mailbox, normalized. `password` is set only when a new one was typed. */
export interface MailboxDraft {
  name: string;
  direction: MailDirection;
  status: RecordStatus;
  protocol: MailProtocol;
  host: string;
  port: number;
  encryption: MailEncryption;
  username: string;
  password?: string;
  oauthClientId: string | null;
  folder: string | null;
  emailDisplay: string | null;
  displayName: string | null;
}

export const MAILBOX_EDITABLE_FIELDS = [
  'name', 'direction', 'status', 'protocol', 'host', 'port', 'encryption', 'username', 'password',
  'oauthClientId', 'folder', 'emailDisplay', 'displayName',
] as const;

/** The OAuth client the input points at: the row, or 'missing' when the id matches none. */
export type OAuthClientLookup = OAuthClient | 'missing' | null;

// Ports that only make sense with TLS from the first byte, and ports that never do.
const IMPLICIT_TLS_PORTS = new Set([993, 995, 465]);
const PLAIN_START_PORTS = new Set([143, 110, 587, 25]);

/**
 * Checks a mailbox create or update. Absent fields keep `existing` values; the
 * password is needed only without an OAuth client and kept when left empty.
 */
export function validateMailbox(
  input: Readonly<Record<string, unknown>>,
  existing: Mailbox | null,
  oauthClient: OAuthClientLookup,
  rules: {
    /** The fields the protocol's transport reads beyond the common ones. */
    transportFields: (protocol: MailProtocol) => readonly MailboxField[];
    /** Why the OAuth client's tokens may not be sent to a host (its provider's rule), or null. */
    tokenHostRefusal: (client: OAuthClient, host: string) => string | null;
  },
): Validated<MailboxDraft> {
  const r = new InputReader(input, existing as unknown as Record<string, unknown> | null);

  const name = r.text('name');
  if (!name) r.fail('name', 'Enter a name, such as "Support inbox".');
  else r.check('name', checkText(name, 200));

  const direction = r.oneOf('direction', Object.values(MailDirection));
  if (!direction) r.fail('direction', 'Choose Incoming (IMAP, POP3) or Outgoing (SMTP).');
  const status = r.oneOf('status', Object.values(RecordStatus), RecordStatus.Enabled) ?? RecordStatus.Enabled;

  const allowed = direction ? PROTOCOLS_BY_DIRECTION[direction] : Object.values(MailProtocol);
  const protocol = r.oneOf('protocol', Object.values(MailProtocol));
  if (!protocol) r.fail('protocol', direction === 'outgoing' ? 'Choose SMTP.' : 'Choose IMAP or POP3.');
  else if (!allowed.includes(protocol)) {
    r.fail('protocol', direction === 'outgoing' ? 'An outgoing mailbox uses SMTP.' : 'An incoming mailbox uses IMAP or POP3.');
  }

  const encryption = r.oneOf('encryption', Object.values(MailEncryption));
  if (!encryption) r.fail('encryption', 'Choose SSL/TLS, STARTTLS or None.');

  const host = r.text('host') ?? '';
  r.check('host', checkHost(host));

  let port = NaN;
  const rawPort = r.raw('port');
  if (rawPort === undefined || rawPort === null || rawPort === '') {
    if (protocol && encryption) port = DEFAULT_PORTS[protocol][encryption];
  } else if (!r.errors.port) {
    const error = checkPort(rawPort);
    r.check('port', error);
    if (!error) port = Number(rawPort);
  }
  if (Number.isInteger(port) && encryption && protocol && !r.errors.port) {
    if (encryption === 'ssl' && PLAIN_START_PORTS.has(port)) {
      r.fail('port', `Port ${port} expects a plain start; with SSL/TLS use ${DEFAULT_PORTS[protocol].ssl}, or choose STARTTLS.`);
    } else if (encryption !== 'ssl' && IMPLICIT_TLS_PORTS.has(port)) {
      r.fail('port', `Port ${port} expects TLS from the start: choose SSL/TLS, or use port ${DEFAULT_PORTS[protocol].starttls}.`);
    }
  }

  const username = r.text('username');
  if (!username) r.fail('username', 'Enter the username, usually the mailbox e-mail address.');
  else r.check('username', checkText(username, 320) ?? (/\s/.test(username) ? 'Must not contain spaces.' : null));

  const oauthClientId = r.text('oauthClientId');
  if (oauthClientId) {
    if (oauthClient === 'missing' || !oauthClient) r.fail('oauthClientId', 'That OAuth client does not exist any more: choose another.');
    else if (oauthClient.type !== 'mailbox') {
      r.fail('oauthClientId', 'Choose an OAuth client of type Mailbox; this one is for user sign-in.');
    }
    if (encryption === 'none') {
      r.fail('encryption', 'OAuth tokens are sent only over an encrypted connection: choose SSL/TLS or STARTTLS.');
    }
    if (oauthClient && oauthClient !== 'missing' && host && !r.errors.host) r.check('host', rules.tokenHostRefusal(oauthClient, host));
  }

  const password = r.secret('password', 1024);
  if (!oauthClientId && !password && !existing?.passwordEncrypted) {
    r.fail('password', 'Enter the password, or choose an OAuth client to sign in with.');
  } else if (!oauthClientId && !password && existing && existing.host.toLowerCase() !== host.toLowerCase()) {
    // A write-only password must not be redirected to a server of the editor's choosing.
    r.fail('password', 'Enter the password again: the stored one is never sent to a new Host.');
  }

  const folder = protocol && rules.transportFields(protocol).includes('folder') ? (r.text('folder') ?? 'INBOX') : null;
  if (folder) r.check('folder', checkText(folder, 255));

  const outgoing = direction === 'outgoing';
  const emailDisplay = outgoing ? r.text('emailDisplay') : null;
  if (emailDisplay) r.check('emailDisplay', checkEmail(emailDisplay));
  const displayName = outgoing ? r.text('displayName') : null;
  if (displayName) r.check('displayName', checkText(displayName, 200));

  return r.result({
    name: name ?? '',
    direction: direction ?? 'incoming',
    status,
    protocol: protocol ?? 'imap',
    host,
    port,
    encryption: encryption ?? 'ssl',
    username: username ?? '',
    ...(password ? { password } : {}),
    oauthClientId,
    folder,
    emailDisplay,
    displayName,
  });
}
