import { BaseEntity, Column, Entity, Index, PrimaryColumn } from 'typeorm';

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
}
