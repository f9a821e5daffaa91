// P5 (issue #12): a production start, process spawn to the first 200 from /health, on an existing
// SQLite database. The unbundled build (dist/apps/admin/src/main.js) is timed beside it for reference.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from './peers.mjs';

const LIMIT_MS = 1500;

async function startOnce(entry, env) {
  const started = performance.now();
  const child = spawn(process.execPath, [entry], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((done) => child.once('exit', done));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${entry} exited: ${stderr.trim()}`);
      const status = await fetch(`http://127.0.0.1:${env.PORT}/health`).then((r) => r.status, () => 0);
      if (status === 200) return performance.now() - started;
      if (performance.now() - started > 30_000) throw new Error(`${entry} did not answer /health within 30 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** The P5 row for bench/run.mjs. */
export async function startUp({ starts = 5, port = 39_871 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mail-bench-start-'));
  const env = {
    PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'admin.sqlite')}`,
    OAUTH_MAIL_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), ADMIN_SESSION_SECRET: 's'.repeat(40),
    ADMIN_EMAIL: 'bench@example.com', ADMIN_PASSWORD: 'a bench password of some length',
  };
  try {
    const bundled = 'dist/server/main.mjs';
    const unbundled = 'dist/apps/admin/src/main.js';
    await startOnce(bundled, env); // creates and migrates the database: later starts find it in place
    const b = [];
    const u = [];
    for (let i = 0; i < starts; i++) {
      b.push(await startOnce(bundled, env));
      u.push(await startOnce(unbundled, env));
    }
    return {
      path: 'P5 production start to the first 200 from /health (node dist/server/main.mjs)',
      'median ms': +median(b).toFixed(0),
      'min–max ms': `${Math.min(...b).toFixed(0)}–${Math.max(...b).toFixed(0)}`,
      baseline: 'the unbundled build, node dist/apps/admin/src/main.js',
      'baseline median ms': +median(u).toFixed(0),
      N: b.length,
      'time ratio': +(median(b) / median(u)).toFixed(2),
      goal: `≤ ${LIMIT_MS} ms`,
      met: median(b) <= LIMIT_MS,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
