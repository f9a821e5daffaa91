import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CEL_ENVIRONMENT_OPTIONS, CEL_VARIABLES } from './cel-environment.js';
import { cleanFieldValue } from './user-fields.mapper.js';

/** What User Create Expression decided for a first-time user. */
export type CreateDecision =
  | { allow: true; fields: Record<string, string> }
  | { allow: false; reason: 'denied' | 'error'; detail: string };

export interface EvaluationOptions {
  /** The person's entry in a Related LDAP (mapped fields), seen by the expression as `directory`. */
  directory?: Record<string, string | string[]>;
  /** Wall clock for the whole evaluation, worker start included. */
  timeoutMs?: number;
  maxExpressionLength?: number;
  /** Size of the claims as JSON: a provider (or whoever forged a token) cannot make the evaluation huge. */
  maxClaimsBytes?: number;
}

const CEL_MODULE = pathToFileURL(createRequire(import.meta.url).resolve('@marcbachmann/cel-js')).href;

// Runs in a worker with a small heap: the expression sees only a JSON copy of the claims,
// and CEL itself has no access to code, files or the network.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(({ Environment }) => {
  try {
    const env = new Environment(workerData.environment);
    for (const [name, type] of workerData.variables) env.registerVariable(name, type);
    parentPort.postMessage({ ok: true, result: env.evaluate(workerData.expression, { claims: workerData.claims, directory: workerData.directory }) });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String((error && error.message) || error).slice(0, 300) });
  }
}, (error) => parentPort.postMessage({ ok: false, error: String(error).slice(0, 300) }));
`;

/**
 * Evaluates User Create Expression (CEL) against the claims of a first-time
 * user (and their Related LDAP entry as `directory`): `true` creates the user, `false` refuses, a map creates the user with
 * those fields (for example `{"role": "viewer"}`). Errors, timeouts and any other
 * result refuse: the sign-in fails closed.
 */
export async function evaluateCreateExpression(
  expression: string,
  claims: Record<string, unknown>,
  { directory = {}, timeoutMs = 1000, maxExpressionLength = 2048, maxClaimsBytes = 65_536 }: EvaluationOptions = {},
): Promise<CreateDecision> {
  if (expression.length > maxExpressionLength) return { allow: false, reason: 'error', detail: `The expression is longer than ${maxExpressionLength} characters.` };
  const json = JSON.stringify(claims);
  if (Buffer.byteLength(json) > maxClaimsBytes) return { allow: false, reason: 'error', detail: `The claims are larger than ${maxClaimsBytes} bytes.` };
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { module: CEL_MODULE, environment: CEL_ENVIRONMENT_OPTIONS, variables: CEL_VARIABLES, expression, claims: JSON.parse(json) as unknown, directory: { ...directory } },
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8, codeRangeSizeMb: 8, stackSizeMb: 1 },
    stdout: true,
    stderr: true,
  });
  try {
    const message = await new Promise<{ ok: boolean; result?: unknown; error?: string }>((done) => {
      const timer = setTimeout(() => done({ ok: false, error: `The expression took longer than ${timeoutMs} ms.` }), timeoutMs);
      worker.once('message', (m: { ok: boolean; result?: unknown; error?: string }) => (clearTimeout(timer), done(m)));
      worker.once('error', (e) => (clearTimeout(timer), done({ ok: false, error: e.message.slice(0, 300) })));
      worker.once('exit', () => (clearTimeout(timer), done({ ok: false, error: 'The expression stopped (resource limit).' })));
    });
    if (!message.ok) return { allow: false, reason: 'error', detail: message.error ?? 'The expression failed.' };
    return decide(message.result);
  } finally {
    await worker.terminate();
  }
}

function decide(result: unknown): CreateDecision {
  if (result === true) return { allow: true, fields: Object.create(null) as Record<string, string> };
  if (result === false) return { allow: false, reason: 'denied', detail: 'The expression returned false.' };
  const entries = result instanceof Map ? [...result.entries()] : result && typeof result === 'object' && !Array.isArray(result) ? Object.entries(result) : null;
  if (!entries) return { allow: false, reason: 'error', detail: 'The expression must return true, false or a map of fields.' };
  const fields = Object.create(null) as Record<string, string>;
  for (const [key, value] of entries) {
    if (typeof key !== 'string' || ['__proto__', 'constructor', 'prototype'].includes(key)) continue;
    if (['string', 'number', 'bigint', 'boolean'].includes(typeof value)) fields[key] = cleanFieldValue(String(value));
  }
  return { allow: true, fields };
}
