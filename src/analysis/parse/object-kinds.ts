/**
 * What the readers do with a kind they do not evaluate, by `<apiVersion group>/<kind>` (the core
 * group is empty: `/Service`). Keyed on the group because kinds of the same name in other groups
 * are other APIs (`networking.k8s.aws` and `crd.antrea.io` have their own `ClusterNetworkPolicy`).
 */

/**
 * Kinds known to carry no network policy: workloads, configuration, routing that does not allow or
 * deny at the network layer. `--ignore-other-kinds` skips exactly these (and says how many).
 */
export const KINDS_WITHOUT_POLICY: ReadonlySet<string> = new Set([
  ...['Pod', 'Service', 'ConfigMap', 'Secret', 'ServiceAccount', 'Namespace', 'PersistentVolumeClaim', 'PersistentVolume', 'Endpoints',
    'LimitRange', 'ResourceQuota', 'ReplicationController', 'Event', 'PodTemplate'].map((kind) => `/${kind}`),
  ...['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ControllerRevision'].map((kind) => `apps/${kind}`),
  'batch/Job', 'batch/CronJob',
  'autoscaling/HorizontalPodAutoscaler',
  'policy/PodDisruptionBudget',
  ...['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].map((kind) => `rbac.authorization.k8s.io/${kind}`),
  'apiextensions.k8s.io/CustomResourceDefinition',
  'storage.k8s.io/StorageClass',
  'scheduling.k8s.io/PriorityClass',
  'coordination.k8s.io/Lease',
  'discovery.k8s.io/EndpointSlice',
  'networking.k8s.io/Ingress', 'networking.k8s.io/IngressClass',
  ...['Gateway', 'GatewayClass', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute', 'ReferenceGrant'].map((kind) => `gateway.networking.k8s.io/${kind}`),
  ...['ServiceMonitor', 'PodMonitor', 'PrometheusRule'].map((kind) => `monitoring.coreos.com/${kind}`),
  'telemetry.istio.io/Telemetry',
  ...['IPPool', 'IPReservation', 'BGPConfiguration', 'BGPPeer', 'ClusterInformation', 'KubeControllersConfiguration'].map((kind) => `projectcalico.org/${kind}`),
  ...['CiliumNode', 'CiliumEndpoint', 'CiliumIdentity', 'CiliumLoadBalancerIPPool'].map((kind) => `cilium.io/${kind}`),
]);

/**
 * Why a kind the analyzer does not evaluate may allow or deny traffic, for the kinds and groups known
 * to; always an error, with or without `--ignore-other-kinds`. Groups whose every other kind counts:
 * Antrea, the AWS network policy agent, the network-policy-api, Istio networking and extensions.
 */
const POLICY_KINDS: ReadonlyMap<string, string> = new Map([
  ['policy.networking.k8s.io/AdminNetworkPolicy', 'an AdminNetworkPolicy allows, denies or passes traffic before every NetworkPolicy'],
  ['policy.networking.k8s.io/BaselineAdminNetworkPolicy', 'a BaselineAdminNetworkPolicy allows or denies the traffic no NetworkPolicy decides'],
  ['policy.networking.k8s.io/ClusterNetworkPolicy', 'a ClusterNetworkPolicy allows, denies or passes traffic around the NetworkPolicies'],
  ['projectcalico.org/StagedKubernetesNetworkPolicy', 'a staged Kubernetes policy is not supported by the analyzer yet'],
  ['projectcalico.org/HostEndpoint', 'a HostEndpoint puts host interfaces under Calico policies'],
  ['projectcalico.org/FelixConfiguration', 'a FelixConfiguration sets default actions and failsafe ports'],
  ['security.istio.io/RequestAuthentication', 'a RequestAuthentication rejects requests with invalid tokens'],
  ['networking.istio.io/Sidecar', 'a Sidecar restricts the egress of its workloads'],
  ['cilium.io/CiliumCIDRGroup', 'a CiliumCIDRGroup gives addresses to CIDR rules'],
  ['cilium.io/CiliumLocalRedirectPolicy', 'a CiliumLocalRedirectPolicy redirects traffic to other pods'],
  ['cilium.io/CiliumEnvoyConfig', 'a CiliumEnvoyConfig can filter traffic in the proxy'],
  ['cilium.io/CiliumClusterwideEnvoyConfig', 'a CiliumClusterwideEnvoyConfig can filter traffic in the proxy'],
  ['cilium.io/CiliumEgressGatewayPolicy', 'a CiliumEgressGatewayPolicy changes the source address of egress traffic'],
]);

const POLICY_GROUPS: ReadonlyMap<string, string> = new Map([
  ['crd.antrea.io', 'Antrea policies and groups allow and deny traffic'],
  ['networking.k8s.aws', 'the AWS network policy agent\'s objects allow and deny traffic'],
  ['policy.networking.k8s.io', 'network-policy-api objects allow and deny traffic'],
  ['networking.istio.io', 'Istio networking objects route, restrict and secure traffic'],
  ['extensions.istio.io', 'Istio extensions can reject requests'],
  ['projectcalico.org', 'Calico objects can change what its policies select and do'],
  ['cilium.io', 'Cilium objects can change what its policies select and do'],
  ['security.istio.io', 'Istio security objects allow, deny and authenticate traffic'],
]);

/** What to do with an object of a kind no reader handles. */
export type OtherKind =
  | { readonly kind: 'skippable' }
  | { readonly kind: 'policy'; readonly reason: string }
  | { readonly kind: 'unknown' };

/** Classifies a `<group>/<kind>` key that no reader handles. */
export function classifyOtherKind(key: string): OtherKind {
  if (KINDS_WITHOUT_POLICY.has(key)) return { kind: 'skippable' };
  const reason = POLICY_KINDS.get(key) ?? POLICY_GROUPS.get(key.slice(0, key.lastIndexOf('/')));
  return reason === undefined ? { kind: 'unknown' } : { kind: 'policy', reason };
}

/** `<group>/<kind>` of an object (`/Service` for the core group). */
export function objectKindKey(apiVersion: string, kind: string): string {
  return `${apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : ''}/${kind}`;
}

/** `Deployment (apps)`, `Service (core)`: how a skipped kind is counted on stderr. */
export function describeKindKey(key: string): string {
  const slash = key.lastIndexOf('/');
  return `${key.slice(slash + 1)} (${key.slice(0, slash) || 'core'})`;
}
