import { Environment } from '@marcbachmann/cel-js';

/**
 * The CEL environment of User Create Expression, shared by the check at save
 * time and the worker that evaluates it: two variables, and structural caps
 * (depth 32, a bounded tree) on top of the evaluation's time and memory limits.
 */
export const CEL_ENVIRONMENT_OPTIONS = {
  limits: { maxAstNodes: 2000, maxDepth: 32, maxListElements: 200, maxMapEntries: 50, maxCallArguments: 8 },
} as const;
export const CEL_VARIABLES: readonly (readonly [string, string])[] = [
  ['claims', 'map'],
  ['directory', 'map'],
];

/** Why an expression cannot be used (syntax, unknown name, result type, size), or null. */
export function checkCreateExpression(expression: string): string | null {
  const env = new Environment(CEL_ENVIRONMENT_OPTIONS);
  for (const [name, type] of CEL_VARIABLES) env.registerVariable(name, type);
  let checked: { valid: boolean; type?: string; error?: { message?: string } };
  try {
    checked = env.check(expression);
  } catch (error) {
    return firstLine(error);
  }
  if (!checked.valid) return firstLine(checked.error);
  if (checked.type && !['bool', 'dyn'].includes(checked.type) && !checked.type.startsWith('map<')) {
    return `It gives a ${checked.type}; it must give true, false or a map of fields such as {"role": "viewer"}.`;
  }
  return null;
}

const firstLine = (error: unknown) => String((error as { message?: unknown })?.message ?? error).split('\n')[0].slice(0, 200);
