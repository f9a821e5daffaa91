import { checkHost, checkPort, checkUrl } from './field-rules.js';

describe('field rules', () => {
  it.each([
    ['https://login.example.com/oauth2/token', null],
    ['http://localhost:8080/token', null],
    ['http://127.0.0.1:9000/token', null],
    ['http://[::1]:9000/token', null],
    ['http://login.example.com/token', /https/],
    ['ftp://login.example.com/token', /https/],
    ['data:text/plain,hi', /https/],
    ['file:///etc/passwd', /https/],
    ['//login.example.com', /full URL/],
    ['https://a:b@login.example.com', /user name/],
    ['https://login.example.com/#x', /fragment/],
  ])('checkUrl(%s)', (value, expected) => {
    const result = checkUrl(value);
    if (expected === null) expect(result).toBeNull();
    else expect(result).toMatch(expected);
  });

  it.each([
    ['imap.example.com', true],
    ['127.0.0.1', true],
    ['::1', true],
    ['[2001:db8::1]', true],
    ['mail-1.example.co.uk', true],
    ['-bad.example.com', false],
    ['imap.example.com:993', false],
    ['imap example.com', false],
    ['imap.example.com\r\nA1 LOGOUT', false],
    ['a'.repeat(254), false],
    ['', false],
  ])('checkHost(%j) accepts: %s', (value, ok) => {
    expect(checkHost(value) === null).toBe(ok);
  });

  it.each([[1, true], ['65535', true], [0, false], [65536, false], ['12a', false], [1.5, false], ['', false], [' 25 ', true]])(
    'checkPort(%j) accepts: %s',
    (value, ok) => expect(checkPort(value) === null).toBe(ok),
  );
});
