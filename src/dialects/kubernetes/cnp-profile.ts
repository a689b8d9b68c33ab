/**
 * What one implementation of the network-policy-api `ClusterNetworkPolicy`
 * (policy.networking.k8s.io) enforces, as found in its own source and
 * documentation (cited per row in `source` and in docs/dialects/kubernetes.md).
 * A feature an implementation lacks fails synthesis: implementations drop an
 * unsupported rule, or replace it with "deny all", with no more than a log
 * line, so the library must say so before the cluster does.
 */
export interface CnpImplementationProfile {
  /** Stable id, e.g. `calico`. */
  readonly id: string;
  /** Name and version range for messages, e.g. `Calico 3.32`. */
  readonly name: string;
  /** API versions it reads; empty when it implements only the older AdminNetworkPolicy API. */
  readonly apiVersions: readonly ('v1alpha2' | 'v1beta1')[];
  /** The Admin tier (Accept / Deny / Pass before NetworkPolicies). */
  readonly adminTier: boolean;
  /** The Baseline tier (after NetworkPolicies). */
  readonly baselineTier: boolean;
  /** The `Pass` action. */
  readonly pass: boolean;
  /** `destinationNamedPort`. */
  readonly namedPorts: boolean;
  /** `destinationPort.range`. */
  readonly portRanges: boolean;
  /** `networks` egress peers. */
  readonly networks: boolean;
  /** Whether `networks` also match node addresses (the API says cluster-internal traffic is checked too). */
  readonly networksMatchNodes: boolean;
  /** `domainNames` egress peers (experimental channel). */
  readonly domainNames: boolean;
  /** `nodes` egress peers (experimental channel). */
  readonly nodes: boolean;
  /** The priority range it accepts (the API allows 0-1000). */
  readonly minPriority: number;
  readonly maxPriority: number;
  /** Whether it enforces ClusterNetworkPolicy without a flag or feature gate. */
  readonly enabledByDefault: boolean;
  /** How to turn it on, for messages. */
  readonly howToEnable: string;
  /** Where the rows come from. */
  readonly source: string;
}

const CALICO_SOURCE = 'projectcalico/calico v3.32.1 (0ca9d1b9) libcalico-go/lib/backend/k8s/conversion/clusternetworkpolicy.go; network-policy-api site-src/implementations.md';
const CILIUM_SOURCE = 'cilium/cilium PR #42338 (pkg/k8s/cluster_network_policy.go), PR #44509 (pass verdicts), PR #47227 (docs: --enable-k8s-cluster-network-policy, Cilium 1.20)';
const ANTREA_SOURCE = 'antrea-io/antrea fc70f2bb pkg/controller/networkpolicy/clusternetworkpolicy.go, docs/cluster-network-policy.md, docs/feature-gates.md';
const OVNK_SOURCE = 'ovn-org/ovn-kubernetes 6c366bb4 docs/features/network-security-controls/admin-network-policy.md; network-policy-api site-src/implementations.md';
const KNP_SOURCE = 'kubernetes-sigs/kube-network-policies 5f81cc37 plugins/npa-v1alpha2/clusternetworkpolicy.go, site/content/docs/concepts/admin-network-policy.md';

/** The profiles, by id. */
export const CNP_PROFILES: Readonly<Record<string, CnpImplementationProfile>> = {
  'calico': {
    id: 'calico',
    name: 'Calico 3.32',
    apiVersions: ['v1alpha2'],
    adminTier: true,
    baselineTier: true,
    pass: true,
    namedPorts: true,
    portRanges: true,
    networks: true,
    networksMatchNodes: true,
    // The converter knows no nodes or domainNames peer: the rule fails to convert, an Accept rule
    // is dropped and a Deny or Pass rule becomes "deny all" (k8sClusterNetPolHandleFailedRules).
    domainNames: false,
    nodes: false,
    minPriority: 0,
    maxPriority: 1000,
    enabledByDefault: true,
    howToEnable: 'install the ClusterNetworkPolicy CRD; Calico hosts the policies in its kube-admin and kube-baseline tiers',
    source: CALICO_SOURCE,
  },
  'cilium': {
    id: 'cilium',
    name: 'Cilium 1.20',
    apiVersions: ['v1alpha2'],
    adminTier: true,
    baselineTier: true,
    pass: true,
    namedPorts: true,
    portRanges: true,
    networks: true,
    // Cilium's CIDR selectors match only addresses without a cluster identity unless
    // --policy-cidr-match-mode says otherwise (SEMANTICS §2 CIDR; PR #47227).
    networksMatchNodes: false,
    domainNames: true,
    nodes: true,
    minPriority: 0,
    maxPriority: 1000,
    enabledByDefault: false,
    howToEnable: 'start the agent with --enable-k8s-cluster-network-policy=true (Helm k8sClusterNetworkPolicy.enabled=true) and install the CRD',
    source: CILIUM_SOURCE,
  },
  'antrea': {
    id: 'antrea',
    name: 'Antrea 2.7',
    apiVersions: ['v1alpha2'],
    adminTier: true,
    baselineTier: true,
    pass: true,
    namedPorts: true,
    portRanges: true,
    networks: true,
    networksMatchNodes: true,
    domainNames: true,
    nodes: true,
    minPriority: 0,
    maxPriority: 1000,
    enabledByDefault: false,
    howToEnable: 'enable the ClusterNetworkPolicy feature gate in antrea-controller.conf (alpha since v2.7, off by default; needs AntreaPolicy) and install the CRD',
    source: ANTREA_SOURCE,
  },
  'ovn-kubernetes': {
    id: 'ovn-kubernetes',
    name: 'OVN-Kubernetes',
    // It implements AdminNetworkPolicy / BaselineAdminNetworkPolicy v1alpha1 only.
    apiVersions: [],
    adminTier: true,
    baselineTier: true,
    pass: true,
    namedPorts: true,
    portRanges: true,
    networks: true,
    networksMatchNodes: true,
    domainNames: false,
    nodes: true,
    minPriority: 0,
    maxPriority: 99,
    enabledByDefault: true,
    howToEnable: 'OVN-Kubernetes enables its AdminNetworkPolicy controller by default (enable-admin-network-policy)',
    source: OVNK_SOURCE,
  },
  'kube-network-policies': {
    id: 'kube-network-policies',
    name: 'kube-network-policies',
    apiVersions: ['v1alpha2'],
    adminTier: true,
    baselineTier: true,
    pass: true,
    namedPorts: true,
    portRanges: true,
    networks: true,
    networksMatchNodes: true,
    domainNames: true,
    nodes: true,
    minPriority: 0,
    maxPriority: 1000,
    enabledByDefault: false,
    howToEnable: 'deploy the kube-network-policies-npa-v1alpha2 variant (install-cnp.yaml) instead of the standard one',
    source: KNP_SOURCE,
  },
};
