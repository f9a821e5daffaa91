import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { AppConfig } from '../config/app.config.js';
import { APP_CONFIG } from '../config/app-config.token.js';
import { AdminRole, AdminUser, isAdminRole } from './admin-user.entity.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import { checkText, type Validated } from '@app/oauth-mail';

/** What the admin session keeps about the signed-in person. */
export interface CurrentAdmin {
  id: string;
  email: string;
  role: AdminRole;
  title: string;
}

const FIRST_ADMIN_EMAIL = 'admin@localhost';

/** What a session keeps of a user. */
export const toCurrentAdmin = (user: Pick<AdminUser, 'id' | 'email' | 'role' | 'name'>): CurrentAdmin => ({
  id: user.id,
  email: user.email,
  role: user.role,
  title: user.name ?? (user.role === AdminRole.Admin ? 'Administrator' : 'Viewer'),
});

@Injectable()
export class AdminUserService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminUserService.name);

  constructor(
    @InjectRepository(AdminUser) private readonly users: Repository<AdminUser>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * ADMIN_EMAIL and ADMIN_PASSWORD create or update that admin. Without them,
   * a first start creates one admin with a random password, printed once.
   */
  async onApplicationBootstrap(): Promise<void> {
    const { email, password } = this.config.admin;
    if (email && password) {
      const user = (await this.users.findOneBy({ email })) ?? this.users.create({ email, role: AdminRole.Admin });
      if (!(await verifyPassword(password, user.passwordHash))) user.passwordHash = await hashPassword(password);
      await this.users.save(user);
      this.logger.log(`Admin ${email} can log in with ADMIN_PASSWORD.`);
      return;
    }
    if ((await this.users.count()) > 0) return;
    const generated = randomBytes(12).toString('base64url');
    await this.users.save(this.users.create({ email: FIRST_ADMIN_EMAIL, passwordHash: await hashPassword(generated), role: AdminRole.Admin }));
    // Printed once, straight to the terminal and not through the logger, so log shipping never keeps it.
    process.stdout.write(
      `\n  No admin existed, so one was created. Log in at ${this.config.publicBaseUrl}/admin with\n` +
        `    e-mail:   ${FIRST_ADMIN_EMAIL}\n    password: ${generated}\n` +
        '  This password is shown only now. Set ADMIN_EMAIL and ADMIN_PASSWORD to choose your own.\n\n',
    );
  }

  /** The admin for these credentials, or null. Takes the same time whether or not the e-mail exists. */
  async authenticate(email: string, password: string): Promise<CurrentAdmin | null> {
    const user = await this.users.findOneBy({ email: String(email ?? '').trim().toLowerCase() });
    if (!(await verifyPassword(String(password ?? ''), user?.passwordHash)) || !user) return null;
    await this.users.update({ id: user.id }, { lastLoginAt: new Date() });
    return toCurrentAdmin(user);
  }

  /**
   * Validates an edit of a user by `actor`: name and role only. Nobody changes
   * their own role (nor deletes themselves), so the acting admin always
   * remains: the panel never ends up without one.
   */
  prepare(input: Readonly<Record<string, unknown>>, existing: AdminUser | null, actorId: string | undefined): Validated<Partial<AdminUser>> {
    if (!existing) return { ok: false, errors: { email: 'Users are created by signing in through an OAuth client, or with ADMIN_EMAIL and ADMIN_PASSWORD.' } };
    const errors: Record<string, string> = {};
    const values: Partial<AdminUser> = {};
    if (input.name !== undefined) {
      const name = typeof input.name === 'string' ? input.name.trim() : '';
      const problem = name ? checkText(name, 200) : null;
      if (problem) errors.name = problem;
      else values.name = name || null;
    }
    if (input.role !== undefined && input.role !== existing.role) {
      if (!isAdminRole(input.role)) errors.role = 'Choose Admin or Viewer.';
      else if (existing.id === actorId) errors.role = 'You cannot change your own role; ask another admin.';
      else values.role = input.role;
    }
    return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: values };
  }

  /** Why `actorId` may not delete this user, or null. */
  deletionRefusal(userId: string, actorId: string | undefined): string | null {
    return userId === actorId ? 'You cannot delete your own account.' : null;
  }
}
