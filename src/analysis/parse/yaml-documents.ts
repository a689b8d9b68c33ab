import { fastParseYaml } from './fast-yaml';
import { GoYamlError, readGoYaml } from './go-yaml-reader';
import { jsonProblem, yamlDepthProblem } from './input-limits';
import { ManifestError } from './manifest-error';
import { SourceLocation } from '../ir/policy-ref';

/** One Kubernetes object read from YAML, with where it came from. */
export interface ManifestObject {
  readonly location: SourceLocation;
  readonly value: unknown;
}

/** The kinds that wrap other objects in `items` (what `kubectl get -o yaml` prints). */
const LIST_KINDS = /^(List|[A-Z][A-Za-z0-9]*List)$/;

/**
 * Splits YAML text into Kubernetes objects: every document of a multi-document stream, and every item
 * of a `kind: List` (or `PodList`, `NetworkPolicyList`, …). Empty documents are skipped.
 *
 * Values are what kubectl sends to the API server for the same bytes: YAML is read with YAML 1.1
 * scalars and keys as go-yaml v2 resolves them (`go-yaml-scalar.ts`; `port: 0120` is 80, `yes` is
 * true), kubectl-style block YAML by `fastParseYaml`, anything else by `readGoYaml`; a text starting
 * with `{` or `[` is read with `JSON.parse` when it is JSON (kubectl sends `{…}` JSON as written).
 * Nesting depth is bounded before any parse. Throws a `ManifestError` for syntax errors (with line
 * and column), what kubectl or the API server would refuse, and malformed lists.
 */
export function readManifestObjects(text: string, file: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  const json = parseJson(text, file);
  const values = json !== undefined ? [json] : readYaml(text, file);
  values.forEach((value, i) => {
    const location: SourceLocation = { file, document: i + 1 };
    if (value === null || value === undefined) {
      return;
    }
    if (isRecord(value) && typeof value.kind === 'string' && LIST_KINDS.test(value.kind) && 'items' in value) {
      const items = value.items;
      if (items === null || items === undefined) {
        return;
      }
      if (!Array.isArray(items)) {
        throw new ManifestError(location, 'items', `expected a list of objects, got ${describeValue(items)}`);
      }
      items.forEach((item, j) => objects.push({ location: { ...location, path: `items[${j}]` }, value: item }));
      return;
    }
    objects.push({ location, value });
  });
  return objects;
}

/**
 * `kubectl get -o json` output is read with JSON.parse, two orders of magnitude faster than YAML,
 * after `jsonProblem` checked what JSON.parse would let through (depth, duplicate keys, `80.0`).
 * kubectl reads only `{…}` as JSON; a `[…]` text is YAML to it, where `80.0` is the number 80.
 */
function parseJson(text: string, file: string): unknown {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') {
    return undefined;
  }
  const problem = jsonProblem(text, { integralFloats: start === '{' });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // not strict JSON (flow-style YAML): the YAML reader reads it and reports errors
  }
  if (problem) {
    throw new ManifestError({ file, document: 1 }, '', `line ${problem.line}, column ${problem.column}: ${problem.problem}`);
  }
  return value;
}

/** YAML 1.1 (go-yaml, libyaml) breaks lines at these; YAML 1.2 (the `yaml` library) does not. */
const YAML11_LINE_BREAKS = /[\u0085\u2028\u2029]/;

function readYaml(text: string, file: string): unknown[] {
  const depth = yamlDepthProblem(text);
  if (depth) {
    throw new ManifestError({ file, document: documentAt(text, depth.line) }, '', `line ${depth.line}: ${depth.problem}`);
  }
  const lineBreak = YAML11_LINE_BREAKS.exec(text);
  if (lineBreak) {
    const line = text.slice(0, lineBreak.index).split('\n').length;
    throw new ManifestError({ file, document: documentAt(text, line) }, '',
      `line ${line}: the character U+${lineBreak[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} is a line break for kubectl's YAML 1.1 reader and not for YAML 1.2 ones; write it as an escape in a double-quoted string`);
  }
  const fast = fastParseYaml(text);
  if (fast) {
    return fast;
  }
  try {
    return readGoYaml(text);
  } catch (error) {
    if (error instanceof GoYamlError) {
      const at = error.line === undefined ? '' : `line ${error.line}, column ${error.column}: `;
      throw new ManifestError({ file, document: error.document }, '', `${at}${error.problem}`);
    }
    throw error;
  }
}

/** The 1-based document that a line belongs to (counting `---` separators before it). */
function documentAt(text: string, line: number): number {
  const before = text.split('\n').slice(0, line - 1);
  const separators = before.filter((l) => l.startsWith('---')).length;
  const leading = before.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
  return Math.max(1, separators + (leading >= 0 && before[leading].startsWith('---') ? 0 : 1));
}

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a value reads in an error message: its type and, when short, the value. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) {
    return 'nothing (null)';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (typeof value === 'object') {
    return 'an object';
  }
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
