import type { ActionContext, ResourceWithOptions } from 'adminjs';
import { AdminRole } from '../auth/admin-user.entity.js';

/** What a viewer may do; every other action (built in or custom, present or future) is for admins. */
const READ_ACTIONS = new Set(['list', 'search', 'show']);
const BUILT_IN_CHANGES = ['new', 'edit', 'delete', 'bulkDelete'];

export const isAdmin = ({ currentAdmin }: ActionContext) => currentAdmin?.role === AdminRole.Admin;

/** Viewers may list, search and show; everything else is for admins. AdminJS hides refused actions and answers them as forbidden. */
export function withRoles(resource: ResourceWithOptions): ResourceWithOptions {
  const actions = { ...(resource.options.actions ?? {}) } as Record<string, Record<string, unknown>>;
  for (const name of new Set([...BUILT_IN_CHANGES, ...Object.keys(actions)])) {
    if (READ_ACTIONS.has(name)) continue;
    const own = actions[name]?.isAccessible as boolean | ((context: ActionContext) => boolean) | undefined;
    // A resource may close an action further (never open it to viewers).
    const allowed = (context: ActionContext) => isAdmin(context) && (own === undefined || (typeof own === 'function' ? own(context) : own));
    actions[name] = { ...(actions[name] ?? {}), isAccessible: allowed };
  }
  return { ...resource, options: { ...resource.options, actions } };
}
