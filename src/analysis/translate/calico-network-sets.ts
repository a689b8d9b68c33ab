// Which Calico network sets a rule's entity selectors match.
//
// Felix puts into a selector's IP set the addresses of every endpoint the selector matches, and the
// CIDRs of every NetworkSet and GlobalNetworkSet it matches (felix/labelindex/named_port_index.go
// `CalculateEndpointContribution`); a packet matches when its address is in the set — a pod
// address inside a matched set's nets matches whatever the pod's labels. The selector felix
// evaluates is the one libcalico-go builds from the rule
// (libcalico-go/lib/backend/syncersv1/updateprocessors/rules.go `getEndpointSelector`), over the
// labels the update processors give a network set (networksetprocessor.go,
// globalnetworksetprocessor.go):
//
// - a GlobalNetworkSet has its own labels only: no namespace, no profile;
// - a NetworkSet has its own labels, `projectcalico.org/namespace: <namespace>`, and inherits the
//   labels of its namespace's profile `kns.<namespace>` where it has no label of that key
//   (named_port_index.go `endpointData.GetHandle`): `pcns.<key>` for every namespace label and
//   `pcns.projectcalico.org/name: <namespace>` (libcalico-go k8s/conversion `NamespaceToProfile`).
//
// The rule's selector is `<namespace part> && <service-account part> && <selector>`: the namespace
// part is the namespaceSelector with `pcns.` before every key, `all()` replaced by
// `has(projectcalico.org/namespace)` and `global()` by `!has(projectcalico.org/namespace)`, or —
// without one, in a namespaced policy — `projectcalico.org/namespace == '<policy namespace>'`; the
// service-account part is the serviceAccounts selector with `pcsa.` before every key AND
// `projectcalico.org/serviceaccount in {names}`. `notSelector` is used as written, unscoped.
import { CalicoSelectorNode } from '../../dialects/calico/selector-ast';
import { ClusterNamespace } from '../cluster/cluster-model';
import { labelValue, Labels } from '../ir/selector';
import { CALICO_NAMESPACE_LABEL, CalicoNetworkSetManifest } from '../parse/calico-network-set';

/** The network sets of one analysis, and the cluster's namespaces when known. */
export interface NetworkSetContext {
  readonly sets: readonly CalicoNetworkSetManifest[];
  /** The cluster's namespaces; undefined when policies are read without a cluster. */
  readonly namespaces?: ReadonlyMap<string, ClusterNamespace>;
}

/** No network sets (policies read on their own). */
export const NO_NETWORK_SETS: NetworkSetContext = { sets: [] };

/** Whether a network set's labels match cannot be decided without its namespace's labels. */
export class NetworkSetNeedsNamespace extends Error {
  constructor(readonly set: CalicoNetworkSetManifest, readonly problem: string) {
    super(problem);
    this.name = 'NetworkSetNeedsNamespace';
  }
}

const NAMESPACE_PREFIX = 'pcns.';
const SERVICE_ACCOUNT_PREFIX = 'pcsa.';
const SERVICE_ACCOUNT_LABEL = 'projectcalico.org/serviceaccount';
const NAME_LABEL = 'projectcalico.org/name';

/** The parts of an entity rule that decide which endpoints it names. */
export interface EntitySelectors {
  readonly selector?: CalicoSelectorNode;
  readonly notSelector?: CalicoSelectorNode;
  readonly namespaceSelector?: CalicoSelectorNode;
  readonly serviceAccounts?: { readonly names?: readonly string[]; readonly selector?: CalicoSelectorNode };
}

/**
 * The selector libcalico-go builds for the positive side of an entity rule (`getEndpointSelector`),
 * or undefined when it builds none (a global policy's rule with only a notSelector: every address).
 */
export function calicoRuleSelector(e: EntitySelectors, policyNamespace: string | undefined): CalicoSelectorNode | undefined {
  const namespacePart: CalicoSelectorNode | undefined = e.namespaceSelector ? namespaceSelectorPart(e.namespaceSelector)
    : policyNamespace !== undefined ? { op: 'eq', key: CALICO_NAMESPACE_LABEL, value: policyNamespace } : undefined;
  const parts: CalicoSelectorNode[] = [];
  if (e.serviceAccounts) {
    const sa: CalicoSelectorNode[] = [];
    if (e.serviceAccounts.selector) sa.push(prefixKeys(e.serviceAccounts.selector, SERVICE_ACCOUNT_PREFIX));
    if (e.serviceAccounts.names?.length) sa.push({ op: 'in', key: SERVICE_ACCOUNT_LABEL, values: [...e.serviceAccounts.names] });
    parts.push(...sa);
  }
  if (e.selector) parts.push(e.selector);
  if (namespacePart && (parts.length > 0 || e.notSelector !== undefined || e.namespaceSelector !== undefined)) {
    parts.unshift(namespacePart);
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { op: 'and', terms: parts };
}

function namespaceSelectorPart(n: CalicoSelectorNode): CalicoSelectorNode {
  switch (n.op) {
    case 'all': return { op: 'has', key: CALICO_NAMESPACE_LABEL };
    case 'global': return { op: 'not', term: { op: 'has', key: CALICO_NAMESPACE_LABEL } };
    case 'not': return { op: 'not', term: namespaceSelectorPart(n.term) };
    case 'and': case 'or': return { op: n.op, terms: n.terms.map(namespaceSelectorPart) };
    default: return { ...n, key: NAMESPACE_PREFIX + n.key };
  }
}

function prefixKeys(n: CalicoSelectorNode, prefix: string): CalicoSelectorNode {
  switch (n.op) {
    case 'all': case 'global': return n;
    case 'not': return { op: 'not', term: prefixKeys(n.term, prefix) };
    case 'and': case 'or': return { op: n.op, terms: n.terms.map(t => prefixKeys(t, prefix)) };
    default: return { ...n, key: prefix + n.key };
  }
}

/** A label lookup where some keys are not known (a namespace's labels without the cluster). */
type Lookup = (key: string) => string | undefined | typeof UNKNOWN;
const UNKNOWN = Symbol('unknown');
type Truth = boolean | typeof UNKNOWN;

/** Kleene's three-valued evaluation of a Calico selector (parser/ast.go semantics where the value is known). */
function evaluate(n: CalicoSelectorNode, lookup: Lookup): Truth {
  const leaf = (key: string, holds: (v: string | undefined) => boolean): Truth => {
    const v = lookup(key);
    return v === UNKNOWN ? UNKNOWN : holds(v);
  };
  switch (n.op) {
    case 'all': case 'global': return true;
    case 'has': return leaf(n.key, v => v !== undefined);
    case 'eq': return leaf(n.key, v => v === n.value);
    case 'ne': return leaf(n.key, v => v !== n.value);
    case 'contains': return leaf(n.key, v => v !== undefined && v.includes(n.value));
    case 'startsWith': return leaf(n.key, v => v !== undefined && v.startsWith(n.value));
    case 'endsWith': return leaf(n.key, v => v !== undefined && v.endsWith(n.value));
    case 'in': return leaf(n.key, v => v !== undefined && n.values.includes(v));
    case 'notIn': return leaf(n.key, v => v === undefined || !n.values.includes(v));
    case 'not': {
      const t = evaluate(n.term, lookup);
      return t === UNKNOWN ? UNKNOWN : !t;
    }
    case 'and': case 'or': {
      const decisive = n.op === 'or';
      let unknown = false;
      for (const term of n.terms) {
        const t = evaluate(term, lookup);
        if (t === decisive) return decisive;
        if (t === UNKNOWN) unknown = true;
      }
      return unknown ? UNKNOWN : !decisive;
    }
  }
}

/** The labels felix sees on a network set (see the file comment); pcns keys of a namespaced set are looked up in its namespace. */
function networkSetLookup(set: CalicoNetworkSetManifest, namespaces: ReadonlyMap<string, ClusterNamespace> | undefined): Lookup {
  return (key) => {
    if (set.namespace !== undefined && key === CALICO_NAMESPACE_LABEL) return set.namespace;
    const own = labelValue(set.labels, key);
    if (own !== undefined || set.namespace === undefined || !key.startsWith(NAMESPACE_PREFIX)) return own;
    const namespaceKey = key.slice(NAMESPACE_PREFIX.length);
    if (namespaceKey === NAME_LABEL) return set.namespace;
    const namespace = namespaces?.get(set.namespace);
    if (!namespace) return UNKNOWN;
    return labelValue(namespace.labels as Labels, namespaceKey);
  };
}

/**
 * The network sets a selector matches, in input order.
 *
 * @param what the field, for the error
 * @throws NetworkSetNeedsNamespace when a namespaced set's match depends on the labels of a namespace
 * the context does not have
 */
export function networkSetsMatching(selector: CalicoSelectorNode, context: NetworkSetContext, what: string): CalicoNetworkSetManifest[] {
  const out: CalicoNetworkSetManifest[] = [];
  for (const set of context.sets) {
    const truth = evaluate(selector, networkSetLookup(set, context.namespaces));
    if (truth === UNKNOWN) {
      const where = context.namespaces ? `namespace ${set.namespace}, which the cluster file does not list (add its Namespace object: kubectl get namespaces,pods -A -o yaml)`
        : `namespace ${set.namespace}; pass the cluster (--cluster, with its Namespace objects) so that the analyzer can read them`;
      throw new NetworkSetNeedsNamespace(set, `whether ${what} matches NetworkSet ${set.namespace}/${set.name} depends on the labels of ${where}`);
    }
    if (truth) out.push(set);
  }
  return out;
}
