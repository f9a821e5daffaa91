import { usernameClaim } from '../sso/oauth-sign-in.service.js';
import { checkCreateExpression } from './cel-environment.js';
import { evaluateCreateExpression } from './create-expression.evaluator.js';
import { mapUserFields } from './user-fields.mapper.js';

const claims = { email: 'ann@example.test', hd: 'example.test', groups: ['staff'], email_verified: true, sub: '123' };

describe(evaluateCreateExpression.name, () => {
  it('allows, denies, or allows with fields', async () => {
    expect(await evaluateCreateExpression('claims.email.endsWith("@example.test")', claims)).toEqual({ allow: true, fields: {} });
    expect(await evaluateCreateExpression('claims.hd == "other.test"', claims)).toMatchObject({ allow: false, reason: 'denied' });
    const withRole = await evaluateCreateExpression('"staff" in claims.groups ? {"role": "admin"} : {"role": "viewer"}', claims);
    expect(withRole).toMatchObject({ allow: true, fields: { role: 'admin' } });
  });

  it('fails closed on errors, wrong result types and missing claims', async () => {
    for (const expression of ['claims.missing.deep == 1', 'claims.email +', '"a string"', '42', '[1, 2]', 'claims.email.size() / 0 == 1']) {
      expect(await evaluateCreateExpression(expression, claims)).toMatchObject({ allow: false, reason: 'error' });
    }
  });

  it('gives the expression no way to reach code, the process or prototypes', async () => {
    for (const expression of ['claims.constructor', 'process.env', 'globalThis', 'claims.__proto__', 'require("child_process")']) {
      expect(await evaluateCreateExpression(expression, claims)).toMatchObject({ allow: false });
    }
    const polluted = await evaluateCreateExpression('{"__proto__": "x", "role": "viewer"}', claims);
    expect(polluted).toMatchObject({ allow: true, fields: { role: 'viewer' } });
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });

  it('stops at the time limit and refuses over-long expressions', async () => {
    expect(await evaluateCreateExpression('true', claims, { timeoutMs: 1 })).toMatchObject({ allow: false, detail: expect.stringMatching(/longer than 1 ms/) });
    expect(await evaluateCreateExpression(`true ${'&& true '.repeat(400)}`, claims)).toMatchObject({ allow: false, detail: expect.stringMatching(/longer than 2048/) });
  });

  it('refuses huge claims, and an expression that explodes in time or memory ends without harming the process', async () => {
    const huge = { ...claims, groups: Array.from({ length: 20_000 }, (_, i) => `group-${i}`) };
    expect(await evaluateCreateExpression('true', huge)).toMatchObject({ allow: false, detail: expect.stringMatching(/claims are larger/) });
    const wide = { ...claims, groups: Array.from({ length: 2000 }, (_, i) => `g${i}`) };
    const explode = 'claims.groups.map(a, claims.groups.map(b, claims.groups.map(c, a + b + c))).size() > 0';
    const started = Date.now();
    expect(await evaluateCreateExpression(explode, wide)).toMatchObject({ allow: false, reason: 'error' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await evaluateCreateExpression('true', claims)).toMatchObject({ allow: true });
  });

  it('ends a catastrophic regular expression on a 50 KB claim at the time limit (M4)', async () => {
    const big = { ...claims, note: `${'a'.repeat(50_000)}!` };
    expect(await evaluateCreateExpression('claims.note.matches("^(a+)+$")', big)).toMatchObject({ allow: false, reason: 'error' });
  });

  it('cleans returned fields: no line breaks, invisible marks or over-long values (M5)', async () => {
    const decision = await evaluateCreateExpression('{"name": "Eve\\r\\nX-Admin: yes\u200b", "title": "' + 'x'.repeat(400) + '"}', claims);
    expect(decision).toMatchObject({ allow: true, fields: { name: 'Eve  X-Admin: yes' } });
    expect((decision as { fields: Record<string, string> }).fields.title).toHaveLength(320);
  });

  it('sees the Related LDAP entry as directory', async () => {
    expect(await evaluateCreateExpression('directory.role == "admin" ? dyn({"role": "admin"}) : dyn(false)', claims, { directory: { role: 'admin' } })).toMatchObject({ allow: true, fields: { role: 'admin' } });
    expect(await evaluateCreateExpression('directory.role == "admin"', claims)).toMatchObject({ allow: false });
  });
});

describe(mapUserFields.name, () => {
  it('copies mapped scalar claims only, onto an object without prototype', () => {
    const out = mapUserFields({ email: 'email', name: 'missing', group: 'groups', verified: 'email_verified', __proto__x: 'sub' }, claims);
    expect({ ...out }).toEqual({ email: 'ann@example.test', verified: 'true', __proto__x: '123' });
    expect(Object.getPrototypeOf(out)).toBeNull();
    const hostile = mapUserFields({ name: 'name', email: 'email' }, { name: 'Mallory\r\nBcc: x\u202e', email: ['a@example.test', 'b@example.test'] });
    expect({ ...hostile }).toEqual({ name: 'Mallory  Bcc: x' });
  });
});

describe(checkCreateExpression.name, () => {
  it('accepts what can run, and says why the rest cannot, before it is saved', () => {
    for (const ok of ['true', 'claims.email.endsWith("@example.com")', 'claims.hd == "x" ? dyn({"role": "admin"}) : dyn(false)', 'directory.role == "admin"']) {
      expect(checkCreateExpression(ok)).toBeNull();
    }
    expect(checkCreateExpression('process.env')).toBe('Unknown variable: process');
    expect(checkCreateExpression('claims.email +')).toMatch(/Unexpected token/);
    expect(checkCreateExpression('claims.hd == "x" ? {"role": "admin"} : false')).toMatch(/Ternary branches must have the same type/);
    expect(checkCreateExpression('"a string"')).toMatch(/gives a string; it must give true, false or a map/);
    expect(checkCreateExpression(`${'('.repeat(40)}true${')'.repeat(40)}`)).toMatch(/maxDepth/);
  });
});

describe(usernameClaim.name, () => {
  it('takes no unverified e-mail as a username (directories are searched by it)', () => {
    expect(usernameClaim({ email: 'ann@example.com', email_verified: true }, 'email')).toBe('ann@example.com');
    expect(usernameClaim({ email: 'ann@example.com' }, 'email')).toBe('ann@example.com');
    expect(usernameClaim({ email: 'ann@example.com', email_verified: false }, 'email')).toBeNull();
    expect(usernameClaim({ email: 'ann@example.com', email_verified: 'false' }, 'email')).toBeNull();
    expect(usernameClaim({ preferred_username: 'ann@contoso.com', email_verified: false }, 'preferred_username')).toBe('ann@contoso.com');
  });
});
