/**
 * Records everything the process writes to stdout and stderr (Nest's logger,
 * console, libraries) so tests can search it for planted secrets.
 */
export class OutputCapture {
  private chunks: string[] = [];
  private restore: (() => void) | null = null;

  start(): this {
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    const tap = (write: typeof out) =>
      ((chunk: unknown, ...rest: unknown[]) => {
        this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        return process.env.SHOW_APP_OUTPUT ? write(chunk as string, ...(rest as [])) : true;
      }) as typeof out;
    process.stdout.write = tap(out);
    process.stderr.write = tap(err);
    // Jest replaces console with its own buffer, which does not go through process.stdout.
    const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
    // Kept only to be put back on console, so `this` stays console.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const originals = methods.map((m) => console[m]);
    methods.forEach((m, i) => {
      console[m] = (...args: unknown[]) => {
        this.chunks.push(args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' ') + '\n');
        if (process.env.SHOW_APP_OUTPUT) originals[i](...args);
      };
    });
    this.restore = () => {
      process.stdout.write = out;
      process.stderr.write = err;
      methods.forEach((m, i) => (console[m] = originals[i]));
    };
    return this;
  }

  get text(): string {
    return this.chunks.join('');
  }

  stop(): void {
    this.restore?.();
    this.restore = null;
  }
}

function safeJson(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}\n${value.stack ?? ''}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
