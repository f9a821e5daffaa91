// Bundles the compiled admin app into one ES module, dist/server/main.mjs, which production runs.
// Why: a start spent ~2.5 s in Node's module loader resolving and compiling ~3,000 files, most of them
// AdminJS's React frontend and its build-time bundler, which a production server never runs. One file
// without those starts in under a second (bench P5). dist/apps/admin/src/main.js stays runnable unbundled.
import { readFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
// The package exports only its entry, build/index.js; the shim below reads two files beside it.
const designSystem = dirname(require.resolve('@adminjs/design-system'));

/**
 * Bundled code still sees its own location: `import.meta.url`, `__dirname` and `__filename` keep the
 * original file's values. AdminJS finds its assets and package.json that way, TypeORM and others too.
 */
const ownLocation = {
  name: 'own-location',
  setup(bundle) {
    bundle.onLoad({ filter: /\.(m?js|cjs)$/ }, async ({ path }) => {
      let text = await readFile(path, 'utf8');
      const usesUrl = text.includes('import.meta.url');
      const usesDirname = /\b__(dirname|filename)\b/.test(text) && !/\b(const|let|var)\s+__(dirname|filename)\b/.test(text);
      if (!usesUrl && !usesDirname) return undefined;
      if (usesUrl) text = text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href));
      if (usesDirname) {
        const declaration = `var __dirname = ${JSON.stringify(dirname(path))}, __filename = ${JSON.stringify(path)};\n`;
        // After a "use strict" directive, which must stay the first statement.
        const directive = /^(\s*(['"])use strict\2;?)/.exec(text)?.[1] ?? '';
        text = directive + '\n' + declaration + text.slice(directive.length);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

/**
 * What AdminJS's server side imports but a built production server never uses. Each shim exports only
 * what the server uses: esbuild fails the build if an AdminJS upgrade imports anything else from it.
 */
const serverOnly = {
  name: 'server-only',
  setup(bundle) {
    const shim = (name) => ({ path: name, namespace: 'server-shim' });
    // The package's entry re-exports the whole React frontend for client code.
    bundle.onResolve({ filter: /^\.\/frontend\/index\.js$/ }, ({ importer }) => (/adminjs\/lib\/index\.js$/.test(importer) ? shim('frontend') : undefined));
    // The HTML templates need the theme merge and one constant, not the component library.
    bundle.onResolve({ filter: /^@adminjs\/design-system$/ }, ({ importer }) => (/node_modules\/adminjs\/lib\//.test(importer) ? shim('design-system') : undefined));
    // Rollup and Babel: the components were bundled at build time (scripts/bundle-admin.mjs).
    bundle.onResolve({ filter: /components\.bundler\.js$/ }, ({ importer }) => (/node_modules\/adminjs\/lib\//.test(importer) ? shim('components-bundler') : undefined));
    const contents = {
      frontend: 'export {};',
      'design-system': `export { combineStyles } from ${JSON.stringify(join(designSystem, 'utils/combine-styles.js'))};
        export { DEFAULT_DRAWER_WIDTH } from ${JSON.stringify(join(designSystem, 'constants.js'))};`,
      'components-bundler': `import { readFile } from 'node:fs/promises';
        import { join } from 'node:path';
        export default {
          async getOutput() {
            try { return await readFile(join(process.env.ADMIN_JS_TMP_DIR || '.adminjs', 'bundle.js'), 'utf-8'); }
            catch (error) { if (error.code === 'ENOENT') return null; throw error; }
          },
          // Outside production AdminJS watches the component sources; npm start rebuilds when they change instead.
          async createEntry() {},
          async watch() {},
          async build() { throw new Error('This server does not bundle AdminJS components: run npm run build.'); },
        };`,
    };
    bundle.onLoad({ filter: /.*/, namespace: 'server-shim' }, ({ path }) => ({ contents: contents[path], resolveDir: process.cwd() }));
  },
};

const started = Date.now();
await build({
  entryPoints: ['dist/apps/admin/src/main.js'],
  outfile: 'dist/server/main.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // TypeORM and Nest look classes up by name.
  keepNames: true,
  // CommonJS code in the bundle calls require() for Node built-ins and for what stays outside.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // A native addon, and the optional Nest packages it loads only when installed (Nest's own bundling list).
  external: ['better-sqlite3', '@nestjs/microservices', '@nestjs/microservices/*', '@nestjs/websockets', '@nestjs/websockets/*', 'class-transformer', 'class-validator'],
  plugins: [ownLocation, serverOnly],
  logLevel: 'warning',
});
console.log(`Server bundled into dist/server/main.mjs in ${Date.now() - started} ms`);
// `npm start` (scripts/start.mjs) rebuilds only when a source is newer than this.
writeFileSync('dist/.build-stamp', `${new Date().toISOString()}\n`);
