// The test suite's peers, compiled from TypeScript for a bench run (they import only Node).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { transformFileSync } from '@swc/core';

/** The module `test/support/<name>.ts`, compiled. */
export async function loadPeer(name) {
  const source = `test/support/${name}.ts`;
  const out = join(mkdtempSync(join(tmpdir(), 'oauth-mail-bench-peer-')), `${basename(name)}.mjs`);
  writeFileSync(out, transformFileSync(source, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }).code);
  return import(out);
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One row of a bench table: the measured side's median, min–max and N against the baseline's median. */
export function ratioRow(path, measured, baseline, baselineMs, goal, limit) {
  const ratio = median(measured) / median(baselineMs);
  return {
    path,
    'median ms': +median(measured).toFixed(1),
    'min–max ms': `${Math.min(...measured).toFixed(1)}–${Math.max(...measured).toFixed(1)}`,
    baseline,
    'baseline median ms': +median(baselineMs).toFixed(1),
    N: measured.length,
    'time ratio': +ratio.toFixed(ratio < 0.1 ? 4 : 2),
    goal,
    met: ratio <= limit,
  };
}

/** Times `product` and `raw` `rounds` times each, alternating which goes first. */
export async function pair(product, raw, rounds) {
  // Warm-up: the first rounds pay for JIT compilation and the server's first logins.
  for (let i = 0; i < 5; i++) {
    await product();
    await raw();
  }
  const p = [];
  const r = [];
  const time = async (fn, into) => {
    const started = performance.now();
    await fn();
    into.push(performance.now() - started);
  };
  for (let i = 0; i < rounds; i++) {
    if (i % 2) {
      await time(raw, r);
      await time(product, p);
    } else {
      await time(product, p);
      await time(raw, r);
    }
  }
  return { p, r };
}
