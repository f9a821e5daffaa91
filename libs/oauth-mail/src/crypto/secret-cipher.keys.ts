import { createHash, randomBytes } from 'node:crypto';
import { ConfigurationError } from '../errors/oauth-mail.error.js';

/** One AES-256 key and the id written into every value it encrypts. */
export interface EncryptionKey {
  readonly id: string;
  readonly key: Buffer;
}

/** The key that encrypts, then the older keys that may still decrypt. */
export interface Keyring {
  readonly current: EncryptionKey;
  readonly byId: ReadonlyMap<string, EncryptionKey>;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parses `<kid>:<base64 or hex of 32 bytes>`, or the bare key (its id is then
 * derived from its hash, so the same key always gets the same id).
 */
export function parseEncryptionKey(spec: string, label = 'encryption key'): EncryptionKey {
  const text = spec.trim();
  const colon = text.indexOf(':');
  const id = colon > 0 ? text.slice(0, colon) : undefined;
  const material = colon > 0 ? text.slice(colon + 1) : text;
  if (id !== undefined && !KEY_ID.test(id)) {
    throw new ConfigurationError(`The ${label} has an invalid key id: use 1-32 letters, digits, '-' or '_'.`);
  }
  const key = /^[0-9a-fA-F]{64}$/.test(material) ? Buffer.from(material, 'hex') : Buffer.from(material, 'base64');
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(material) && !/^[A-Za-z0-9+/_-]+={0,2}$/.test(material))) {
    throw new ConfigurationError(
      `The ${label} must be 32 bytes written as base64 or 64 hex characters, optionally prefixed by "<key id>:". ` +
        `Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`,
    );
  }
  return { id: id ?? `k${createHash('sha256').update(key).digest('hex').slice(0, 8)}`, key };
}

/** Builds a keyring; the first key encrypts, all of them decrypt. */
export function createKeyring(current: string, previous: readonly string[] = []): Keyring {
  const first = parseEncryptionKey(current);
  const byId = new Map<string, EncryptionKey>([[first.id, first]]);
  previous.forEach((spec, i) => {
    const key = parseEncryptionKey(spec, `previous encryption key #${i + 1}`);
    const known = byId.get(key.id);
    if (known && !known.key.equals(key.key)) {
      throw new ConfigurationError(`Two different encryption keys share the key id "${key.id}".`);
    }
    byId.set(key.id, key);
  });
  return { current: first, byId };
}

/** A new random key in the `<kid>:<base64>` form that `parseEncryptionKey` reads. */
export function generateEncryptionKeySpec(): string {
  const key = randomBytes(32);
  return `k${createHash('sha256').update(key).digest('hex').slice(0, 8)}:${key.toString('base64')}`;
}
