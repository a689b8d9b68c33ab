import { isIdentityLabel } from '../../dialects/cilium/identity-labels';
import { NAMESPACE_NAME_LABEL } from '../cluster/cluster-model';
import { PeerMatch, PodSelection } from '../ir/analysis-policy';
import { SELECT_ALL, SelectorExpr } from '../ir/selector';
import { CiliumRequirement, CiliumSelectorManifest } from '../parse/cilium-network-policy';

/**
 * Cilium endpoint selectors, translated to pod selections of the cluster model.
 *
 * Cilium selects the labels of a security identity, not the pod's labels. A pod's identity has:
 * its Kubernetes labels that Cilium's default label filter keeps (`dialects/cilium/identity-labels.ts`),
 * `io.kubernetes.pod.namespace`, `io.cilium.k8s.policy.serviceaccount`, `io.cilium.k8s.policy.cluster`,
 * and `io.cilium.k8s.namespace.labels.<key>` for each label of its namespace (filtered the same way).
 * A requirement on a label the identity never has behaves as on an absent label. Keys with the
 * `k8s:` source prefix and keys without one (`any:`) match these labels alike.
 *
 * Namespace scoping (`pkg/k8s/apis/cilium.io/utils/utils.go`):
 * - the `endpointSelector` of a CiliumNetworkPolicy always gets the policy's namespace (a `k8s:`
 *   namespace `matchLabels` entry is replaced, any other namespace requirement is ANDed);
 * - a peer selector that does not mention the namespace key gets the policy's namespace in a
 *   CiliumNetworkPolicy (unless it names namespace labels), and `namespace Exists` in a
 *   CiliumClusterwideNetworkPolicy — so `{}` means "this namespace" or "every pod", never "anything".
 */

/** Identity label of the pod's namespace. */
export const CILIUM_NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
/** Identity label of the pod's service account. */
export const CILIUM_SERVICE_ACCOUNT_KEY = 'io.cilium.k8s.policy.serviceaccount';
/** Identity label of the pod's cluster (ClusterMesh). */
export const CILIUM_CLUSTER_KEY = 'io.cilium.k8s.policy.cluster';
/** Prefix of the identity labels copied from the pod's namespace. */
export const CILIUM_NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

/** A selector the analysis cannot translate exactly; `path` is the field, `problem` says why. */
export class UnsupportedCiliumSelector extends Error {
  constructor(public readonly path: string, public readonly problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'UnsupportedCiliumSelector';
  }
}

/** A selection that contains no pod. */
export const NO_POD: PodSelection = { namespaces: { kind: 'names', names: [] }, pods: SELECT_ALL };

/** The pods a rule's `endpointSelector` selects; `policyNamespace` is undefined for the clusterwide kind. */
export function ciliumSubject(selector: CiliumSelectorManifest, policyNamespace: string | undefined): PodSelection {
  let requirements = selector.requirements;
  if (policyNamespace !== undefined) {
    requirements = requirements.filter((r) => !(r.fromMatchLabels && r.source === 'k8s' && r.key === CILIUM_NAMESPACE_KEY));
    requirements = [...requirements, injected('In', [policyNamespace])];
  }
  return translateRequirements(requirements).selection;
}

/**
 * The peers a `fromEndpoints`/`toEndpoints` selector matches: pods, plus every endpoint without
 * Kubernetes labels (host-network pods as `host`/`remote-node`, addresses outside the cluster as
 * `world`) when only negative requirements remain, e.g. `io.kubernetes.pod.namespace NotIn [x]`.
 */
export function ciliumPeer(selector: CiliumSelectorManifest, policyNamespace: string | undefined): PeerMatch[] {
  let requirements = selector.requirements;
  if (!requirements.some((r) => r.key === CILIUM_NAMESPACE_KEY)) {
    if (policyNamespace === undefined) {
      requirements = [...requirements, injected('Exists', [])];
    } else if (!requirements.some((r) => r.key.startsWith(CILIUM_NAMESPACE_LABELS_PREFIX))) {
      requirements = [...requirements, injected('In', [policyNamespace])];
    }
  }
  const { selection, unlabelled } = translateRequirements(requirements);
  const peers: PeerMatch[] = [{ kind: 'pods', selection }];
  if (unlabelled) {
    peers.push({ kind: 'entity', entity: 'host' }, { kind: 'entity', entity: 'remote-node' }, { kind: 'entity', entity: 'world' });
  }
  return peers;
}

function injected(operator: 'In' | 'Exists', values: string[]): CiliumRequirement {
  return { source: 'k8s', key: CILIUM_NAMESPACE_KEY, operator, values, fromMatchLabels: true, path: '(injected namespace)' };
}

/** Translates ANDed requirements; `unlabelled` = an endpoint without Kubernetes labels satisfies them all. */
function translateRequirements(requirements: readonly CiliumRequirement[]): { selection: PodSelection; unlabelled: boolean } {
  const namespaceTerms: SelectorExpr[] = [];
  const podTerms: SelectorExpr[] = [];
  let accounts: string[] | undefined;
  let empty = false;
  for (const r of requirements) {
    const absent = r.operator === 'NotIn' || r.operator === 'DoesNotExist'; // value on an absent label
    if (r.key === CILIUM_NAMESPACE_KEY) {
      namespaceTerms.push(term(NAMESPACE_NAME_LABEL, r));
    } else if (r.key === CILIUM_SERVICE_ACCOUNT_KEY) {
      if (r.operator === 'NotIn') {
        throw new UnsupportedCiliumSelector(r.path, 'a NotIn requirement on the service account is not evaluated by the analyzer; list the accounts with In');
      }
      if (r.operator === 'In') {
        accounts = accounts ? accounts.filter((a) => r.values.includes(a)) : [...new Set(r.values)];
      } else if (r.operator === 'DoesNotExist') {
        empty = true; // every pod has a service account
      }
    } else if (r.key === CILIUM_CLUSTER_KEY) {
      if (r.operator === 'In' || r.operator === 'NotIn') {
        throw new UnsupportedCiliumSelector(r.path, 'selects pods by cluster name; the cluster model is one cluster whose Cilium name it does not know');
      }
      empty = empty || r.operator === 'DoesNotExist';
    } else if (r.key.startsWith(CILIUM_NAMESPACE_LABELS_PREFIX)) {
      const label = r.key.slice(CILIUM_NAMESPACE_LABELS_PREFIX.length);
      if (isIdentityLabel(r.key)) {
        namespaceTerms.push(term(label, r));
      } else {
        empty = empty || !absent;
      }
    } else if (isIdentityLabel(r.key)) {
      podTerms.push(term(r.key, r));
    } else {
      empty = empty || !absent; // Cilium keeps this label out of identities
    }
  }
  const unlabelled = requirements.every((r) => r.operator === 'NotIn' || r.operator === 'DoesNotExist');
  if (empty) {
    return { selection: NO_POD, unlabelled };
  }
  const names = namespaceNames(namespaceTerms);
  const selection: PodSelection = {
    namespaces: names ? { kind: 'names', names } : { kind: 'selector', selector: and(namespaceTerms) },
    pods: and(podTerms),
    ...(accounts ? { serviceAccounts: accounts } : {}),
  };
  return { selection, unlabelled };
}

/** The namespace names when every namespace term is `name In [...]` (their intersection). */
function namespaceNames(terms: readonly SelectorExpr[]): string[] | undefined {
  if (terms.length === 0 || !terms.every((t) => t.op === 'in' && t.key === NAMESPACE_NAME_LABEL)) {
    return undefined;
  }
  let names: string[] | undefined;
  for (const t of terms) {
    const values = (t as { values: readonly string[] }).values;
    names = names ? names.filter((n) => values.includes(n)) : [...new Set(values)];
  }
  return names;
}

function term(key: string, r: CiliumRequirement): SelectorExpr {
  switch (r.operator) {
    case 'In':
      return { op: 'in', key, values: [...r.values] };
    case 'NotIn':
      return { op: 'notIn', key, values: [...r.values] };
    case 'Exists':
      return { op: 'exists', key };
    case 'DoesNotExist':
      return { op: 'doesNotExist', key };
  }
}

function and(terms: readonly SelectorExpr[]): SelectorExpr {
  if (terms.length === 0) {
    return SELECT_ALL;
  }
  return terms.length === 1 ? terms[0] : { op: 'and', terms: [...terms] };
}
