import { randomUUID } from 'node:crypto';
import { BaseEntity, BeforeInsert, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { CheckStatus } from './mailbox.enums.js';
import { RECORDED_MESSAGE_MAX } from './status-update.js';

/**
 * An LDAP directory that User-type OAuth clients name in Related LDAPs: on
 * sign-in the person is looked up there, linked to the entry and enriched
 * with its attributes.
 */
@Entity({ name: 'ldap_directory' })
export class LdapDirectory extends BaseEntity {
  /** A UUID chosen before insert: the bind password is bound to its row id. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** What OAuth clients list in Related LDAPs. */
  @Column({ type: 'varchar', length: 100, unique: true })
  name: string;

  /** ldap://host:port or ldaps://host:port. */
  @Column({ type: 'varchar', length: 300 })
  url: string;

  /** With ldap://: upgrade with StartTLS before binding. */
  @Column({ type: Boolean, default: false })
  startTls: boolean;

  /** The service account that searches; empty binds anonymously. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  bindDn: string | null;

  /** Encrypted (`SecretCipher` envelope); write-only in every form and response. */
  @Column({ type: 'text', nullable: true })
  bindPasswordEncrypted: string | null;

  @Column({ type: 'varchar', length: 500 })
  baseDn: string;

  /** An LDAP filter where `{username}` stands for the signed-in person's username (escaped). */
  @Column({ type: 'varchar', length: 1000 })
  searchFilter: string;

  /** Admin-user field → LDAP attribute, such as `{ "name": "cn", "role": "title" }`. */
  @Column({ type: 'simple-json', nullable: true })
  attributeMap: Record<string, string> | null;

  @Column({ type: Date, nullable: true })
  lastTestAt: Date | null;

  @Column({ type: 'simple-enum', enum: Object.values(CheckStatus), nullable: true })
  lastTestStatus: CheckStatus | null;

  /** The outcome of the last Test connection, for the admin; never a secret. */
  @Column({ type: 'varchar', length: RECORDED_MESSAGE_MAX, nullable: true })
  lastTestMessage: string | null;

  @CreateDateColumn()
  createdAt: Date;

  @UpdateDateColumn()
  updatedAt: Date;

  @BeforeInsert()
  protected assignId(): void {
    this.id ??= randomUUID();
  }
}
