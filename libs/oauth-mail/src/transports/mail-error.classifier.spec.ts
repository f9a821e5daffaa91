import { EgressBlockedError } from '../egress/egress-policy.js';
import { readImapError } from './imap/imap.transport.js';
import { classifyMailError, passwordRefusedHint, refusedLoginMessage, sentence, type MailErrorReading } from './mail-error.classifier.js';
import { Pop3Error } from './pop3/pop3.client.js';
import { readPop3Error } from './pop3/pop3.transport.js';
import { readSmtpError } from './smtp/smtp.transport.js';

const place = { protocol: 'smtp' as const, host: 'mail.example.com', port: 587 };
const smtp = (code: string, responseCode: number, response: string) => Object.assign(new Error(response), { code, responseCode, response });

describe(classifyMailError.name, () => {
  it.each<[string, unknown, (e: unknown) => MailErrorReading, { stage: string; code: string }]>([
    ['SMTP 535 is a refused login', smtp('EAUTH', 535, '535 5.7.8 Authentication failed'), readSmtpError, { stage: 'auth', code: 'MAIL_AUTH_FAILED' }],
    ['SMTP 534 is a refused login', smtp('EAUTH', 534, '534 5.7.9 Please log in with your web browser'), readSmtpError, { stage: 'auth', code: 'MAIL_AUTH_FAILED' }],
    ['SMTP 500 to AUTH is a malformed command', smtp('EAUTH', 500, '500 5.5.2 Line too long'), readSmtpError, { stage: 'auth', code: 'MAIL_PROTOCOL_ERROR' }],
    ['SMTP 501 to AUTH is a malformed command', smtp('EAUTH', 501, '501 5.5.4 Syntax error'), readSmtpError, { stage: 'auth', code: 'MAIL_PROTOCOL_ERROR' }],
    ['SMTP 504 to AUTH is a malformed command', smtp('EAUTH', 504, '504 5.5.4 Unrecognized authentication type'), readSmtpError, { stage: 'auth', code: 'MAIL_PROTOCOL_ERROR' }],
    ['SMTP 454 is temporary', smtp('EAUTH', 454, '454 4.7.0 Temporary authentication failure'), readSmtpError, { stage: 'auth', code: 'MAIL_AUTH_UNAVAILABLE' }],
    ['IMAP NO [AUTHENTICATIONFAILED]', { authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED', responseText: 'Authentication failed.' }, readImapError, { stage: 'auth', code: 'MAIL_AUTH_FAILED' }],
    ['IMAP BAD to AUTHENTICATE', { saslSyntaxError: true, responseText: 'Invalid characters' }, readImapError, { stage: 'auth', code: 'MAIL_PROTOCOL_ERROR' }],
    ['IMAP [UNAVAILABLE]', { authenticationFailed: true, serverResponseCode: 'UNAVAILABLE' }, readImapError, { stage: 'auth', code: 'MAIL_AUTH_UNAVAILABLE' }],
    ['POP3 -ERR [SYS/TEMP]', new Pop3Error('Temporary authentication failure.', 'auth', 'SYS/TEMP'), readPop3Error, { stage: 'auth', code: 'MAIL_AUTH_UNAVAILABLE' }],
    ['POP3 no STLS', new Pop3Error('no STLS', 'tls', 'NO-STLS'), readPop3Error, { stage: 'tls', code: 'MAIL_STARTTLS_UNAVAILABLE' }],
    ['a connect-time egress refusal', new EgressBlockedError('mail.example.com (169.254.1.1) is in a network this server never connects to.'), readSmtpError, { stage: 'connect', code: 'EGRESS_BLOCKED' }],
    ['an unresolvable name', Object.assign(new Error('x'), { code: 'ENOTFOUND' }), readSmtpError, { stage: 'connect', code: 'MAIL_HOST_NOT_FOUND' }],
  ])('%s', (_name, error, read, expected) => {
    expect(classifyMailError(error, place, read(error))).toMatchObject(expected);
  });

  it('never repeats a credential from the server\'s text', () => {
    const error = smtp('EAUTH', 535, '535 AUTH XOAUTH2 dXNlcj1zZWNyZXQ= refused');
    expect(classifyMailError(error, place, readSmtpError(error)).message).not.toContain('dXNlcj1zZWNyZXQ=');
  });
});

describe('the message of a refused login', () => {
  it.each([
    ['Authentication failed.', 'The server refused the login: Authentication failed.'],
    ['Authentication failed', 'The server refused the login: Authentication failed.'],
    ['Authentication failed...', 'The server refused the login: Authentication failed.'],
    ['Authentication failed. ', 'The server refused the login: Authentication failed.'],
    ['[AUTHENTICATIONFAILED] Authentication failed:', 'The server refused the login: [AUTHENTICATIONFAILED] Authentication failed.'],
    ['Login refused!', 'The server refused the login: Login refused!'],
    ['', 'The server refused the login.'],
  ])('ends in one full stop whatever the server said (%j)', (text, expected) => {
    expect(refusedLoginMessage(text)).toBe(expected);
  });

  it('keeps a transport\'s hint as its own sentence', () => {
    expect(refusedLoginMessage('5.7.139 Authentication unsuccessful.', 'Enable Authenticated SMTP')).toBe('The server refused the login: 5.7.139 Authentication unsuccessful. Enable Authenticated SMTP.');
  });

  it('says so for an IMAP server\'s own "Authentication failed." (Dovecot)', () => {
    const error = { authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED', responseText: 'Authentication failed.' };
    const { message } = classifyMailError(error, { ...place, protocol: 'imap' }, readImapError(error));
    expect(message).toBe('The server refused the login: Authentication failed.');
  });

  it('names the username and the password after a refused password', () => {
    const hint = passwordRefusedHint({ username: 'pw@example.test', host: 'mail.example.com' });
    expect(hint).toBe('Check the Username (pw@example.test) and the Password: enter the password again and save.');
    expect(`${refusedLoginMessage('Authentication failed.')} ${hint}`).not.toMatch(/\.\./);
  });

  it.each([
    ['outlook.office365.com', 'Azure (Microsoft 365)'],
    ['imap.gmail.com', 'Google'],
  ])('on %s, says that passwords are usually refused there and to use an OAuth client', (host, providerLabel) => {
    const hint = passwordRefusedHint({ username: 'alice@contoso.com', host, providerLabel });
    expect(hint).toMatch(/^Check the Username \(alice@contoso\.com\) and the Password/);
    expect(hint).toContain(`${host} is a mail server of ${providerLabel}, where password logins are usually refused`);
    expect(hint).toMatch(/OAuth client/);
    expect(hint).not.toMatch(/\.\./);
  });

  it('ends other server answers in one full stop too', () => {
    expect(sentence('The server answered unexpectedly: BYE.')).toBe('The server answered unexpectedly: BYE.');
    expect(sentence('  ')).toBe('');
  });
});
