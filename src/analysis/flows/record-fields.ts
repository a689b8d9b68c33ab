import { tryParseIpAddress } from '../ip/ip-address';

/** A problem with one field of a record; the file reader adds the file and line (`FlowInputError`). */
export class RecordProblem extends Error {
  constructor(readonly field: string, readonly problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'RecordProblem';
  }
}

/** A JSON value as text for messages, cut short. */
export function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `source_port` → `sourcePort`: protojson reads both spellings (`hubble observe --input-file` does too). */
function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

const CAMEL = new Map<string, string>();

/**
 * Reads the fields of one JSON record with the path of each for messages. Field names are the
 * proto names; their lowerCamel spelling is accepted too. Unknown fields are ignored (newer
 * versions add fields), but a known field of the wrong type is an error.
 */
export class RecordFields {
  constructor(readonly value: Record<string, unknown>, readonly path: string) {}

  /** The raw value of a field (proto name, or its lowerCamel spelling). */
  public raw(name: string): unknown {
    const own = this.value[name];
    if (own !== undefined) return own;
    let camel = CAMEL.get(name);
    if (camel === undefined) CAMEL.set(name, camel = lowerCamel(name));
    return camel === name ? undefined : this.value[camel];
  }

  public fieldPath(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  /** A nested object, or undefined when absent or null. */
  public object(name: string): RecordFields | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    if (!isObject(v)) throw new RecordProblem(this.fieldPath(name), `expected an object, got ${show(v)}`);
    return new RecordFields(v, this.fieldPath(name));
  }

  /** A string, or undefined when absent or null. */
  public string(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new RecordProblem(this.fieldPath(name), `expected a string, got ${show(v)}`);
    return v;
  }

  /** A boolean (protojson writes `BoolValue` as a bare boolean), or undefined. */
  public boolean(name: string): boolean | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw new RecordProblem(this.fieldPath(name), `expected true or false, got ${show(v)}`);
    return v;
  }

  /**
   * An integer in a range, or undefined. protojson writes 64-bit integers as strings and accepts
   * strings for every integer, so a decimal string is read too.
   */
  public integer(name: string, min: number, max: number): number | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,20}$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new RecordProblem(this.fieldPath(name), `expected an integer from ${min} to ${max}, got ${show(v)}`);
    }
    return n;
  }

  /** An enum given by name or by number (protojson accepts both); `names` maps numbers to names. */
  public enumName(name: string, names: ReadonlyMap<number, string>): string | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') {
      if (!/^[A-Za-z0-9_]{1,80}$/.test(v)) throw new RecordProblem(this.fieldPath(name), `expected an enum name such as ${[...names.values()][1] ?? 'UNKNOWN'}, got ${show(v)}`);
      return v;
    }
    if (typeof v === 'number' && Number.isInteger(v)) return names.get(v) ?? String(v);
    throw new RecordProblem(this.fieldPath(name), `expected an enum name or number, got ${show(v)}`);
  }

  /** A list (absent or null: empty). */
  public list(name: string): unknown[] {
    const v = this.raw(name);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new RecordProblem(this.fieldPath(name), `expected a list, got ${show(v)}`);
    return v;
  }

  /** A list of strings. */
  public strings(name: string): string[] {
    return this.list(name).map((item, i) => {
      if (typeof item !== 'string') throw new RecordProblem(`${this.fieldPath(name)}[${i}]`, `expected a string, got ${show(item)}`);
      return item;
    });
  }

  /** The objects of a list. */
  public objects(name: string): RecordFields[] {
    return this.list(name).map((item, i) => {
      if (!isObject(item)) throw new RecordProblem(`${this.fieldPath(name)}[${i}]`, `expected an object, got ${show(item)}`);
      return new RecordFields(item, `${this.fieldPath(name)}[${i}]`);
    });
  }
}

const ADDRESSES = new Map<string, string | RecordProblem>();

/**
 * An IP address as its canonical text (`10.0.0.1`, `fd00::1`); throws a `RecordProblem` naming the
 * field for anything else. Results are cached: a flow file repeats the same addresses.
 */
export function canonicalIp(text: string, field: string): string {
  let known = ADDRESSES.get(text);
  if (known === undefined) {
    const parsed = tryParseIpAddress(text);
    known = typeof parsed === 'string' ? new RecordProblem(field, parsed) : parsed.text;
    if (ADDRESSES.size > 100_000) ADDRESSES.clear();
    ADDRESSES.set(text, known);
  }
  if (known instanceof RecordProblem) throw new RecordProblem(field, known.problem);
  return known;
}
