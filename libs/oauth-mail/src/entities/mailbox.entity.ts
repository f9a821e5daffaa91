import { randomUUID } from 'node:crypto';
import {
  BaseEntity,
  BeforeInsert,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { CheckStatus, MailDirection, MailEncryption, MailProtocol } from './mailbox.enums.js';
import { RecordStatus } from './oauth-client.enums.js';
import type { OAuthClient } from './oauth-client.entity.js';
import { RECORDED_MESSAGE_MAX } from './status-update.js';

/**
 * An incoming (IMAP, POP3) or outgoing (SMTP) mailbox. With an OAuth client it
 * authenticates with that client's token (XOAUTH2), otherwise with its password.
 */
@Entity({ name: 'mailbox' })
export class Mailbox extends BaseEntity {
  /** A UUID chosen before insert: secrets are bound to their row id. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'simple-enum', enum: Object.values(MailDirection) })
  direction: MailDirection;

  @Column({ type: 'simple-enum', enum: Object.values(RecordStatus), default: RecordStatus.Enabled })
  status: RecordStatus;

  @Column({ type: 'simple-enum', enum: Object.values(MailProtocol) })
  protocol: MailProtocol;

  @Column({ type: 'varchar', length: 253 })
  host: string;

  @Column({ type: 'int' })
  port: number;

  @Column({ type: 'simple-enum', enum: Object.values(MailEncryption) })
  encryption: MailEncryption;

  /** Usually the mailbox address; may differ from the OAuth identity for shared mailboxes. */
  @Column({ type: 'varchar', length: 320 })
  username: string;

  @Column({ type: 'text', nullable: true })
  passwordEncrypted: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  oauthClientId: string | null;

  @ManyToOne('OAuthClient', 'mailboxes', { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'oauthClientId' })
  oauthClient: Relation<OAuthClient> | null;

  /** IMAP folder to read. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  folder: string | null;

  /** Outgoing: the From address, if the server allows one other than the username. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  emailDisplay: string | null;

  /** Outgoing: the From name. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  displayName: string | null;

  @Column({ type: Date, nullable: true })
  lastCheckAt: Date | null;

  @Column({ type: 'simple-enum', enum: Object.values(CheckStatus), nullable: true })
  lastCheckStatus: CheckStatus | null;

  /** The outcome of the last Check, for the admin; never a secret. */
  @Column({ type: 'varchar', length: RECORDED_MESSAGE_MAX, nullable: true })
  lastCheckMessage: string | null;

  /** What fetchNew has already returned: IMAP UIDVALIDITY and last UID, or the POP3 UIDLs seen. */
  @Column({ type: 'simple-json', nullable: true })
  fetchState: { uidValidity?: string; lastUid?: number; uidls?: string[] } | null;

  @CreateDateColumn()
  createdAt: Date;

  @UpdateDateColumn()
  updatedAt: Date;

  @BeforeInsert()
  protected assignId(): void {
    this.id ??= randomUUID();
  }
}
