import type { ActionContext, ResourceWithOptions } from 'adminjs';
import { AdminRole } from '../auth/admin-user.entity.js';

/** Actions that change records or reach out to providers and mail servers: admins only. */
const CHANGING_ACTIONS = ['new', 'edit', 'delete', 'bulkDelete', 'validate', 'copyUrl', 'check'];

const isAdmin = ({ currentAdmin }: ActionContext) => currentAdmin?.role === AdminRole.Admin;

/** Viewers may list, search and show; everything else is for admins. AdminJS hides refused actions and answers them as forbidden. */
export function withRoles(resource: ResourceWithOptions): ResourceWithOptions {
  const actions = { ...(resource.options.actions ?? {}) } as Record<string, Record<string, unknown>>;
  for (const name of CHANGING_ACTIONS) {
    if (name in actions || ['new', 'edit', 'delete', 'bulkDelete'].includes(name)) actions[name] = { ...(actions[name] ?? {}), isAccessible: isAdmin };
  }
  return { ...resource, options: { ...resource.options, actions } };
}
