/** Labels of a pod or namespace. Always read through `labelValue` (plain objects inherit `constructor` & co). */
export type Labels = Readonly<Record<string, string>>;

/**
 * A label selector as a boolean expression. Kubernetes selectors translate to an `and` of leaves;
 * the tree leaves room for Calico's `||`, `!` and `all()` without a second selector type.
 *
 * Leaf semantics follow Kubernetes: `notIn` and `doesNotExist` also match when the key is absent.
 */
export type SelectorExpr =
  | { readonly op: 'all' }
  | { readonly op: 'and'; readonly terms: readonly SelectorExpr[] }
  | { readonly op: 'or'; readonly terms: readonly SelectorExpr[] }
  | { readonly op: 'not'; readonly term: SelectorExpr }
  | { readonly op: 'in'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'notIn'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'exists'; readonly key: string }
  | { readonly op: 'doesNotExist'; readonly key: string };

/** The selector that matches everything (`{}` in Kubernetes, `all()` in Calico). */
export const SELECT_ALL: SelectorExpr = { op: 'all' };

/** The value of a label, or undefined when the key is absent. */
export function labelValue(labels: Labels, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
}

/** True if the labels satisfy the selector. */
export function matchesSelector(selector: SelectorExpr, labels: Labels): boolean {
  switch (selector.op) {
    case 'all':
      return true;
    case 'and':
      return selector.terms.every((term) => matchesSelector(term, labels));
    case 'or':
      return selector.terms.some((term) => matchesSelector(term, labels));
    case 'not':
      return !matchesSelector(selector.term, labels);
    case 'in': {
      const value = labelValue(labels, selector.key);
      return value !== undefined && selector.values.includes(value);
    }
    case 'notIn': {
      const value = labelValue(labels, selector.key);
      return value === undefined || !selector.values.includes(value);
    }
    case 'exists':
      return labelValue(labels, selector.key) !== undefined;
    case 'doesNotExist':
      return labelValue(labels, selector.key) === undefined;
  }
}

/** A Kubernetes `LabelSelectorRequirement` (operator already validated). */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

/**
 * Translates a Kubernetes label selector (`matchLabels` AND `matchExpressions`) into an expression.
 * An empty selector selects everything.
 */
export function selectorFromLabelSelector(
  matchLabels: Labels | undefined,
  matchExpressions: readonly LabelSelectorRequirement[] | undefined,
): SelectorExpr {
  const terms: SelectorExpr[] = [];
  for (const [key, value] of Object.entries(matchLabels ?? {})) {
    terms.push({ op: 'in', key, values: [value] });
  }
  for (const requirement of matchExpressions ?? []) {
    switch (requirement.operator) {
      case 'In':
        terms.push({ op: 'in', key: requirement.key, values: [...(requirement.values ?? [])] });
        break;
      case 'NotIn':
        terms.push({ op: 'notIn', key: requirement.key, values: [...(requirement.values ?? [])] });
        break;
      case 'Exists':
        terms.push({ op: 'exists', key: requirement.key });
        break;
      case 'DoesNotExist':
        terms.push({ op: 'doesNotExist', key: requirement.key });
        break;
    }
  }
  if (terms.length === 0) {
    return SELECT_ALL;
  }
  return terms.length === 1 ? terms[0] : { op: 'and', terms };
}

/**
 * A canonical string for the selector: equal selectors (up to term and value order) get equal keys.
 * Used to deduplicate selectors when grouping pods.
 */
export function selectorKey(selector: SelectorExpr): string {
  switch (selector.op) {
    case 'all':
      return '*';
    case 'and':
    case 'or': {
      const keys = [...new Set(selector.terms.map(selectorKey))].sort();
      if (keys.length === 1) {
        return keys[0];
      }
      return `${selector.op}(${keys.join(',')})`;
    }
    case 'not':
      return `not(${selectorKey(selector.term)})`;
    case 'in':
    case 'notIn':
      return `${selector.op}(${JSON.stringify(selector.key)},${JSON.stringify([...new Set(selector.values)].sort())})`;
    case 'exists':
    case 'doesNotExist':
      return `${selector.op}(${JSON.stringify(selector.key)})`;
  }
}

/** A short human description, e.g. `app=web, tier in (a, b), !legacy`; `all` for the empty selector. */
export function describeSelector(selector: SelectorExpr): string {
  switch (selector.op) {
    case 'all':
      return 'all';
    case 'and':
      return selector.terms.map((term) => (term.op === 'or' ? `(${describeSelector(term)})` : describeSelector(term))).join(', ');
    case 'or':
      return selector.terms.map((term) => (term.op === 'and' ? `(${describeSelector(term)})` : describeSelector(term))).join(' or ');
    case 'not':
      return `not (${describeSelector(selector.term)})`;
    case 'in':
      return selector.values.length === 1 ? `${selector.key}=${selector.values[0]}` : `${selector.key} in (${selector.values.join(', ')})`;
    case 'notIn':
      return selector.values.length === 1 ? `${selector.key}!=${selector.values[0]}` : `${selector.key} notin (${selector.values.join(', ')})`;
    case 'exists':
      return selector.key;
    case 'doesNotExist':
      return `!${selector.key}`;
  }
}
