import { randomUUID } from 'node:crypto';
import {
  BaseEntity,
  BeforeInsert,
  Column,
  CreateDateColumn,
  Entity,
  OneToMany,
  PrimaryColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import type { Mailbox } from './mailbox.entity.js';
import {
  OAuthClientType,
  RecordStatus,
  UserDataSource,
  ValidationStatus,
} from './oauth-client.enums.js';

/**
 * An application registered at an OAuth provider. Mailbox-type clients hold
 * the tokens that mailboxes authenticate with; User-type clients sign people in.
 * Columns ending in `Encrypted` hold SecretCipher envelopes and are never shown.
 */
@Entity({ name: 'oauth_client' })
export class OAuthClient extends BaseEntity {
  /** A UUID chosen before insert: secrets are bound to their row id. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** A registered provider's kind (built in: `OAuthProviderKind`; hosts may register more). */
  @Column({ type: 'varchar', length: 40 })
  provider: string;

  @Column({ type: 'simple-enum', enum: Object.values(OAuthClientType) })
  type: OAuthClientType;

  /** Azure only: `common`, `organizations`, a directory GUID or a verified domain. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  tenantId: string | null;

  @Column({ type: 'varchar', length: 512 })
  clientId: string;

  @Column({ type: 'text', nullable: true })
  clientSecretEncrypted: string | null;

  /** Overrides the provider's default scopes when set; required for Generic. */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  scope: string | null;

  @Column({ type: 'varchar', length: 1, default: ' ' })
  scopeSeparator: string;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  authorizeUrl: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  tokenUrl: string | null;

  /** Generic: the mail hosts (names or `*.domain`) its tokens may be sent to; empty means the token endpoint's own site. */
  @Column({ type: 'simple-json', nullable: true })
  allowedMailHosts: string[] | null;

  /** `host:port` or `http://host:port` of an HTTP CONNECT proxy for calls to the provider. */
  @Column({ type: 'varchar', length: 300, nullable: true })
  proxy: string | null;

  /** With a proxy: verify the provider's TLS certificate (turning it off is unsafe). */
  @Column({ type: 'boolean', default: true })
  verifySsl: boolean;

  @Column({ type: 'simple-enum', enum: Object.values(RecordStatus), default: RecordStatus.Enabled })
  status: RecordStatus;

  @Column({ type: 'simple-enum', enum: Object.values(UserDataSource), nullable: true })
  userDataSource: UserDataSource | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  userDataEndpoint: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  usernameAttribute: string | null;

  /** Admin-user field → claim name. */
  @Column({ type: 'simple-json', nullable: true })
  userFields: Record<string, string> | null;

  @Column({ type: 'text', nullable: true })
  userCreateExpression: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  loginButtonCaption: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  loginButtonIcon: string | null;

  /** Sign-in allowlist: Azure tenant ids (tid), Google hosted domains (hd), or e-mail domains for Generic. Empty: anyone the provider signs in. */
  @Column({ type: 'simple-json', nullable: true })
  allowedDomains: string[] | null;

  /** Names of the LDAP directories whose users are linked on sign-in. */
  @Column({ type: 'simple-json', nullable: true })
  relatedLdaps: string[] | null;

  @Column({
    type: 'simple-enum',
    enum: Object.values(ValidationStatus),
    default: ValidationStatus.NotValidated,
  })
  validationStatus: ValidationStatus;

  @Column({ type: Date, nullable: true })
  validatedAt: Date | null;

  /** Who consented at the provider (e-mail or username claim). */
  @Column({ type: 'varchar', length: 320, nullable: true })
  validatedIdentity: string | null;

  @Column({ type: Date, nullable: true })
  accessTokenExpiresAt: Date | null;

  /** The last validation or refresh failure, in words an admin can act on; never a secret. */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  lastError: string | null;

  /** The current token set (access and refresh token, expiry, scopes), serialized and encrypted. */
  @Column({ type: 'text', nullable: true })
  accessTokenEncrypted: string | null;

  /** The token response received at validation, serialized and encrypted. */
  @Column({ type: 'text', nullable: true })
  originalAccessTokenEncrypted: string | null;

  /** Refresh lease: who refreshes now, and until when (several processes share one refresh). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  refreshLeaseOwner: string | null;

  @Column({ type: Date, nullable: true })
  refreshLeaseUntil: Date | null;

  @CreateDateColumn()
  createdAt: Date;

  @UpdateDateColumn()
  updatedAt: Date;

  @OneToMany('Mailbox', 'oauthClient')
  mailboxes: Relation<Mailbox[]>;

  @BeforeInsert()
  protected assignId(): void {
    this.id ??= randomUUID();
  }
}
