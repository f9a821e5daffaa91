import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { xoauth2 } from '../sasl.js';

/**
 * The name our XOAUTH2 handler is registered under in nodemailer's
 * `customAuth`. Not "XOAUTH2": nodemailer 10 replaces a chosen XOAUTH2 that
 * has no token generator with the first mechanism the server lists.
 */
export const SMTP_XOAUTH2_METHOD = 'OAUTH-MAIL-XOAUTH2';

// RFC 5321 §4.5.3.1.4: a command line, terminating CRLF included.
const MAX_COMMAND = 512;

/**
 * XOAUTH2 for nodemailer as RFC 4954 §4 wants it: the initial response on the
 * AUTH line only when that line fits 512 octets, otherwise after the server's
 * empty 334. An error challenge (a 334 after the response) is answered with
 * an empty line, and the final reply decides.
 */
export async function smtpXOAuth2(ctx: SMTPConnection.CustomAuthenticationContext): Promise<void> {
  const { user, pass: accessToken } = ctx.auth.credentials;
  const response = xoauth2(user, accessToken);
  const withInitial = `AUTH XOAUTH2 ${response}`;
  let reply: SMTPConnection.CustomAuthenticationResponse;
  if (Buffer.byteLength(withInitial) + 2 <= MAX_COMMAND) reply = await ctx.sendCommand(withInitial);
  else {
    reply = await ctx.sendCommand('AUTH XOAUTH2');
    if (reply.status === 334) reply = await ctx.sendCommand(response);
  }
  if (reply.status === 334) reply = await ctx.sendCommand('');
  if (reply.status !== 235) throw new Error('Authentication failed');
}
