// The Calico selector expression language as a tree, its one rendering and its
// evaluation. Grammar and semantics follow projectcalico/calico
// libcalico-go/lib/selector (tokenizer/tokenizer.go, parser/parser.go,
// parser/ast.go): string literals are quoted with ' or " and have NO escape
// sequences (a literal ends at the next quote of its kind), label keys are
// never quoted and consist of [A-Za-z0-9_./-].

/** A node of a Calico selector expression (the full grammar, so parsed hand-written selectors fit too). */
export type CalicoSelectorNode =
  | { readonly op: 'all' }
  | { readonly op: 'global' }
  | { readonly op: 'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith'; readonly key: string; readonly value: string }
  | { readonly op: 'in' | 'notIn'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'has'; readonly key: string }
  | { readonly op: 'not'; readonly term: CalicoSelectorNode }
  | { readonly op: 'and' | 'or'; readonly terms: readonly CalicoSelectorNode[] };

/** Characters Calico's tokenizer accepts in a label key (`findIdentifier`). */
export const CALICO_KEY = /^[A-Za-z0-9_./-]+$/;

/** Why a label value cannot be written as a Calico string literal, or undefined when it can. */
export function unquotableReason(value: string): string | undefined {
  if (value.includes('\'') && value.includes('"')) {
    return 'a value that does not contain both \' and " (Calico string literals have no escape sequences, so no quoting can hold both)';
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    return 'a value without control characters (tabs, line breaks): no Kubernetes or Calico label value can contain them';
  }
  return undefined;
}

/**
 * A Calico string literal for `value`: single quotes, or double quotes when the
 * value contains a single quote. Throws when no literal can hold it.
 */
export function quoteValue(value: string): string {
  const reason = unquotableReason(value);
  if (reason) throw new Error(`cannot write ${JSON.stringify(value)} in a Calico selector: expected ${reason}`);
  return value.includes('\'') ? `"${value}"` : `'${value}'`;
}

function key(k: string): string {
  if (!CALICO_KEY.test(k)) {
    throw new Error(`cannot write label key ${JSON.stringify(k)} in a Calico selector: keys are never quoted, so they may only contain letters, digits, "_", ".", "/" and "-"`);
  }
  return k;
}

const COMPARISON: Record<'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith', string> = {
  eq: '==', ne: '!=', contains: 'contains', startsWith: 'starts with', endsWith: 'ends with',
};

/**
 * Renders a node as a selector string. `||` binds weakest, then `&&`, then `!`,
 * which applies to a single operation, so `or` terms inside `and` and compound
 * operands of `!` are parenthesized. Keys are checked and values quoted, so no
 * input can change the structure of the expression.
 */
export function renderSelector(n: CalicoSelectorNode): string {
  switch (n.op) {
    case 'all': return 'all()';
    case 'global': return 'global()';
    case 'has': return `has(${key(n.key)})`;
    case 'eq': case 'ne': case 'contains': case 'startsWith': case 'endsWith':
      return `${key(n.key)} ${COMPARISON[n.op]} ${quoteValue(n.value)}`;
    case 'in': case 'notIn':
      return `${key(n.key)} ${n.op === 'in' ? 'in' : 'not in'} {${n.values.map(quoteValue).join(', ')}}`;
    case 'not':
      return `!${n.term.op === 'and' || n.term.op === 'or' ? `(${renderSelector(n.term)})` : renderSelector(n.term)}`;
    case 'and':
      if (n.terms.length === 0) return 'all()';
      return n.terms.map(t => (t.op === 'or' ? `(${renderSelector(t)})` : renderSelector(t))).join(' && ');
    case 'or':
      if (n.terms.length === 0) throw new Error('an empty || has no Calico form');
      return n.terms.map(renderSelector).join(' || ');
  }
}

/**
 * The canonical form of a node: nested `and`s/`or`s flattened, `all()` dropped
 * from `and`, one-term groups unwrapped, `!!x` = `x`, set values sorted and
 * de-duplicated (Calico keeps sets sorted too). Two selectors with the same
 * canonical form have the same meaning.
 */
export function normalizeSelector(n: CalicoSelectorNode): CalicoSelectorNode {
  switch (n.op) {
    case 'in': case 'notIn':
      return { op: n.op, key: n.key, values: [...new Set(n.values)].sort() };
    case 'not': {
      const term = normalizeSelector(n.term);
      return term.op === 'not' ? term.term : { op: 'not', term };
    }
    case 'and': case 'or': {
      const flat: CalicoSelectorNode[] = [];
      for (const t of n.terms.map(normalizeSelector)) {
        if (t.op === n.op) flat.push(...t.terms);
        else if (!(n.op === 'and' && t.op === 'all')) flat.push(t);
      }
      if (n.op === 'and' && flat.length === 0) return { op: 'all' };
      return flat.length === 1 ? flat[0] : { op: n.op, terms: flat };
    }
    default:
      return n;
  }
}

/** Label lookup that ignores inherited object properties. */
function labelOf(labels: Readonly<Record<string, string>>, k: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(labels, k) ? labels[k] : undefined;
}

/**
 * Whether labels satisfy the selector, with Calico's semantics (parser/ast.go):
 * `!=` and `not in` also hold when the key is absent; `global()` is true (it
 * only means something as a namespace selector, where the caller handles it).
 */
export function evaluateSelector(n: CalicoSelectorNode, labels: Readonly<Record<string, string>>): boolean {
  switch (n.op) {
    case 'all': case 'global': return true;
    case 'has': return labelOf(labels, n.key) !== undefined;
    case 'eq': { const v = labelOf(labels, n.key); return v !== undefined && v === n.value; }
    case 'ne': { const v = labelOf(labels, n.key); return v === undefined || v !== n.value; }
    case 'contains': { const v = labelOf(labels, n.key); return v !== undefined && v.includes(n.value); }
    case 'startsWith': { const v = labelOf(labels, n.key); return v !== undefined && v.startsWith(n.value); }
    case 'endsWith': { const v = labelOf(labels, n.key); return v !== undefined && v.endsWith(n.value); }
    case 'in': { const v = labelOf(labels, n.key); return v !== undefined && n.values.includes(v); }
    case 'notIn': { const v = labelOf(labels, n.key); return v === undefined || !n.values.includes(v); }
    case 'not': return !evaluateSelector(n.term, labels);
    case 'and': return n.terms.every(t => evaluateSelector(t, labels));
    case 'or': return n.terms.some(t => evaluateSelector(t, labels));
  }
}
