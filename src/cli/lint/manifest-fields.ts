import { RawObject } from './lint-object';

/** Read-only, never-throwing access to manifest data as written (objects were validated before linting). */

/** The value as an object, or undefined. */
export function asObject(value: unknown): RawObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as RawObject : undefined;
}

/** The value as a list, or an empty list. */
export function asList(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The objects of a list (other entries skipped) with their indices. */
export function objectsOf(value: unknown): { readonly value: RawObject; readonly index: number }[] {
  return asList(value).flatMap((entry, index) => {
    const object = asObject(entry) ?? (entry === null ? {} : undefined);
    return object ? [{ value: object, index }] : [];
  });
}

/** The value as a string, or undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** True if the key is written, even as null or an empty list. */
export function hasField(object: RawObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** The `spec` of an object, or an empty object. */
export function specOf(raw: RawObject): RawObject {
  return asObject(raw.spec) ?? {};
}

/** True for a missing list, `null` or `[]` (the same on the wire). */
export function isEmptyList(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

/** True for a Kubernetes label selector that selects everything: `{}` (no matchLabels, no matchExpressions). */
export function isEmptyLabelSelector(value: unknown): boolean {
  const selector = asObject(value);
  if (!selector) {
    return value === undefined || value === null;
  }
  const labels = asObject(selector.matchLabels);
  return (labels === undefined || Object.keys(labels).length === 0) && isEmptyList(selector.matchExpressions);
}

/** A stable text for a selector, so two selectors written the same way compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  const object = asObject(value);
  if (object) {
    return `{${Object.keys(object).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** `parent[index]`. */
export function at(parent: string, index: number): string {
  return `${parent}[${index}]`;
}
