import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { smtpXOAuth2 } from './smtp-xoauth2.auth.js';

/** A scripted submission server: each command is answered by `reply`. */
function context(token: string, reply: (cmd: string) => number) {
  const sent: string[] = [];
  const ctx = {
    auth: { credentials: { user: 'u@example.com', pass: token } },
    sendCommand: async (cmd: string) => {
      sent.push(cmd);
      const status = reply(cmd);
      return { command: cmd, response: `${status} x`, status, text: 'x' };
    },
  } as unknown as SMTPConnection.CustomAuthenticationContext;
  return { ctx, sent };
}

describe(smtpXOAuth2.name, () => {
  it('puts a short response on the AUTH line (at most 512 octets with CRLF)', async () => {
    const { ctx, sent } = context('short', () => 235);
    await smtpXOAuth2(ctx);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^AUTH XOAUTH2 \S+$/);
  });

  it('sends a long response after the server\'s 334 (RFC 4954 §4)', async () => {
    const token = 'j'.repeat(2048);
    const { ctx, sent } = context(token, (cmd) => (cmd === 'AUTH XOAUTH2' ? 334 : 235));
    await smtpXOAuth2(ctx);
    expect(sent).toEqual(['AUTH XOAUTH2', Buffer.from(`user=u@example.com\x01auth=Bearer ${token}\x01\x01`).toString('base64')]);
  });

  it('answers an error challenge with an empty line and fails on the final reply', async () => {
    let n = 0;
    const { ctx, sent } = context('short', () => (n++ === 0 ? 334 : 535));
    await expect(smtpXOAuth2(ctx)).rejects.toThrow(/Authentication failed/);
    expect(sent.at(-1)).toBe('');
  });
});
