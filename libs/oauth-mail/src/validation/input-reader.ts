import type { FieldErrors } from '../errors/oauth-mail.error.js';
import { isForbiddenFieldName } from '../provisioning/user-fields.mapper.js';
import { checkText, checkToken } from './field-rules.js';

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

  /** `field = name` lines, a JSON object, or an object: field names to `target` names (claims, attributes). */
  mapping(field: string, target: string): Record<string, string> | null {
    const raw = this.raw(field);
    if (raw === undefined || raw === null || raw === '') return null;
    const usage = `Write one "field = ${target}" pair per line.`;
    let entries: [string, unknown][];
    if (typeof raw === 'object' && !Array.isArray(raw)) entries = Object.entries(raw);
    else if (typeof raw === 'string' && raw.trim().startsWith('{')) {
      try {
        entries = Object.entries(JSON.parse(raw) as object);
      } catch {
        this.fail(field, usage);
        return null;
      }
    } else if (typeof raw === 'string') {
      entries = [];
      for (const line of raw.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
        const eq = line.indexOf('=');
        if (eq <= 0) {
          this.fail(field, `${usage} ("${line.slice(0, 40)}" has no "=").`);
          return null;
        }
        entries.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
      }
    } else {
      this.fail(field, usage);
      return null;
    }
    if (entries.length > 50) this.fail(field, 'At most 50 mappings.');
    const mapping: Record<string, string> = {};
    for (const [key, value] of entries) {
      if (typeof value !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(key) || isForbiddenFieldName(key) || checkToken(value, 200)) {
        this.fail(field, `"${String(key).slice(0, 40)}" must map a field name to a ${target} name without spaces.`);
        return null;
      }
      mapping[key] = value;
    }
    return entries.length ? mapping : null;
  }

  /** A comma- or line-separated list, or an array. */
  list(field: string): string[] | null {
    const raw = this.raw(field);
    if (raw === undefined || raw === null || raw === '') return null;
    const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[,\n]/) : null;
    if (!items || items.some((i) => typeof i !== 'string')) {
      this.fail(field, 'Enter names separated by commas.');
      return null;
    }
    const list = (items as string[]).map((i) => i.trim()).filter(Boolean);
    for (const item of list) this.check(field, checkText(item, 100));
    return list.length ? list : null;
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
