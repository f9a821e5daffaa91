// Bundles the AdminJS custom components once, at build time, into dist/adminjs
// (the app runs with ADMIN_JS_SKIP_BUNDLE=true and serves this file).
// The .tsx sources are copied beside the compiled loader first: tsc does not emit them,
// and the loader resolves component paths relative to itself.
import { cpSync } from 'node:fs';

cpSync('apps/admin/src/admin/components', 'dist/apps/admin/src/admin/components', { recursive: true });
process.env.ADMIN_JS_TMP_DIR ??= 'dist/adminjs';
process.env.NODE_ENV ??= 'production';

const { default: AdminJS } = await import('adminjs');
const { componentsBundler, generateUserComponentEntry, ADMIN_JS_TMP_DIR } = await import('adminjs/bundler');
const { componentLoader } = await import('../dist/apps/admin/src/admin/component-loader.js');

const started = Date.now();
const admin = new AdminJS({ componentLoader });
await componentsBundler.createEntry({ content: generateUserComponentEntry(admin, ADMIN_JS_TMP_DIR) });
await componentsBundler.build();
console.log(`AdminJS components bundled into ${ADMIN_JS_TMP_DIR} in ${Date.now() - started} ms`);
