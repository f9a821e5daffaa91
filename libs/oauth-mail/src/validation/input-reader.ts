import type { FieldErrors } from '../errors/oauth-mail.error.js';

/** A validator's answer: the normalized values, or what is wrong field by field. */
export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/**
 * Reads loosely typed input (form posts send strings) for one record: a field
 * that is absent keeps the existing value, an empty string clears it.
 */
export class InputReader {
  readonly errors: FieldErrors = {};

  constructor(
    private readonly input: Readonly<Record<string, unknown>>,
    private readonly existing: Readonly<Record<string, unknown>> | null,
  ) {}

  has(field: string): boolean {
    return this.input[field] !== undefined;
  }

  /** Trimmed text, or null when empty. */
  text(field: string): string | null {
    const raw = this.has(field) ? this.input[field] : this.existing?.[field];
    if (raw === undefined || raw === null) return null;
    if (typeof raw !== 'string' && typeof raw !== 'number') {
      this.fail(field, 'Enter text.');
      return null;
    }
    const value = String(raw).trim();
    return value === '' ? null : value;
  }

  /** A value that must be one of `allowed`; `fallback` when empty. */
  oneOf<T extends string>(field: string, allowed: readonly T[], fallback?: T): T | null {
    const value = this.text(field) ?? fallback ?? null;
    if (value === null) return null;
    if (!(allowed as readonly string[]).includes(value)) {
      this.fail(field, `Choose one of: ${allowed.join(', ')}.`);
      return null;
    }
    return value as T;
  }

  bool(field: string, fallback: boolean): boolean {
    const raw = this.has(field) ? this.input[field] : this.existing?.[field];
    if (raw === undefined || raw === null || raw === '') return fallback;
    if (raw === true || raw === 'true' || raw === '1' || raw === 1) return true;
    if (raw === false || raw === 'false' || raw === '0' || raw === 0) return false;
    this.fail(field, 'Choose yes or no.');
    return fallback;
  }

  /** A new secret typed by the admin; undefined keeps the stored one. Never trimmed. */
  secret(field: string, max: number): string | undefined {
    const raw = this.input[field];
    if (raw === undefined || raw === null || raw === '') return undefined;
    if (typeof raw !== 'string') {
      this.fail(field, 'Enter text.');
      return undefined;
    }
    if (raw.length > max) this.fail(field, `Too long: at most ${max} characters.`);
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000-\u001f\u007f]/.test(raw)) this.fail(field, 'Remove control characters (such as line breaks).');
    return raw;
  }

  raw(field: string): unknown {
    return this.has(field) ? this.input[field] : this.existing?.[field];
  }

  check(field: string, error: string | null): void {
    if (error) this.fail(field, error);
  }

  fail(field: string, message: string): void {
    this.errors[field] ??= message;
  }

  result<T>(value: T): Validated<T> {
    return Object.keys(this.errors).length ? { ok: false, errors: { ...this.errors } } : { ok: true, value };
  }
}
