import { SecretDecryptError, ConfigurationError } from '../errors/oauth-mail.error.js';
import { createKeyring, generateEncryptionKeySpec, parseEncryptionKey } from './secret-cipher.keys.js';
import { SecretCipher } from './secret-cipher.js';

const KEY_A = 'a:' + Buffer.alloc(32, 1).toString('base64');
const KEY_B = 'b:' + Buffer.alloc(32, 2).toString('base64');
const at = { table: 'oauth_client', rowId: 'row-1', column: 'clientSecretEncrypted' };

describe(SecretCipher.name, () => {
  const sut = new SecretCipher(createKeyring(KEY_A));

  it('round-trips text, including non-ASCII and empty strings, with a fresh IV each time', () => {
    for (const text of ['s3cret', '', 'pässwörd ✓ 秘密', 'x'.repeat(10_000)]) {
      const sealed = sut.encrypt(text, at);
      expect(sealed).toMatch(/^v1\.a\.[\w-]+\.[\w-]+\.[\w-]*$/);
      expect(sut.decrypt(sealed, at)).toBe(text);
    }
    expect(sut.encrypt('same', at)).not.toBe(sut.encrypt('same', at));
  });

  it('detects tampering with the ciphertext, the tag or the IV', () => {
    const [v, kid, iv, tag, ct] = sut.encrypt('secret value', at).split('.');
    const flip = (part: string) => {
      const buf = Buffer.from(part, 'base64url');
      buf[0] ^= 1;
      return buf.toString('base64url');
    };
    for (const forged of [[v, kid, iv, tag, flip(ct)], [v, kid, iv, flip(tag), ct], [v, kid, flip(iv), tag, ct]]) {
      expect(() => sut.decrypt(forged.join('.'), at)).toThrow(SecretDecryptError);
    }
  });

  it('binds a value to its row and column: a copy elsewhere does not decrypt', () => {
    const sealed = sut.encrypt('secret value', at);
    expect(() => sut.decrypt(sealed, { ...at, rowId: 'row-2' })).toThrow(/failed authentication/);
    expect(() => sut.decrypt(sealed, { ...at, column: 'accessTokenEncrypted' })).toThrow(SecretDecryptError);
  });

  it('never reads an unknown format as plain text', () => {
    for (const value of ['plain secret', '', 'v2.a.x.y.z', 'v1.a.x.y', 'v1.a.!!.y.z', 'v1.a.AAAA.AAAA.AAAA']) {
      expect(() => sut.decrypt(value, at)).toThrow(SecretDecryptError);
    }
  });

  it('decrypts with a previous key after rotation, and says which key id is missing otherwise', () => {
    const old = new SecretCipher(createKeyring(KEY_A)).encrypt('old secret', at);
    const rotated = new SecretCipher(createKeyring(KEY_B, [KEY_A]));
    expect(rotated.decrypt(old, at)).toBe('old secret');
    expect(rotated.keyIdOf(rotated.encrypt('new', at), at)).toBe('b');
    const withoutA = new SecretCipher(createKeyring(KEY_B));
    expect(() => withoutA.decrypt(old, at)).toThrow(/key id "a", which is not configured/);
  });

  it('fails with the wrong key under the same id', () => {
    const other = new SecretCipher(createKeyring('a:' + Buffer.alloc(32, 9).toString('base64')));
    expect(() => other.decrypt(sut.encrypt('x', at), at)).toThrow(/wrong key or tampered/);
  });

  it('never puts the plaintext in an error message', () => {
    const sealed = sut.encrypt('CANARY-PLAINTEXT', at);
    try {
      new SecretCipher(createKeyring(KEY_B)).decrypt(sealed, at);
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('CANARY');
    }
  });
});

describe(parseEncryptionKey.name, () => {
  it('reads base64 and hex keys, with or without an id, and derives a stable id', () => {
    const hex = Buffer.alloc(32, 3).toString('hex');
    expect(parseEncryptionKey(`k1:${hex}`).key).toEqual(Buffer.alloc(32, 3));
    expect(parseEncryptionKey(Buffer.alloc(32, 3).toString('base64')).id).toBe(parseEncryptionKey(hex).id);
    expect(parseEncryptionKey(generateEncryptionKeySpec()).key).toHaveLength(32);
  });

  it('refuses short keys, bad ids and two keys under one id', () => {
    expect(() => parseEncryptionKey('a:' + Buffer.alloc(16).toString('base64'))).toThrow(ConfigurationError);
    expect(() => parseEncryptionKey('not a key')).toThrow(/32 bytes/);
    expect(() => parseEncryptionKey('bad id!:' + Buffer.alloc(32).toString('base64'))).toThrow(/key id/);
    expect(() => createKeyring(KEY_A, ['a:' + Buffer.alloc(32, 5).toString('base64')])).toThrow(/share the key id/);
  });
});
