import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { evaluateCreateExpression, LdapDirectoryService, mapUserFields, type OAuthClient, type SignedInIdentity } from '@app/oauth-mail';
import type { Repository } from 'typeorm';
import { AdminRole, AdminUser } from './admin-user.entity.js';
import type { CurrentAdmin } from './admin-user.service.js';

const ROLES = Object.values(AdminRole) as string[];

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
    let link: { directory: string; dn: string; fields: Record<string, string> } | null = null;
    if (client.relatedLdaps?.length) {
      if (!identity.username) return { ok: false, message: 'The provider did not give a username to look up in the directory, so the sign-in was refused.' };
      const found = await this.directories.findPerson(client.relatedLdaps, identity.username);
      if (!found.ok) {
        this.logger.warn(`SSO sign-in through "${client.name}": directory lookup failed (${found.code}: ${found.message})`);
        return {
          ok: false,
          message: found.code === 'LDAP_USER_NOT_FOUND'
            ? 'Your account is not in the organisation\'s directory, so you cannot sign in here. Ask an administrator for access.'
            : `The sign-in could not be completed because the directory could not be asked. ${found.message} An administrator can run Test connection on the directory.`,
        };
      }
      link = found;
    }
    const mapped = { ...mapUserFields(client.userFields, identity.claims), ...link?.fields };
    const email = (mapped.email ?? identity.username ?? '').toLowerCase();
    let user = await this.users.findOneBy({ ssoIssuer: identity.issuer, ssoSubject: identity.subject });
    if (!user) {
      let fields: Record<string, string> = Object.create(null);
      if (client.userCreateExpression) {
        const decision = await evaluateCreateExpression(client.userCreateExpression, identity.claims, { directory: link?.fields });
        if (!decision.allow) {
          // Details go to the server log for admins; the person sees only that they are not allowed.
          this.logger.warn(`SSO sign-in through "${client.name}" refused by User Create Expression (${decision.reason}: ${decision.detail})`);
          return { ok: false, message: 'Your account is not allowed to sign in here. Ask an administrator for access.' };
        }
        fields = decision.fields;
      }
      if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) return { ok: false, message: 'The provider did not give an e-mail address for your account, so no user could be created.' };
      if (await this.users.findOneBy({ email })) {
        return { ok: false, message: 'A user with this e-mail address already exists and signs in another way. Accounts are never joined by e-mail: ask an administrator.' };
      }
      const role = [fields.role, mapped.role].find((r) => r && ROLES.includes(r)) ?? AdminRole.Viewer;
      user = this.users.create({ email, role: role as AdminRole, name: fields.name ?? mapped.name ?? null, ssoIssuer: identity.issuer, ssoSubject: identity.subject, passwordHash: null });
    } else {
      if (mapped.name) user.name = mapped.name;
      if (mapped.role && ROLES.includes(mapped.role)) user.role = mapped.role as AdminRole;
    }
    user.ldapDirectory = link?.directory ?? null;
    user.ldapDn = link?.dn ?? null;
    user.lastLoginAt = new Date();
    await this.users.save(user);
    return { ok: true, admin: { id: user.id, email: user.email, role: user.role, title: user.name ?? (user.role === AdminRole.Admin ? 'Administrator' : 'Viewer') } };
  }
}
