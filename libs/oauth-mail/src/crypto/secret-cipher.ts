import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretDecryptError } from '../errors/oauth-mail.error.js';
import type { Keyring } from './secret-cipher.keys.js';

/**
 * Where a secret lives. It is bound into the ciphertext as associated data, so
 * a value copied to another row or column no longer decrypts.
 */
export interface SecretLocation {
  readonly table: string;
  readonly rowId: string;
  readonly column: string;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM with a versioned envelope `v1.<kid>.<iv>.<tag>.<ciphertext>`
 * (base64url parts). The key id selects the decrypting key, so keys can rotate.
 */
export class SecretCipher {
  constructor(private readonly keyring: Keyring) {}

  /** Whether a key of this id is configured (current or previous). */
  hasKey(id: string): boolean {
    return this.keyring.byId.has(id);
  }

  get currentKeyId(): string {
    return this.keyring.current.id;
  }

  encrypt(plaintext: string, at: SecretLocation): string {
    const { id, key } = this.keyring.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad(at));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, id, b64(iv), b64(cipher.getAuthTag()), b64(ciphertext)].join('.');
  }

  decrypt(envelope: string, at: SecretLocation): string {
    const parts = parse(envelope, at);
    const entry = this.keyring.byId.get(parts.kid);
    if (!entry) {
      throw new SecretDecryptError(
        `${describe(at)} was encrypted with key id "${parts.kid}", which is not configured. ` +
          'Add that key to the previous keys, or validate the client again.',
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, parts.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(at));
      decipher.setAuthTag(parts.tag);
      return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new SecretDecryptError(`${describe(at)} failed authentication: wrong key or tampered value.`, { cause });
    }
  }

  /** The key id of a stored value, or an error if it is not an envelope. */
  keyIdOf(envelope: string, at: SecretLocation): string {
    return parse(envelope, at).kid;
  }
}

function parse(envelope: string, at: SecretLocation) {
  const parts = typeof envelope === 'string' ? envelope.split('.') : [];
  // The ciphertext part is empty for an empty secret; the others never are.
  if (parts.length !== 5 || parts[0] !== VERSION || !parts.every((p, i) => (i === 4 ? /^[\w-]*$/ : /^[\w-]+$/).test(p))) {
    throw new SecretDecryptError(`${describe(at)} is not an encrypted value of a known format.`);
  }
  const [, kid, iv, tag, ciphertext] = parts;
  const out = { kid, iv: unb64(iv), tag: unb64(tag), ciphertext: unb64(ciphertext) };
  if (out.iv.length !== IV_BYTES || out.tag.length !== TAG_BYTES) {
    throw new SecretDecryptError(`${describe(at)} is not an encrypted value of a known format.`);
  }
  return out;
}

const aad = (at: SecretLocation) => Buffer.from(`${at.table}|${at.rowId}|${at.column}`, 'utf8');
const describe = (at: SecretLocation) => `The secret ${at.table}.${at.column} of row ${at.rowId}`;
const b64 = (buf: Buffer) => buf.toString('base64url');
const unb64 = (text: string) => Buffer.from(text, 'base64url');
