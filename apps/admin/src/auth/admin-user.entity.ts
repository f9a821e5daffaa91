import { randomUUID } from 'node:crypto';
import { BaseEntity, BeforeInsert, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const AdminRole = { Admin: 'admin', Viewer: 'viewer' } as const;
export type AdminRole = (typeof AdminRole)[keyof typeof AdminRole];

export const isAdminRole = (value: unknown): value is AdminRole => (Object.values(AdminRole) as unknown[]).includes(value);

/** A person who may log in to the admin panel, with a password or through an SSO client. */
@Entity({ name: 'admin_user' })
@Index(['ssoIssuer', 'ssoSubject'], { unique: true })
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

  @Column({ type: 'varchar', length: 200, nullable: true })
  name: string | null;

  /** SSO: the issuer and its stable subject (Entra: tid:oid). Never matched on e-mail. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  ssoIssuer: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  ssoSubject: string | null;

  /** The Related LDAP entry this person was linked to at their last SSO sign-in. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  ldapDirectory: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  ldapDn: string | null;

  @CreateDateColumn()
  createdAt: Date;

  @UpdateDateColumn()
  updatedAt: Date;

  @BeforeInsert()
  protected assignId(): void {
    this.id ??= randomUUID();
  }
}
