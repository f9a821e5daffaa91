// SASL initial responses for mail logins. Only the POP3 client builds them:
// imapflow and nodemailer build their own from the same user and token.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Control characters (notably \x01, CR, LF) would break SASL framing or inject commands. */
export function isSafeSaslUsername(user: string): boolean {
  return !!user && !CONTROL.test(user);
}

/** RFC 5801 §4: ',' and '=' in a saslname. */
export const escapeSaslName = (name: string) => name.replace(/=/g, '=3D').replace(/,/g, '=2C');

/** Google/Microsoft XOAUTH2: `user=…^Aauth=Bearer …^A^A`. */
export const xoauth2 = (user: string, accessToken: string) =>
  Buffer.from(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`, 'utf8').toString('base64');

/** RFC 7628 §3.1 OAUTHBEARER with GS2 header, host and port. */
export const oauthBearer = (user: string, host: string, port: number, accessToken: string) =>
  Buffer.from(`n,a=${escapeSaslName(user)},\x01host=${host}\x01port=${port}\x01auth=Bearer ${accessToken}\x01\x01`, 'utf8').toString('base64');

/** RFC 4616 PLAIN. */
export const plain = (user: string, password: string) => Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64');
