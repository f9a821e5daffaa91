import { fileURLToPath } from 'node:url';
import { ComponentLoader } from 'adminjs';

/**
 * The one ComponentLoader of the panel. `scripts/bundle-admin.mjs` bundles
 * what is registered here at build time, so nothing is bundled at boot.
 */
export const componentLoader = new ComponentLoader();

// Absolute paths: AdminJS would otherwise resolve a relative one from its caller's stack frame,
// which is the server bundle (scripts/bundle-server.mjs) rather than this file in production.
const component = (name: string): string => fileURLToPath(new URL(`./components/${name}`, import.meta.url));

// The login page adds the SSO buttons.
componentLoader.override('Login', component('login'));

export const Components = {
  ValidateAction: componentLoader.add('ValidateAction', component('validate-action')),
  CopyUrlAction: componentLoader.add('CopyUrlAction', component('copy-url-action')),
  CheckAction: componentLoader.add('CheckAction', component('check-action')),
  BulkCheckAction: componentLoader.add('BulkCheckAction', component('bulk-check-action')),
  NewWithDefaults: componentLoader.add('NewWithDefaults', component('new-with-defaults')),
  TestRulesAction: componentLoader.add('TestRulesAction', component('test-rules-action')),
  FormField: componentLoader.add('FormField', component('form-field')),
  StatusBadge: componentLoader.add('StatusBadge', component('status-badge')),
  OAuthClientReference: componentLoader.add('OAuthClientReference', component('oauth-client-reference')),
  Dashboard: componentLoader.add('Dashboard', component('dashboard')),
  RedirectUriShow: componentLoader.add('RedirectUriShow', component('redirect-uri-show')),
};
