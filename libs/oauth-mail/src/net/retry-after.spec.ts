import { retryAfterMs } from './retry-after.js';

describe(retryAfterMs.name, () => {
  const now = Date.parse('2026-12-06T10:00:00Z');

  it('reads delay-seconds and the three HTTP date forms', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Sun, 06 Dec 2026 10:02:00 GMT', now)).toBe(120_000);
    expect(retryAfterMs('Sunday, 06-Dec-26 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Sun Dec  6 10:01:00 2026', now)).toBe(60_000);
  });

  it('makes a past date no wait, and ignores what is neither', () => {
    expect(retryAfterMs('Sun, 06 Dec 2026 09:00:00 GMT', now)).toBe(0);
    for (const junk of [undefined, '', '-5', '1.5', 'soon', '2026-12-06T10:02:00Z', 'Sun, 99 Foo 2026']) expect(retryAfterMs(junk, now)).toBeNull();
    expect(retryAfterMs(['7', '9'], now)).toBe(7000);
  });
});
