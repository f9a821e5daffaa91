import { randomUUID } from 'node:crypto';
import { BaseEntity, BeforeInsert, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** One change made in the panel: who, what, which record, which fields (names only, never values). */
@Entity({ name: 'audit_event' })
export class AuditEvent extends BaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index()
  @CreateDateColumn()
  at: Date;

  /** The admin's e-mail at the time. */
  @Column({ type: 'varchar', length: 320 })
  actor: string;

  /** created, changed or deleted. */
  @Column({ type: 'varchar', length: 16 })
  action: string;

  @Column({ type: 'varchar', length: 64 })
  resource: string;

  /** The records' titles (names), as the panel showed them. */
  @Column({ type: 'varchar', length: 2000 })
  records: string;

  @Column({ type: 'varchar', length: 2000 })
  recordIds: string;

  /** Comma-separated field names a change touched. */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  fields: string | null;

  @BeforeInsert()
  protected assignId(): void {
    this.id ??= randomUUID();
  }
}
