/**
 * Operators of a set-based label requirement, as Kubernetes defines them.
 * `NotIn` and `DoesNotExist` also match objects that lack the key.
 */
export type LabelOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** One set-based requirement (`matchExpressions` entry). */
export interface LabelRequirementModel {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and de-duplicated; empty for Exists / DoesNotExist. */
  readonly values: readonly string[];
}

/**
 * A label selector: every `matchLabels` pair AND every requirement must hold.
 * An empty selector selects everything in its scope.
 */
export interface LabelSelectorModel {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelRequirementModel[];
}

/**
 * Whether a label map has the key as its own entry. Label maps are plain
 * objects, and valid label keys such as `constructor` or `toString` are also
 * names on every object's prototype: `key in labels` and `labels[key]` would
 * find those.
 */
export function hasLabel(labels: Readonly<Record<string, string>>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, key);
}

/** The selector that selects everything in its scope. */
export const EVERYTHING: LabelSelectorModel = Object.freeze({ matchLabels: Object.freeze({}), matchExpressions: Object.freeze([]) });

/** Whether the selector has no requirement at all. */
export function isEverything(s: LabelSelectorModel): boolean {
  return Object.keys(s.matchLabels).length === 0 && s.matchExpressions.length === 0;
}

/** Builds a frozen selector with keys and requirements in a canonical order. */
export function labelSelector(matchLabels: Record<string, string> = {}, matchExpressions: LabelRequirementModel[] = []): LabelSelectorModel {
  const labels: Record<string, string> = {};
  for (const k of Object.keys(matchLabels).sort()) labels[k] = matchLabels[k];
  const exprs = dedupe(matchExpressions.map(e => Object.freeze({
    key: e.key,
    operator: e.operator,
    values: Object.freeze([...new Set(e.values)].sort()),
  })));
  exprs.sort((a, b) => requirementKey(a).localeCompare(requirementKey(b)));
  return Object.freeze({ matchLabels: Object.freeze(labels), matchExpressions: Object.freeze(exprs) });
}

/**
 * The intersection of two selectors (pods matching both). Always expressible
 * as one selector: conflicting `matchLabels` values move to `In` requirements,
 * which then simply match nothing.
 */
export function intersectSelectors(a: LabelSelectorModel, b: LabelSelectorModel): LabelSelectorModel {
  const labels: Record<string, string> = { ...a.matchLabels };
  const exprs: LabelRequirementModel[] = [...a.matchExpressions, ...b.matchExpressions];
  for (const [k, v] of Object.entries(b.matchLabels)) {
    if (hasLabel(labels, k) && labels[k] !== v) {
      exprs.push({ key: k, operator: 'In', values: [v] });
    } else {
      labels[k] = v;
    }
  }
  return labelSelector(labels, exprs);
}

/** Whether a set of labels satisfies the selector (Kubernetes semantics). */
export function selectorMatches(s: LabelSelectorModel, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(s.matchLabels)) {
    if (!hasLabel(labels, k) || labels[k] !== v) return false;
  }
  for (const r of s.matchExpressions) {
    const has = hasLabel(labels, r.key);
    switch (r.operator) {
      case 'In': if (!has || !r.values.includes(labels[r.key])) return false; break;
      case 'NotIn': if (has && r.values.includes(labels[r.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
    }
  }
  return true;
}

/** A stable string form, used for de-duplication and in messages. */
export function selectorToString(s: LabelSelectorModel): string {
  const parts = Object.entries(s.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const r of s.matchExpressions) parts.push(requirementKey(r));
  return parts.length === 0 ? '(all)' : parts.join(',');
}

function requirementKey(r: LabelRequirementModel): string {
  switch (r.operator) {
    case 'Exists': return r.key;
    case 'DoesNotExist': return `!${r.key}`;
    case 'In': return `${r.key} in (${r.values.join(',')})`;
    case 'NotIn': return `${r.key} notin (${r.values.join(',')})`;
  }
}

function dedupe(rs: LabelRequirementModel[]): LabelRequirementModel[] {
  const seen = new Map<string, LabelRequirementModel>();
  for (const r of rs) seen.set(requirementKey(r), r);
  return [...seen.values()];
}
