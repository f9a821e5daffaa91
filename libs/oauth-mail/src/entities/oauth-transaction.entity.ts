import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { OAuthClient } from './oauth-client.entity.js';

/**
 * A pending authorization request. The server-side record is what binds the
 * callback to its client and initiating admin: a Copy URL flow completes in a
 * private window without the admin's cookie. Single use, short-lived; only a
 * hash of `state` is stored.
 */
@Entity({ name: 'oauth_transaction' })
export class OAuthTransaction {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** SHA-256 of the `state` sent to the provider (hex). */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  stateHash: string;

  @Column({ type: 'varchar', length: 36 })
  clientId: string;

  @ManyToOne('OAuthClient', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'clientId' })
  client: Relation<OAuthClient>;

  /** The admin who started it; a callback arriving in another admin's session is refused. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  initiatedBy: string | null;

  @Column({ type: 'varchar', length: 2048 })
  redirectUri: string;

  /** Origin the `iss` response parameter must have (RFC 9207 mix-up defense). */
  @Column({ type: 'varchar', length: 2048 })
  expectedIssuerOrigin: string;

  @Column({ type: 'text' })
  codeVerifierEncrypted: string;

  @Column({ type: Date })
  expiresAt: Date;

  @Column({ type: Date, nullable: true })
  consumedAt: Date | null;

  @CreateDateColumn()
  createdAt: Date;
}
