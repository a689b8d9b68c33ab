import { NetworkPolicyApiManifest, NetworkPolicyManifest, SourceLocation } from '../../analysis';

/** A manifest as written: plain YAML data. */
export type RawObject = Readonly<Record<string, unknown>>;

/** `<group>/<kind>` keys of the policy kinds the linter knows. */
export const KIND = {
  kubernetesNetworkPolicy: 'networking.k8s.io/NetworkPolicy',
  ciliumNetworkPolicy: 'cilium.io/CiliumNetworkPolicy',
  ciliumClusterwideNetworkPolicy: 'cilium.io/CiliumClusterwideNetworkPolicy',
  calicoNetworkPolicy: 'projectcalico.org/NetworkPolicy',
  calicoGlobalNetworkPolicy: 'projectcalico.org/GlobalNetworkPolicy',
  calicoStagedNetworkPolicy: 'projectcalico.org/StagedNetworkPolicy',
  calicoStagedGlobalNetworkPolicy: 'projectcalico.org/StagedGlobalNetworkPolicy',
  calicoStagedKubernetesNetworkPolicy: 'projectcalico.org/StagedKubernetesNetworkPolicy',
  calicoTier: 'projectcalico.org/Tier',
  calicoNetworkSet: 'projectcalico.org/NetworkSet',
  calicoGlobalNetworkSet: 'projectcalico.org/GlobalNetworkSet',
  istioAuthorizationPolicy: 'security.istio.io/AuthorizationPolicy',
  istioPeerAuthentication: 'security.istio.io/PeerAuthentication',
  clusterNetworkPolicy: 'policy.networking.k8s.io/ClusterNetworkPolicy',
  adminNetworkPolicy: 'policy.networking.k8s.io/AdminNetworkPolicy',
  baselineAdminNetworkPolicy: 'policy.networking.k8s.io/BaselineAdminNetworkPolicy',
} as const;

/** Every kind the linter reads, in the order of `KIND`. */
export const LINTED_KINDS: readonly string[] = Object.values(KIND);

/** Kinds without a namespace. */
export const CLUSTER_SCOPED_KINDS: readonly string[] = [
  KIND.ciliumClusterwideNetworkPolicy, KIND.calicoGlobalNetworkPolicy, KIND.calicoStagedGlobalNetworkPolicy, KIND.calicoTier,
  KIND.calicoGlobalNetworkSet,
  KIND.clusterNetworkPolicy, KIND.adminNetworkPolicy, KIND.baselineAdminNetworkPolicy,
];

/**
 * One policy object to lint: its identity, where it was read, and its fields exactly as written —
 * rules need what parsing normalises away (an omitted `policyTypes`, an explicit `from: []`).
 */
export interface LintObject {
  /** `<group>/<kind>`, e.g. `networking.k8s.io/NetworkPolicy` (see `KIND`). */
  readonly key: string;
  readonly kind: string;
  readonly apiVersion: string;
  /** Undefined for cluster-scoped kinds; the default namespace when a namespaced object has none. */
  readonly namespace?: string;
  readonly name: string;
  readonly location: SourceLocation;
  readonly raw: RawObject;
  /** The validated form, for Kubernetes NetworkPolicies. */
  readonly networkPolicy?: NetworkPolicyManifest;
  /** The validated form, for ClusterNetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy. */
  readonly networkPolicyApi?: NetworkPolicyApiManifest;
  /**
   * Why the object is invalid as written — its API server would reject it, so nothing in it is
   * applied. An object with problems is reported by `manifest-invalid` and left out of every other
   * rule and of what they look at.
   */
  readonly problems?: readonly ManifestProblem[];
}

/** A field of an object its API server would reject. */
export interface ManifestProblem {
  /** Field path inside the object, e.g. `spec.ingress[0].ports[1].port`; empty for the whole object. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

/** `<group>/<kind>` of an apiVersion and kind. */
export function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion.includes('/') ? apiVersion.split('/')[0] : ''}/${kind}`;
}

/** `NetworkPolicy production/web` or `GlobalNetworkPolicy deny-all`, with the group for non-Kubernetes kinds that clash. */
export function describeObject(object: Pick<LintObject, 'key' | 'kind' | 'namespace' | 'name'>): string {
  const kind = object.key.startsWith('projectcalico.org/') && object.kind === 'NetworkPolicy' ? 'projectcalico.org/NetworkPolicy' : object.kind;
  return object.namespace === undefined ? `${kind} ${object.name}` : `${kind} ${object.namespace}/${object.name}`;
}
