import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { evaluateCreateExpression, LdapDirectoryService, mapUserFields, type OAuthClient, type SignedInIdentity } from '@app/oauth-mail';
import type { Repository } from 'typeorm';
import { AdminRole, AdminUser, isAdminRole } from './admin-user.entity.js';
import { toCurrentAdmin, type CurrentAdmin } from './admin-user.service.js';

// The admin_user columns' lengths: PostgreSQL refuses longer values.
const NAME_MAX = 200;
const DN_MAX = 500;
const NOT_ALLOWED = 'Your account is not allowed to sign in here. Ask an administrator for access.';

/** What the sign-in rules make of a first-time person: their user's fields, or why not. */
export type FirstSignInDecision =
  | { ok: true; email: string; name: string | null; role: AdminRole }
  | { ok: false; message: string; detail?: string };

/** A directory entry linked at sign-in. */
interface DirectoryLink {
  directory: string;
  dn: string;
  fields: Record<string, string | string[]>;
}

/** The single-valued directory fields: those that can fill a user's columns. */
const textFields = (fields: Record<string, string | string[]>) =>
  Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => typeof e[1] === 'string'));

/**
 * Turns an SSO identity into an admin user: found by (issuer, subject), never
 * by e-mail; looked up in the client's Related LDAPs and linked to the entry;
 * User Fields (then the directory's attributes) fill its fields; User Create
 * Expression decides whether a first-time user is created, and may set its fields (role).
 */
@Injectable()
export class SsoProvisioningService {
  private readonly logger = new Logger(SsoProvisioningService.name);

  constructor(
    @InjectRepository(AdminUser) private readonly users: Repository<AdminUser>,
    private readonly directories: LdapDirectoryService,
  ) {}

  async signIn(client: OAuthClient, identity: SignedInIdentity): Promise<{ ok: true; admin: CurrentAdmin } | { ok: false; message: string }> {
    let link: DirectoryLink | null = null;
    if (client.relatedLdaps?.length) {
      if (!identity.username) return { ok: false, message: 'The provider did not give a username to look up in the directory, so the sign-in was refused.' };
      const found = await this.directories.findPerson(client.relatedLdaps, identity.username);
      if (!found.ok) {
        this.logger.warn(`SSO sign-in through "${client.name}": directory lookup failed (${found.code}: ${found.message})`);
        return {
          ok: false,
          // The details (hosts, certificates, accounts) are for admins: they are in the log and behind Test connection.
          message: found.code === 'LDAP_USER_NOT_FOUND'
            ? 'Your account is not in the organisation\'s directory, so you cannot sign in here. Ask an administrator for access.'
            : 'The sign-in could not be completed because the organisation\'s directory could not be asked. Try again later; an administrator can run Test connection on the directory to see why.',
        };
      }
      link = found;
    }
    let user = await this.users.findOneBy({ ssoIssuer: identity.issuer, ssoSubject: identity.subject });
    if (!user) {
      const decision = await decideFirstSignIn(client, identity.claims, identity.username, link?.fields ?? {});
      if (!decision.ok) {
        // Details go to the server log for admins; the person sees only that they are not allowed.
        if (decision.detail) this.logger.warn(`SSO sign-in through "${client.name}" refused by User Create Expression (${decision.detail})`);
        return { ok: false, message: decision.message };
      }
      if (await this.users.findOneBy({ email: decision.email })) {
        return { ok: false, message: 'A user with this e-mail address already exists and signs in another way. Accounts are never joined by e-mail: ask an administrator.' };
      }
      user = this.users.create({ email: decision.email, role: decision.role, name: decision.name, ssoIssuer: identity.issuer, ssoSubject: identity.subject, passwordHash: null });
    } else {
      // Names follow the provider and the directory; the role is set at creation and then managed under Users.
      const mapped = { ...mapUserFields(client.userFields, identity.claims), ...textFields(link?.fields ?? {}) };
      if (mapped.name) user.name = mapped.name.slice(0, NAME_MAX);
    }
    user.ldapDirectory = link?.directory ?? null;
    user.ldapDn = link?.dn.slice(0, DN_MAX) ?? null;
    user.lastLoginAt = new Date();
    await this.users.save(user);
    return { ok: true, admin: toCurrentAdmin(user) };
  }
}

/**
 * The sign-in rules of a client applied to a first-time person: User Fields,
 * then the directory's attributes, then User Create Expression (which may
 * refuse, or set fields). Also what "Test sign-in rules" shows an admin.
 */
export async function decideFirstSignIn(
  client: Pick<OAuthClient, 'userFields' | 'userCreateExpression'>,
  claims: Record<string, unknown>,
  username: string | null,
  directory: Record<string, string | string[]>,
): Promise<FirstSignInDecision> {
  const mapped = { ...mapUserFields(client.userFields, claims), ...textFields(directory) };
  let fields = Object.create(null) as Record<string, string>;
  if (client.userCreateExpression) {
    const decision = await evaluateCreateExpression(client.userCreateExpression, claims, { directory });
    if (!decision.allow) return { ok: false, message: NOT_ALLOWED, detail: `${decision.reason}: ${decision.detail}` };
    fields = decision.fields;
  }
  const email = (mapped.email ?? username ?? '').toLowerCase();
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) return { ok: false, message: 'The provider did not give an e-mail address for your account, so no user could be created.' };
  const role = [fields.role, mapped.role].find(isAdminRole) ?? AdminRole.Viewer;
  return { ok: true, email, name: (fields.name ?? mapped.name)?.slice(0, NAME_MAX) ?? null, role };
}
