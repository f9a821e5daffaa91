import { LdapDirectory } from './entities/ldap-directory.entity.js';
import { Mailbox } from './entities/mailbox.entity.js';
import { OAuthClient } from './entities/oauth-client.entity.js';
import { OAuthTransaction } from './entities/oauth-transaction.entity.js';

/** Register these in the host app's TypeORM DataSource (and its migrations). */
export const OAUTH_MAIL_ENTITIES = [OAuthClient, Mailbox, OAuthTransaction, LdapDirectory];
