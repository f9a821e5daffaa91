import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
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
export class SecretRotationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: SecretVault,
  ) {}

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
