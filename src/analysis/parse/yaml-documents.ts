import { LineCounter, parseAllDocuments } from 'yaml';
import { fastParseYaml } from './fast-yaml';
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
 * of a `kind: List` (or `PodList`, `NetworkPolicyList`, …). Empty documents are skipped. JSON is read
 * with `JSON.parse`, kubectl-style block YAML with `fastParseYaml`, anything else with `yaml`.
 * Throws a `ManifestError` for YAML syntax errors (with line and column) and malformed lists.
 */
export function readManifestObjects(text: string, file: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  const json = parseJson(text);
  const values = json !== undefined ? [json] : fastParseYaml(text) ?? parseYaml(text, file);
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

/** `kubectl get -o json` output is read with JSON.parse, two orders of magnitude faster than YAML. */
function parseJson(text: string): unknown {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // not strict JSON (flow-style YAML): the YAML parser reads it and reports errors
  }
}

function parseYaml(text: string, file: string): unknown[] {
  const documents = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const docs = Array.isArray(documents) ? documents : [documents];
  return docs.map((doc, i) => {
    const location: SourceLocation = { file, document: i + 1 };
    const error = doc.errors[0];
    if (error) {
      // Positions are only computed on failure; a line counter slows every successful parse.
      const lineCounter = new LineCounter();
      parseAllDocuments(text, { lineCounter });
      const position = lineCounter.linePos(error.pos[0]);
      throw new ManifestError(location, '', `invalid YAML at line ${position.line}, column ${position.col}: ${firstLine(error.message)}`);
    }
    try {
      return doc.toJS({ maxAliasCount: 1000 });
    } catch (cause) {
      // Alias bombs and unresolvable aliases surface here, not in doc.errors.
      throw new ManifestError(location, '', `invalid YAML: ${firstLine((cause as Error).message)}`);
    }
  });
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

function firstLine(message: string): string {
  return message.split('\n')[0];
}
