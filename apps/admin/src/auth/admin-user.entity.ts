import { randomUUID } from 'node:crypto';
import { BaseEntity, BeforeInsert, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const AdminRole = { Admin: 'admin', Viewer: 'viewer' } as const;
export type AdminRole = (typeof AdminRole)[keyof typeof AdminRole];

/** A person who may log in to the admin panel. */
@Entity({ name: 'admin_user' })
export class AdminUser extends BaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** Stored lowercased. */
  @Column({ type: 'varchar', length: 320, unique: true })
  email: string;

  /** scrypt hash; null for people who only sign in through SSO. */
  @Column({ type: 'varchar', length: 300, nullable: true })
  passwordHash: string | null;

  @Column({ type: 'simple-enum', enum: Object.values(AdminRole), default: AdminRole.Admin })
  role: AdminRole;

  @Column({ type: Date, nullable: true })
  lastLoginAt: Date | null;

  @CreateDateColumn()
  createdAt: Date;

  @UpdateDateColumn()
  updatedAt: Date;

  @BeforeInsert()
  protected assignId(): void {
    this.id ??= randomUUID();
  }
}
