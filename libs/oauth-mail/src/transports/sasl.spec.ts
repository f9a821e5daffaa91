import { escapeSaslName, isSafeSaslUsername, oauthBearer, plain, xoauth2 } from './sasl.js';

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

describe('SASL initial responses', () => {
  it('builds XOAUTH2 as Google documents it', () => {
    // Golden value from Google's XOAUTH2 protocol page.
    expect(xoauth2('someuser@example.com', 'ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg')).toBe(
      'dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==',
    );
  });

  it('builds OAUTHBEARER with the GS2 header, host and port, escaping , and = in the name', () => {
    expect(decode(oauthBearer('user@example.com', 'server.example.com', 143, 'vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=='))).toBe(
      'n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01',
    );
    expect(escapeSaslName('a,b=c')).toBe('a=2Cb=3Dc');
    // \x01 is the SASL separator under test.
    // eslint-disable-next-line no-control-regex
    expect(decode(oauthBearer('a,b=c', 'h', 1, 't'))).toMatch(/^n,a=a=2Cb=3Dc,\x01/);
  });

  it('builds PLAIN and refuses usernames with control characters', () => {
    expect(decode(plain('u', 'p'))).toBe('\0u\0p');
    for (const bad of ['a\x01b', 'a\r\nA1 LOGOUT', 'a\0b', '']) expect(isSafeSaslUsername(bad)).toBe(false);
    expect(isSafeSaslUsername('user@example.com')).toBe(true);
  });
});
