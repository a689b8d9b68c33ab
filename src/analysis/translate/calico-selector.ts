// Calico selector expressions → analysis IR selections.
//
// A Calico endpoint selector sees the pod's labels plus labels Calico adds
// (libcalico-go: workload endpoints carry projectcalico.org/namespace,
// projectcalico.org/orchestrator and projectcalico.org/serviceaccount). The
// IR selects pods by namespace scope + pod labels + service-account names, so
// those keys are taken out of the expression: the orchestrator is 'k8s' for
// every pod of the cluster model, and the namespace and service-account keys
// are split into one selection per value the expression mentions (plus one
// for "any other value"). Namespace selectors see namespace labels, where
// projectcalico.org/name is the namespace's name (= kubernetes.io/metadata.name).
import { CalicoSelectorNode } from '../../dialects/calico/selector-ast';
import { NamespaceScope, PodSelection } from '../ir/analysis-policy';
import { SELECT_ALL, SelectorExpr } from '../ir/selector';

/** A selector construct the analysis IR (or the cluster model) cannot express. */
export class UnsupportedCalicoSelector extends Error {
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'UnsupportedCalicoSelector';
  }
}

export const CALICO_NAMESPACE_KEY = 'projectcalico.org/namespace';
export const CALICO_ORCHESTRATOR_KEY = 'projectcalico.org/orchestrator';
export const CALICO_SERVICE_ACCOUNT_KEY = 'projectcalico.org/serviceaccount';
export const CALICO_NAME_KEY = 'projectcalico.org/name';
const METADATA_NAME = 'kubernetes.io/metadata.name';

const TRUE: CalicoSelectorNode = { op: 'all' };
const FALSE: CalicoSelectorNode = { op: 'not', term: { op: 'all' } };
/** The IR selector that matches nothing. */
export const SELECT_NONE: SelectorExpr = { op: 'not', term: SELECT_ALL };

const isTrue = (n: CalicoSelectorNode) => n.op === 'all';
const isFalse = (n: CalicoSelectorNode) => n.op === 'not' && n.term.op === 'all';

/** The value a key takes in a substitution: a known value, or "some value no literal mentions". */
type KeyValue = { readonly value: string } | { readonly other: true };

/** Replaces every leaf on `key` by its truth value for `v`, then folds constants. */
export function substituteKey(n: CalicoSelectorNode, key: string, v: KeyValue): CalicoSelectorNode {
  const known = 'value' in v ? v.value : undefined;
  const leaf = (holds: boolean): CalicoSelectorNode => (holds ? TRUE : FALSE);
  switch (n.op) {
    case 'all': case 'global': return n;
    case 'has': return n.key === key ? TRUE : n;
    case 'eq': return n.key === key ? leaf(known !== undefined && known === n.value) : n;
    case 'ne': return n.key === key ? leaf(known === undefined || known !== n.value) : n;
    case 'in': return n.key === key ? leaf(known !== undefined && n.values.includes(known)) : n;
    case 'notIn': return n.key === key ? leaf(known === undefined || !n.values.includes(known)) : n;
    case 'contains': case 'startsWith': case 'endsWith':
      if (n.key !== key) return n;
      if (known === undefined) throw new UnsupportedCalicoSelector(`a "${n.op}" match on ${key}, which the analyzer can only compare for equality`);
      return leaf(n.op === 'contains' ? known.includes(n.value) : n.op === 'startsWith' ? known.startsWith(n.value) : known.endsWith(n.value));
    case 'not': return fold({ op: 'not', term: substituteKey(n.term, key, v) });
    case 'and': case 'or': return fold({ op: n.op, terms: n.terms.map(t => substituteKey(t, key, v)) });
  }
}

/** Folds true/false constants out of `and`, `or` and `!`. */
function fold(n: CalicoSelectorNode): CalicoSelectorNode {
  if (n.op === 'not') {
    if (isTrue(n.term)) return FALSE;
    if (isFalse(n.term)) return TRUE;
    return n;
  }
  if (n.op === 'and') {
    if (n.terms.some(isFalse)) return FALSE;
    const rest = n.terms.filter(t => !isTrue(t));
    return rest.length === 0 ? TRUE : rest.length === 1 ? rest[0] : { op: 'and', terms: rest };
  }
  if (n.op === 'or') {
    if (n.terms.some(isTrue)) return TRUE;
    const rest = n.terms.filter(t => !isFalse(t));
    return rest.length === 0 ? FALSE : rest.length === 1 ? rest[0] : { op: 'or', terms: rest };
  }
  return n;
}

/** The literal values a selector compares `key` with. */
function literals(n: CalicoSelectorNode, key: string, out = new Set<string>()): Set<string> {
  switch (n.op) {
    case 'eq': case 'ne': case 'contains': case 'startsWith': case 'endsWith':
      if (n.key === key) out.add(n.value);
      break;
    case 'in': case 'notIn':
      if (n.key === key) n.values.forEach(v => out.add(v));
      break;
    case 'not': literals(n.term, key, out); break;
    case 'and': case 'or': n.terms.forEach(t => literals(t, key, out)); break;
    default: break;
  }
  return out;
}

/** Renames a key (namespace selectors: projectcalico.org/name is the namespace's name). */
function renameKey(n: CalicoSelectorNode, from: string, to: string): CalicoSelectorNode {
  switch (n.op) {
    case 'has': case 'eq': case 'ne': case 'contains': case 'startsWith': case 'endsWith': case 'in': case 'notIn':
      return n.key === from ? { ...n, key: to } : n;
    case 'not': return { op: 'not', term: renameKey(n.term, from, to) };
    case 'and': case 'or': return { op: n.op, terms: n.terms.map(t => renameKey(t, from, to)) };
    default: return n;
  }
}

/** A Calico expression without Calico-specific keys as an IR selector. */
export function toIrSelector(n: CalicoSelectorNode, what: string): SelectorExpr {
  switch (n.op) {
    case 'all': return SELECT_ALL;
    case 'global': throw new UnsupportedCalicoSelector(`global() in ${what}: it only means something as a namespace selector`);
    case 'has': return { op: 'exists', key: n.key };
    case 'eq': return { op: 'in', key: n.key, values: [n.value] };
    case 'ne': return { op: 'notIn', key: n.key, values: [n.value] };
    case 'in': return { op: 'in', key: n.key, values: [...n.values] };
    case 'notIn': return { op: 'notIn', key: n.key, values: [...n.values] };
    case 'contains': case 'startsWith': case 'endsWith':
      throw new UnsupportedCalicoSelector(`the "${n.op === 'contains' ? 'contains' : n.op === 'startsWith' ? 'starts with' : 'ends with'}" operator on ${n.key} in ${what}: `
        + 'the analysis IR compares label values for equality only');
    case 'not': return n.term.op === 'all' ? SELECT_NONE : n.term.op === 'has' ? { op: 'doesNotExist', key: n.term.key } : { op: 'not', term: toIrSelector(n.term, what) };
    case 'and': case 'or': return { op: n.op, terms: n.terms.map(t => toIrSelector(t, what)) };
  }
}

/**
 * A namespace selector as an IR selector over namespace labels. `all()` is
 * every namespace; `global()` (non-namespaced endpoints: host endpoints and
 * global network sets) matches no namespace, hence no pod.
 */
export function namespaceSelectorToIr(n: CalicoSelectorNode): SelectorExpr {
  const withoutGlobal = replaceGlobal(n);
  return toIrSelector(renameKey(withoutGlobal, CALICO_NAME_KEY, METADATA_NAME), 'a namespace selector');
}

function replaceGlobal(n: CalicoSelectorNode): CalicoSelectorNode {
  switch (n.op) {
    case 'global': return FALSE;
    case 'not': return fold({ op: 'not', term: replaceGlobal(n.term) });
    case 'and': case 'or': return fold({ op: n.op, terms: n.terms.map(replaceGlobal) });
    default: return n;
  }
}

/**
 * The service-account names a selector over ServiceAccount labels admits, or
 * undefined for "any account". The cluster model knows accounts by name only,
 * so the selector may only test projectcalico.org/name, and must name the
 * accounts it admits (a "not these accounts" selector has no IR form).
 */
export function serviceAccountNames(n: CalicoSelectorNode, what: string): readonly string[] | undefined {
  checkOnlyKey(n, CALICO_NAME_KEY, what);
  const values = [...literals(n, CALICO_NAME_KEY)].sort();
  const admitted = values.filter(v => isTrue(substituteKey(n, CALICO_NAME_KEY, { value: v })));
  const others = substituteKey(n, CALICO_NAME_KEY, { other: true });
  if (isFalse(others)) return admitted;
  if (admitted.length === values.length) return undefined;
  throw new UnsupportedCalicoSelector(`${what} admits every service account except ${values.filter(v => !admitted.includes(v)).join(', ')}: the analysis IR can only list the accounts a selection admits`);
}

function checkOnlyKey(n: CalicoSelectorNode, key: string, what: string): void {
  switch (n.op) {
    case 'has': case 'eq': case 'ne': case 'contains': case 'startsWith': case 'endsWith': case 'in': case 'notIn':
      if (n.key !== key) throw new UnsupportedCalicoSelector(`${what} tests the label ${n.key}; the cluster model knows service accounts by name only (${key})`);
      return;
    case 'not': checkOnlyKey(n.term, key, what); return;
    case 'and': case 'or': n.terms.forEach(t => checkOnlyKey(t, key, what)); return;
    default: return;
  }
}

/** Intersects two service-account restrictions (undefined = any). */
export function intersectAccounts(a: readonly string[] | undefined, b: readonly string[] | undefined): readonly string[] | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.filter(x => b.includes(x));
}

/**
 * The pod selections an endpoint selector means inside a namespace scope,
 * with Calico's own endpoint labels taken out (see the file comment). Empty
 * when it can match no pod.
 *
 * @param selector the endpoint selector
 * @param namespaces the namespaces the endpoints may be in (an IR selector over namespace labels)
 * @param accounts the service accounts the endpoints must run as (undefined = any)
 */
export function endpointSelections(selector: CalicoSelectorNode, namespaces: SelectorExpr, accounts: readonly string[] | undefined,
  what: string): PodSelection[] {
  const pods = substituteKey(selector, CALICO_ORCHESTRATOR_KEY, { value: 'k8s' });
  const out: PodSelection[] = [];
  const nsValues = [...literals(pods, CALICO_NAMESPACE_KEY)].sort();
  const nsCases: KeyValue[] = [...nsValues.map(value => ({ value })), { other: true as const }];
  for (const ns of nsCases) {
    const inNs = substituteKey(pods, CALICO_NAMESPACE_KEY, ns);
    if (isFalse(inNs)) continue;
    const scopeTerm: SelectorExpr = 'value' in ns ? { op: 'in', key: METADATA_NAME, values: [ns.value] } : { op: 'notIn', key: METADATA_NAME, values: nsValues };
    const scope = nsValues.length === 0 ? namespaces : andSelectors(namespaces, scopeTerm);
    const saValues = [...literals(inNs, CALICO_SERVICE_ACCOUNT_KEY)].sort();
    for (const sa of [...saValues.map(value => ({ value })), { other: true as const }] as KeyValue[]) {
      const rest = substituteKey(inNs, CALICO_SERVICE_ACCOUNT_KEY, sa);
      if (isFalse(rest)) continue;
      let names: readonly string[] | undefined;
      if ('value' in sa) {
        names = intersectAccounts(accounts, [sa.value]);
      } else if (saValues.length === 0) {
        names = accounts;
      } else if (accounts !== undefined) {
        names = accounts.filter(a => !saValues.includes(a));
      } else {
        throw new UnsupportedCalicoSelector(`${what} admits pods whose ${CALICO_SERVICE_ACCOUNT_KEY} is none of ${saValues.join(', ')}: the analysis IR can only list the accounts a selection admits`);
      }
      if (names !== undefined && names.length === 0) continue;
      const accountsOf = names !== undefined ? { serviceAccounts: [...names] } : {};
      out.push({ namespaces: namespaceScope(scope), pods: toIrSelector(rest, what), ...accountsOf });
    }
  }
  return out;
}

/** `a AND b` over IR selectors, keeping `all` out. */
export function andSelectors(a: SelectorExpr, b: SelectorExpr): SelectorExpr {
  if (a.op === 'all') return b;
  if (b.op === 'all') return a;
  return { op: 'and', terms: [...(a.op === 'and' ? a.terms : [a]), ...(b.op === 'and' ? b.terms : [b])] };
}

/** A namespace scope, as a list of names when the selector is just that. */
function namespaceScope(s: SelectorExpr): NamespaceScope {
  if (s.op === 'in' && s.key === METADATA_NAME) return { kind: 'names', names: [...s.values] };
  return { kind: 'selector', selector: s };
}
