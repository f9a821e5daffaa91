import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConfigurationError } from '../errors/oauth-mail.error.js';
import { SecretCipher } from './secret-cipher.js';
import { SECRET_COLUMNS } from './secret-columns.js';
import { SecretVault } from './secret-vault.js';

export interface RotationReport {
  /** Encrypted values read. */
  checked: number;
  /** Values re-encrypted under the current key. */
  rewritten: number;
}

const PAGE = 200;

/**
 * Re-encrypts every secret column under the current key. Idempotent: values
 * already under the current key are left alone, so a run killed half-way can
 * simply be run again. A value no configured key opens stops the run.
 */
@Injectable()
export class SecretRotationService implements OnApplicationBootstrap {
  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: SecretVault,
    private readonly cipher: SecretCipher,
  ) {}

  /**
   * Refuses to start when the database holds values under a key id the keyring
   * lacks: every mailbox and client using them would fail one by one, later.
   */
  async onApplicationBootstrap(): Promise<void> {
    const missing = await this.missingKeys();
    if (!missing.length) return;
    const list = missing.map((m) => `"${m.keyId}" (${m.columns.join(', ')})`).join('; ');
    throw new ConfigurationError(
      `The database holds secrets encrypted with key ids that are not configured: ${list}. ` +
        'Add those keys to the previous encryption keys (OAUTH_MAIL_ENCRYPTION_KEYS_PREVIOUS), or restore the key that was replaced.',
    );
  }

  /** The key ids used in encrypted columns that no configured key has, with the columns that use each: one DISTINCT query per column. */
  async missingKeys(): Promise<{ keyId: string; columns: string[] }[]> {
    const postgres = this.dataSource.options.type === 'postgres';
    const missing = new Map<string, string[]>();
    for (const { table, columns } of SECRET_COLUMNS) {
      for (const column of columns) {
        // The envelope is `v1.<kid>.…`: the key id is its second dot-separated part.
        const kid = postgres ? `split_part("${column}", '.', 2)` : `substr("${column}", 4, instr(substr("${column}", 4), '.') - 1)`;
        const rows: { kid: string }[] = await this.dataSource.query(`SELECT DISTINCT ${kid} AS kid FROM "${table}" WHERE "${column}" IS NOT NULL`);
        for (const { kid: id } of rows) {
          if (this.cipher.hasKey(id)) continue;
          missing.set(id, [...(missing.get(id) ?? []), `${table}.${column}`]);
        }
      }
    }
    return [...missing].map(([keyId, used]) => ({ keyId, columns: used }));
  }

  async reencryptAll(): Promise<RotationReport> {
    const report: RotationReport = { checked: 0, rewritten: 0 };
    for (const { entity, columns } of SECRET_COLUMNS) {
      const repo = this.dataSource.getRepository<{ id: string }>(entity);
      for (let skip = 0; ; skip += PAGE) {
        const rows = await repo.find({ select: ['id', ...columns] as never, order: { id: 'ASC' }, skip, take: PAGE });
        for (const row of rows) {
          const patch: Record<string, string> = {};
          for (const column of columns) {
            if ((row as Record<string, unknown>)[column] == null) continue;
            report.checked++;
            const resealed = this.vault.reseal(entity, row, column);
            if (resealed) patch[column] = resealed;
          }
          if (Object.keys(patch).length) {
            // One UPDATE per row: its columns move to the new key together.
            await repo.update({ id: row.id }, patch);
            report.rewritten += Object.keys(patch).length;
          }
        }
        if (rows.length < PAGE) break;
      }
    }
    return report;
  }
}
