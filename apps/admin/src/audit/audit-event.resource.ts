import type { ResourceWithOptions } from 'adminjs';
import { AuditEvent } from './audit-event.entity.js';
import { isAdmin } from '../admin/admin-roles.js';
import { SecureTypeormResource } from '../admin/secure-typeorm.resource.js';

/** The Audit log: read-only, newest first. */
export function auditEventResource(): ResourceWithOptions {
  const closed = { isAccessible: false, isVisible: false };
  return {
    resource: new SecureTypeormResource(AuditEvent, () => ({})),
    options: {
      id: 'AuditEvent',
      navigation: { name: 'Administration', icon: 'Users' },
      listProperties: ['at', 'actor', 'action', 'resource', 'records', 'fields'],
      filterProperties: ['actor', 'action', 'resource', 'at'],
      showProperties: ['at', 'actor', 'action', 'resource', 'records', 'recordIds', 'fields'],
      sort: { sortBy: 'at', direction: 'desc' },
      properties: { id: { isVisible: false } },
      // Admins only, reading included: it names who did what.
      actions: { list: { isAccessible: isAdmin }, show: { isAccessible: isAdmin }, search: { isAccessible: isAdmin }, new: closed, edit: closed, delete: closed, bulkDelete: closed },
    },
  };
}
