import { LdapDirectory } from '../entities/ldap-directory.entity.js';
import { Mailbox } from '../entities/mailbox.entity.js';
import { OAuthClient } from '../entities/oauth-client.entity.js';
import { OAuthTransaction } from '../entities/oauth-transaction.entity.js';

/**
 * Every encrypted column, per entity. Rotation walks this list, and a test
 * compares it with the entities so a new secret column cannot be forgotten.
 */
export const SECRET_COLUMNS = [
  { entity: OAuthClient, table: 'oauth_client', columns: ['clientSecretEncrypted', 'accessTokenEncrypted', 'originalAccessTokenEncrypted'] },
  { entity: Mailbox, table: 'mailbox', columns: ['passwordEncrypted'] },
  { entity: OAuthTransaction, table: 'oauth_transaction', columns: ['codeVerifierEncrypted', 'nonceEncrypted'] },
  { entity: LdapDirectory, table: 'ldap_directory', columns: ['bindPasswordEncrypted'] },
] as const;

/**
 * Names secrets travel under outside their ciphertext columns: the write-only
 * form fields an admin types them into, and the token fields of a token set.
 * A host that shows records (an admin panel, an API) never returns a value
 * under one of these names, nor under a name ending in `Encrypted`.
 */
export const SECRET_FIELD_NAMES: readonly string[] = ['clientSecret', 'password', 'bindPassword', 'accessToken', 'refreshToken', 'originalAccessToken'];
