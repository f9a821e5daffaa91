import { ComponentLoader } from 'adminjs';

/**
 * The one ComponentLoader of the panel. `scripts/bundle-admin.mjs` bundles
 * what is registered here at build time, so nothing is bundled at boot.
 */
export const componentLoader = new ComponentLoader();

// The login page adds the SSO buttons.
componentLoader.override('Login', './components/login');

export const Components = {
  ValidateAction: componentLoader.add('ValidateAction', './components/validate-action'),
  CopyUrlAction: componentLoader.add('CopyUrlAction', './components/copy-url-action'),
  CheckAction: componentLoader.add('CheckAction', './components/check-action'),
  BulkCheckAction: componentLoader.add('BulkCheckAction', './components/bulk-check-action'),
  NewWithDefaults: componentLoader.add('NewWithDefaults', './components/new-with-defaults'),
  TestRulesAction: componentLoader.add('TestRulesAction', './components/test-rules-action'),
  FormField: componentLoader.add('FormField', './components/form-field'),
  StatusBadge: componentLoader.add('StatusBadge', './components/status-badge'),
  OAuthClientReference: componentLoader.add('OAuthClientReference', './components/oauth-client-reference'),
  Dashboard: componentLoader.add('Dashboard', './components/dashboard'),
  RedirectUriShow: componentLoader.add('RedirectUriShow', './components/redirect-uri-show'),
};
