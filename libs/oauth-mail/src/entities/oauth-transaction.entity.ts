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

  /** `validate` (store the client's tokens) or `sign_in` (SSO to the admin). */
  @Column({ type: 'varchar', length: 16, default: 'validate' })
  purpose: 'validate' | 'sign_in';

  /** SHA-256 of the OpenID Connect nonce (sign-in only). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  nonceHash: string | null;

  /** Validate: the admin who started it (another admin's session is refused). Sign-in: a hash of the browser session. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  initiatedBy: string | null;

  @Column({ type: 'varchar', length: 2048 })
  redirectUri: string;

  /** Origin the `iss` response parameter must have (RFC 9207 mix-up defense). */
  @Column({ type: 'varchar', length: 2048 })
  expectedIssuerOrigin: string;

  /** The exact issuer, when its metadata promised an `iss` in every answer (then a missing one is refused). */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  expectedIssuer: string | null;

  @Column({ type: 'text' })
  codeVerifierEncrypted: string;

  /** Azure sign-in: the nonce itself, encrypted, because passport-azure-ad compares it on return. */
  @Column({ type: 'text', nullable: true })
  nonceEncrypted: string | null;

  /** Expired rows are purged an hour later (see AuthorizationCodeFlow). */
  @Index()
  @Column({ type: Date })
  expiresAt: Date;

  @Column({ type: Date, nullable: true })
  consumedAt: Date | null;

  @CreateDateColumn()
  createdAt: Date;
}
