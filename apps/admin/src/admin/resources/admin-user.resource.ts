import type { ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { AdminUser } from '../../auth/admin-user.entity.js';
import type { AdminUserService } from '../../auth/admin-user.service.js';
import { isAdmin } from '../admin-roles.js';
import { deleteGuard, saveHook } from '../save-hook.js';
import { SecureTypeormResource } from '../secure-typeorm.resource.js';

/**
 * The people who may use the panel: who signs in how (password or which
 * provider, which directory entry), and their role. Admins change names and
 * roles; users come from ADMIN_EMAIL/ADMIN_PASSWORD or from a first SSO sign-in.
 */
export function adminUserResource(users: AdminUserService, dataSource: DataSource): ResourceWithOptions {
  const repo = dataSource.getRepository(AdminUser);
  const resource = new SecureTypeormResource(AdminUser, (row) => ({
    signsInWith: typeof row.ssoIssuer === 'string' && row.ssoIssuer ? `SSO (${row.ssoIssuer})` : 'Password',
  }));
  const save = saveHook({
    editable: ['name', 'role'],
    load: (id) => repo.findOneBy({ id }),
    prepare: (input, existing, _id, context) => users.prepare(input, existing, context.currentAdmin?.id),
  });
  return {
    resource,
    options: {
      id: 'AdminUser',
      navigation: { name: 'Administration', icon: 'Users' },
      listProperties: ['email', 'name', 'role', 'signsInWith', 'lastLoginAt'],
      filterProperties: ['email', 'name', 'role'],
      showProperties: ['email', 'name', 'role', 'signsInWith', 'ssoSubject', 'ldapDirectory', 'ldapDn', 'lastLoginAt', 'createdAt', 'updatedAt'],
      editProperties: ['name', 'role'],
      sort: { sortBy: 'email', direction: 'asc' },
      properties: {
        id: { isVisible: false },
        signsInWith: { type: 'string', isVisible: { list: true, show: true, filter: false, edit: false } },
        role: { description: 'Admin: changes everything. Viewer: looks only. A change applies at the person\'s next click.' },
      },
      // Admins only, reading included: it lists everyone's e-mail, provider subject and directory entry.
      actions: {
        list: { isAccessible: isAdmin },
        show: { isAccessible: isAdmin },
        search: { isAccessible: isAdmin },
        new: { isAccessible: false, isVisible: false },
        bulkDelete: { isAccessible: false, isVisible: false },
        edit: { before: [save] },
        delete: { before: [deleteGuard((id, context) => users.deletionRefusal(id, context.currentAdmin?.id))] },
      },
    },
  };
}
