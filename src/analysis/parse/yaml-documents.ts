import { LineCounter, parseAllDocuments } from 'yaml';
import { SourceLocation } from '../ir/policy-ref';
import { ManifestError } from './manifest-error';

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
 * Throws a `ManifestError` for YAML syntax errors (with line and column) and malformed lists.
 */
export function readManifestObjects(text: string, file: string): ManifestObject[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  const docs = Array.isArray(documents) ? documents : [documents];
  const objects: ManifestObject[] = [];
  docs.forEach((doc, i) => {
    const location: SourceLocation = { file, document: i + 1 };
    const error = doc.errors[0];
    if (error) {
      const position = lineCounter.linePos(error.pos[0]);
      const at = ` at line ${position.line}, column ${position.col}`;
      throw new ManifestError(location, '', `invalid YAML${at}: ${firstLine(error.message)}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
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
