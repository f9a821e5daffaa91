import { BaseEntity, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { AdminUser } from './admin-user.entity.js';

/** An admin panel session, kept in the database so restarts and several processes share it. */
@Entity({ name: 'admin_session' })
export class AdminSession extends BaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  sid: string;

  /** The serialized express-session data (the admin's id, e-mail and role; no secret). */
  @Column({ type: 'text' })
  data: string;

  @Index()
  @Column({ type: Date })
  expiresAt: Date;

  /**
   * The signed-in person, read in the same statement as the session so their
   * current role applies at once; deleting them ends their sessions. Null
   * before sign-in (an SSO sign-in in progress).
   */
  @Index()
  @Column({ type: 'varchar', length: 36, nullable: true })
  userId: string | null;

  @ManyToOne(() => AdminUser, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId' })
  user: Relation<AdminUser> | null;
}
