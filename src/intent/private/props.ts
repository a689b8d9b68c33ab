import { InputProblem } from '../../validation/input-error';

/**
 * Type checks for the props of constructs and the arguments of factories, for
 * callers the TypeScript compiler does not check (JavaScript, `any`, other
 * jsii languages passing a wrong object): each returns the value when it has
 * the expected type, or records a problem and returns undefined, so that the
 * construct throws one PolicyInputError with its path instead of a TypeError
 * from deep inside.
 */

/** A class whose instances a prop holds (value objects have private constructors). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type ValueClass<T> = Function & { prototype: T };

/** The props object itself: a plain object (or nothing, when every prop is optional); unknown keys are problems. */
export function checkPropsObject(props: unknown, known: readonly string[], problems: InputProblem[], required: boolean): Record<string, any> {
  if (props === undefined && !required) return {};
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    problems.push({ what: 'props', value: props, expected: `an object with ${known.join(', ')}`, fix: 'pass the props as an object literal, e.g. { ... }' });
    return {};
  }
  const given: Record<string, any> = {};
  for (const key of Object.keys(props)) {
    const value = (props as Record<string, unknown>)[key];
    if (known.includes(key) && value === null) {
      // null is no value of any prop's type; "leave it out" is how to ask for the default.
      problems.push({ what: key, value, expected: 'a value of the prop\'s type, or no prop at all', fix: `leave ${key} out for its default` });
      continue;
    }
    if (value !== undefined) given[key] = value;
    if (known.includes(key)) continue;
    const near = closest(key, known);
    problems.push({
      what: `prop ${JSON.stringify(key)}`,
      value: (props as Record<string, unknown>)[key],
      expected: `one of ${known.join(', ')}`,
      fix: near ? `did you mean ${JSON.stringify(near)}?` : 'remove it: an unknown prop would be ignored, and with it what it says',
    });
  }
  return given;
}

/** An instance of a value class (Workload, Peer, Port, Engine...). */
export function checkInstance<T>(
  what: string, v: unknown, cls: ValueClass<T>, className: string, example: string, problems: InputProblem[],
): T | undefined {
  if (v instanceof cls) return v as T;
  problems.push({ what, value: v, expected: `a ${className}, e.g. ${example}`, fix: fixFor(v, className, example) });
  return undefined;
}

/** A list of value-class instances; with `nonEmpty`, an empty list is a problem too. */
export function checkInstances<T>(
  what: string, v: unknown, cls: ValueClass<T>, className: string, example: string, problems: InputProblem[],
  empty?: { readonly expected: string; readonly fix: string },
): T[] {
  if (!Array.isArray(v)) {
    const single = v instanceof cls;
    problems.push({
      what,
      value: v,
      expected: `a list of ${className}, e.g. [${example}]`,
      fix: single ? `wrap the ${className} in a list, e.g. ${what}: [${example}]` : fixFor(v, `list of ${className}`, `[${example}]`),
    });
    return [];
  }
  if (v.length === 0 && empty) {
    problems.push({ what, value: v, expected: empty.expected, fix: empty.fix });
    return [];
  }
  const out: T[] = [];
  v.forEach((x, i) => {
    const item = checkInstance(`${what}[${i}]`, x, cls, className, example, problems);
    if (item !== undefined) out.push(item);
  });
  return out;
}

/** A string (not checked further). */
export function checkString(what: string, v: unknown, problems: InputProblem[], example: string): string | undefined {
  if (typeof v === 'string') return v;
  problems.push({ what, value: v, expected: `a string, e.g. ${example}`, fix: `pass the text itself, e.g. ${example}` });
  return undefined;
}

/** A boolean. */
export function checkBoolean(what: string, v: unknown, problems: InputProblem[]): boolean | undefined {
  if (typeof v === 'boolean') return v;
  problems.push({ what, value: v, expected: 'true or false', fix: `write ${what}: true, or leave it out` });
  return undefined;
}

/** An optional boolean prop: false when left out. */
export function checkFlag(props: object, name: string, problems: InputProblem[]): boolean {
  const v = (props as Record<string, unknown>)[name];
  if (v === undefined) return false;
  return checkBoolean(name, v, problems) === true;
}

/** A list of strings. */
export function checkStrings(what: string, v: unknown, problems: InputProblem[], example: string): string[] | undefined {
  if (Array.isArray(v) && v.every(x => typeof x === 'string')) return v as string[];
  problems.push({ what, value: v, expected: `a list of strings, e.g. ${example}`, fix: Array.isArray(v) ? 'every entry must be a string' : `wrap the value in a list: ${example}` });
  return undefined;
}

/** The fix for a value of the wrong type: name the factories, and what a string or a list means instead. */
function fixFor(v: unknown, expected: string, example: string): string {
  if (v === undefined || v === null) return `pass ${example}; there is no default`;
  if (typeof v === 'string') return `a string is not a ${expected}: create one with its factory, e.g. ${example}`;
  if (Array.isArray(v)) return `pass one value, not a list: e.g. ${example}`;
  return `create it with its factory, e.g. ${example}`;
}

/** The known name closest to a misspelt one (edit distance at most 2), if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
