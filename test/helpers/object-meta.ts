/**
 * The ObjectMeta checks the API server applies to every object and that no
 * OpenAPI schema expresses: name and namespace syntax, label and annotation
 * keys and values. CRDs describe `metadata` only as `type: object`, and the
 * built-in ObjectMeta schema only says `name: string`.
 */

/** One problem, located by a JSON pointer into the checked object. */
export interface Issue {
  readonly pointer: string;
  readonly message: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ANNOTATIONS_TOTAL_MAX = 256 * 1024;

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** DNS-1123 subdomain: lower-case alphanumerics, '-' and '.', at most 253 characters. */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** DNS-1123 label: lower-case alphanumerics and '-', at most 63 characters. */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

/** A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'must be a qualified name: an optional DNS subdomain prefix, "/", and a name';
  const name = parts[parts.length - 1];
  if (parts.length === 2 && !isDns1123Subdomain(parts[0])) {
    return `prefix "${parts[0]}" must be a DNS-1123 subdomain of at most 253 characters`;
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME_PART.test(name)) {
    return `name part "${name}" must be 1-63 characters of [A-Za-z0-9-_.], starting and ending with an alphanumeric`;
  }
  return undefined;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Checks `obj.metadata` for a kind with the given scope. Our manifests are
 * applied as they are, so `name` is required (no `generateName`), and a
 * cluster-scoped kind must not carry a namespace (the server would drop it,
 * which hides a renderer bug).
 */
export function validateObjectMeta(obj: any, scope: 'Namespaced' | 'Cluster'): Issue[] {
  const issues: Issue[] = [];
  const add = (pointer: string, message: string) => issues.push({ pointer, message });
  const meta = obj?.metadata;
  if (!isPlainObject(meta)) {
    add('/metadata', 'metadata must be an object with at least a name');
    return issues;
  }
  if (typeof meta.name !== 'string' || meta.name.length === 0) {
    add('/metadata/name', 'metadata.name is required');
  } else if (!isDns1123Subdomain(meta.name)) {
    add('/metadata/name', `"${meta.name}" is not a DNS-1123 subdomain (lower-case alphanumerics, '-' or '.', `
      + 'starting and ending with an alphanumeric, at most 253 characters)');
  }
  if (meta.namespace !== undefined) {
    if (scope === 'Cluster') {
      add('/metadata/namespace', `${obj.kind} is cluster-scoped and must not set metadata.namespace`);
    } else if (typeof meta.namespace !== 'string' || !isDns1123Label(meta.namespace)) {
      add('/metadata/namespace', `${JSON.stringify(meta.namespace)} is not a DNS-1123 label (lower-case alphanumerics `
        + "or '-', starting and ending with an alphanumeric, at most 63 characters)");
    }
  }
  for (const field of ['labels', 'annotations'] as const) {
    const map = meta[field];
    if (map === undefined) continue;
    if (!isPlainObject(map)) {
      add(`/metadata/${field}`, `metadata.${field} must be a map of strings`);
      continue;
    }
    let total = 0;
    for (const [key, value] of Object.entries(map)) {
      const at = `/metadata/${field}/${pointerSegment(key)}`;
      const keyProblem = qualifiedNameProblem(key);
      if (keyProblem) add(at, `${field} key "${key}": ${keyProblem}`);
      if (typeof value !== 'string') {
        add(at, `${field} values must be strings, got ${value === null ? 'null' : typeof value}`);
        continue;
      }
      total += key.length + value.length;
      if (field === 'labels' && (value.length > 63 || !LABEL_VALUE.test(value))) {
        add(at, `label value "${value}" must be at most 63 characters of [A-Za-z0-9-_.], `
          + 'starting and ending with an alphanumeric (or empty)');
      }
    }
    if (field === 'annotations' && total > ANNOTATIONS_TOTAL_MAX) {
      add('/metadata/annotations', `annotations total ${total} bytes, more than the ${ANNOTATIONS_TOTAL_MAX} allowed`);
    }
  }
  return issues;
}
