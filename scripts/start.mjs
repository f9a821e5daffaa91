// `npm start`: builds only when a source is newer than the last build, then runs the built app
// (signals pass through, so Ctrl-C and SIGTERM stop it as they stop `node dist/server/main.mjs`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const BUILD_STAMP = join('dist', '.build-stamp');
const SOURCES = ['apps', 'libs', 'src', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'scripts/bundle-admin.mjs', 'scripts/bundle-server.mjs'];

/** The newest modification time under `path` (ms), skipping tests. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'test' || entry === 'node_modules' || /\.(spec|int-spec|e2e-spec)\.ts$/.test(entry)) continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

const built = existsSync(BUILD_STAMP) ? statSync(BUILD_STAMP).mtimeMs : 0;
if (Math.max(...SOURCES.map(newest)) > built) {
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
} else {
  console.log('dist/ is up to date with the sources; starting it.');
}
const app = spawn(process.execPath, ['dist/server/main.mjs', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
app.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
