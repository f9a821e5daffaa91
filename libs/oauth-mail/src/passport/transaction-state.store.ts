import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Repository } from 'typeorm';
import type { SecretVault } from '../crypto/secret-vault.js';
import { OAuthTransaction } from '../entities/oauth-transaction.entity.js';

const TRANSACTION_TTL_MS = 10 * 60 * 1000;

export const hashState = (state: string) => createHash('sha256').update(state, 'utf8').digest('hex');

/**
 * passport-oauth2's state store, backed by the database. `store` creates the
 * transaction (256-bit state, encrypted PKCE verifier); `verify` hands passport
 * the verifier of a transaction the caller has already checked and consumed.
 */
export class TransactionStateStore {
  constructor(
    private readonly transactions: Repository<OAuthTransaction>,
    private readonly vault: SecretVault,
    private readonly binding: {
      clientId: string;
      initiatedBy: string | null;
      redirectUri: string;
      expectedIssuerOrigin: string;
      expectedIssuer?: string | null;
      purpose?: OAuthTransaction['purpose'];
      nonceHash?: string | null;
    },
    private readonly consumedVerifier: string | null = null,
  ) {}

  store(_req: unknown, verifier: string, _state: unknown, _meta: unknown, done: (err: unknown, state?: string) => void): void {
    const state = randomBytes(32).toString('base64url');
    this.insert(state, verifier).then(() => done(null, state), done);
  }

  /** Records a transaction whose state (and nonce) a strategy chose itself, as passport-azure-ad does. */
  async insert(state: string, verifier: string, nonce?: string): Promise<void> {
    const id = randomUUID();
    await this.transactions.insert({
      id,
      stateHash: hashState(state),
      ...this.binding,
      codeVerifierEncrypted: this.vault.seal(OAuthTransaction, id, 'codeVerifierEncrypted', verifier),
      nonceEncrypted: nonce ? this.vault.seal(OAuthTransaction, id, 'nonceEncrypted', nonce) : null,
      expiresAt: new Date(Date.now() + TRANSACTION_TTL_MS),
      consumedAt: null,
    });
  }

  verify(_req: unknown, _state: string, done: (err: unknown, verifier?: string | false, state?: unknown) => void): void {
    // Never reached without a checked transaction; refusing is the safe default.
    done(null, this.consumedVerifier ?? false);
  }
}
