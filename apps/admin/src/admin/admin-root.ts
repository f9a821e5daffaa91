/** Where the admin panel is mounted. Server code links under it; the panel's components ask AdminJS (ViewHelpers). */
export const ADMIN_ROOT = '/admin';
