import { ManifestError } from './manifest-error';
import { describeValue, isRecord } from './yaml-documents';
import { SourceLocation } from '../ir/policy-ref';

/**
 * Typed access to one object read from YAML. Every accessor takes the field path it reads, and every
 * failure throws a `ManifestError` naming file, document, object and field, and saying what was expected.
 */
export class FieldReader {
  /** Describes the object in errors, e.g. `NetworkPolicy prod/web`; set once metadata has been read. */
  public objectDescription?: string;

  constructor(public readonly location: SourceLocation) {}

  /** Throws a `ManifestError` for `path`. */
  public fail(path: string, problem: string): never {
    const prefix = this.location.path ?? '';
    const full = prefix && path ? `${prefix}.${path}` : prefix || path;
    throw new ManifestError(this.location, full, problem, this.objectDescription);
  }

  /** A required object. */
  public object(value: unknown, path: string): Record<string, unknown> {
    if (!isRecord(value)) {
      this.fail(path, `expected an object, got ${describeValue(value)}`);
    }
    return value;
  }

  /** An object, or undefined when the field is absent or null. */
  public optionalObject(value: unknown, path: string): Record<string, unknown> | undefined {
    return value === undefined || value === null ? undefined : this.object(value, path);
  }

  /** A list, or an empty list when absent or null (JSON `omitempty` makes both the same on the wire). */
  public list(value: unknown, path: string): unknown[] {
    if (value === undefined || value === null) {
      return [];
    }
    if (!Array.isArray(value)) {
      this.fail(path, `expected a list, got ${describeValue(value)}`);
    }
    return value;
  }

  /** A required non-empty string. */
  public string(value: unknown, path: string): string {
    if (typeof value !== 'string') {
      this.fail(path, value === undefined ? 'required field is missing; expected a string' : `expected a string, got ${describeValue(value)}${quoteHint(value)}`);
    }
    if (value.length === 0) {
      this.fail(path, 'expected a non-empty string');
    }
    return value;
  }

  /** A string, or undefined when absent or null. */
  public optionalString(value: unknown, path: string): string | undefined {
    return value === undefined || value === null ? undefined : this.string(value, path);
  }

  /** A boolean, or the default when absent or null. */
  public boolean(value: unknown, path: string, defaultValue: boolean): boolean {
    if (value === undefined || value === null) {
      return defaultValue;
    }
    if (typeof value !== 'boolean') {
      this.fail(path, `expected true or false, got ${describeValue(value)}`);
    }
    return value;
  }

  /** An integer in an inclusive range. */
  public integer(value: unknown, path: string, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      const hint = typeof value === 'string' && /^\d+$/.test(value) ? ' (write the number without quotes)' : '';
      this.fail(path, `expected an integer from ${min} to ${max}, got ${describeValue(value)}${hint}`);
    }
    return value;
  }

  /**
   * A map of strings to strings (labels), or an empty map when absent or null. The result has no
   * prototype: keys such as `__proto__` and `constructor` are kept as keys.
   */
  public stringMap(value: unknown, path: string): Record<string, string> {
    const object = this.optionalObject(value, path) ?? {};
    const result = Object.create(null) as Record<string, string>;
    for (const [key, entry] of Object.entries(object)) {
      if (typeof entry !== 'string') {
        this.fail(childPath(path, key), `expected a string value, got ${describeValue(entry)}${quoteHint(entry)}`);
      }
      result[key] = entry;
    }
    return result;
  }

  /** Rejects fields the schema does not have, so a typo (`ingres`) cannot silently change meaning. */
  public rejectUnknownFields(object: Record<string, unknown>, path: string, known: readonly string[]): void {
    for (const key of Object.keys(object)) {
      if (!known.includes(key)) {
        const suggestion = closest(key, known);
        const hint = suggestion ? `; did you mean "${suggestion}"?` : `; expected one of: ${known.join(', ')}`;
        this.fail(childPath(path, key), `unknown field "${key}"${hint}`);
      }
    }
  }
}

/**
 * Why a plain YAML word became a number or boolean, and how to keep it a string: kubectl reads YAML
 * 1.1, where `y`, `n`, `yes`, `no`, `on`, `off` are booleans and `0120` is the octal 80.
 */
export function quoteHint(value: unknown): string {
  if (typeof value === 'boolean') {
    return ' (kubectl reads YAML 1.1, where the plain words y, n, yes, no, on, off, true and false are booleans: quote the value)';
  }
  if (typeof value === 'number') {
    return ` (quote it: "${String(value)}")`;
  }
  return '';
}

/** `parent.key` (or `key` at the root); keys that are not identifiers are quoted. */
export function childPath(parent: string, key: string): string {
  const segment = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : JSON.stringify(key);
  if (!parent) {
    return segment;
  }
  return segment.startsWith('"') ? `${parent}[${segment}]` : `${parent}.${segment}`;
}

/** `parent[index]`. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** The known name closest to a misspelling (edit distance ≤ 2, or a case-only difference). */
function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}
