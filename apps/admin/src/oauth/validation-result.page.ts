import { ADMIN_ROOT } from '../admin/admin-root.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The page a Copy URL flow ends on, in a private window without an admin
 * session. Self-contained: no script, no outside resource.
 */
export function validationResultPage(ok: boolean, message: string, title = ok ? 'Client validated' : 'Validation failed'): string {
  const colour = ok ? '#007D7F' : '#C20012';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;background:#F8F9F9;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-top:4px solid ${colour};padding:32px 40px;max-width:560px;box-shadow:0 4px 12px rgba(0,0,0,.08)}
h1{font-size:20px;color:${colour};margin:0 0 12px}p{color:#454655;line-height:1.5}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>
<p>${ok ? 'You can close this window. The client page in the admin shows the new status when reloaded.' : title === 'Sign-in failed' ? `<a href="${ADMIN_ROOT}/login">Back to the login page</a>` : 'Close this window and start again from the client page in the admin.'}</p></main></body></html>`;
}
