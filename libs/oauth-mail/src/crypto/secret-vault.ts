import { Inject, Injectable } from '@nestjs/common';
import { OAuthMailError } from '../errors/oauth-mail.error.js';
import { SECRET_COLUMNS } from './secret-columns.js';
import { SecretCipher } from './secret-cipher.js';

type SecretEntity = (typeof SECRET_COLUMNS)[number]['entity'];
type Row = { id: string };

/**
 * Encrypts and decrypts the secret columns of entity rows; the only place that
 * knows where a secret lives, so every value is bound to its table, row and column.
 */
@Injectable()
export class SecretVault {
  constructor(@Inject(SecretCipher) private readonly cipher: SecretCipher) {}

  seal(entity: SecretEntity, rowId: string, column: string, plaintext: string): string {
    return this.cipher.encrypt(plaintext, this.location(entity, rowId, column));
  }

  open(entity: SecretEntity, row: Row, column: string): string | null {
    const value = (row as unknown as Record<string, string | null>)[column];
    return value == null ? null : this.cipher.decrypt(value, this.location(entity, row.id, column));
  }

  /** Re-encrypts a value under the current key; null when it already is. */
  reseal(entity: SecretEntity, row: Row, column: string): string | null {
    const value = (row as unknown as Record<string, string | null>)[column];
    if (value == null) return null;
    const at = this.location(entity, row.id, column);
    if (this.cipher.keyIdOf(value, at) === this.cipher.currentKeyId) return null;
    return this.cipher.encrypt(this.cipher.decrypt(value, at), at);
  }

  private location(entity: SecretEntity, rowId: string, column: string) {
    const entry = SECRET_COLUMNS.find((e) => e.entity === entity);
    if (!entry || !(entry.columns as readonly string[]).includes(column)) {
      throw new OAuthMailError('CONFIGURATION_INVALID', `${entity.name}.${column} is not a registered secret column.`);
    }
    return { table: entry.table, rowId, column };
  }
}
