import { ClusterModel, ClusterPod } from '../../analysis';

/** Which policy kinds a network plugin's agent enforces. */
export type EnforcedKinds = 'kubernetes' | 'calico' | 'cilium';

/** A network plugin the linter recognises by the pods of its node agent (a DaemonSet). */
export interface CniAgent {
  readonly name: string;
  /** The policy kinds it enforces; empty for plugins that enforce none, or only when configured so. */
  readonly enforces: readonly EnforcedKinds[];
  /** Said in the finding when the plugin enforces NetworkPolicy only in some configurations. */
  readonly condition?: string;
  /** Labels its agent pods carry (all of them), as the upstream manifests, charts or operators set them. */
  readonly labels: readonly Readonly<Record<string, string>>[];
  /** The DaemonSet name: pods are named `<name>-<5 characters>`. */
  readonly daemonSet: string;
}

/**
 * The agents that prove NetworkPolicies are enforced, looked for in every namespace (Calico's
 * operator runs calico-node in calico-system, OVN-Kubernetes in its own namespace, most others in
 * kube-system), by label or by DaemonSet pod name. Plugins that never enforce NetworkPolicy, or
 * only in some configurations, are listed so the finding can say what it found.
 */
export const CNI_AGENTS: readonly CniAgent[] = [
  { name: 'Calico (calico-node)', enforces: ['kubernetes', 'calico'], labels: [{ 'k8s-app': 'calico-node' }], daemonSet: 'calico-node' },
  { name: 'Canal (calico-node with flannel)', enforces: ['kubernetes', 'calico'], labels: [{ 'k8s-app': 'canal' }], daemonSet: 'canal' },
  { name: 'Cilium (cilium agent)', enforces: ['kubernetes', 'cilium'], labels: [{ 'k8s-app': 'cilium' }, { 'app.kubernetes.io/name': 'cilium-agent' }], daemonSet: 'cilium' },
  { name: 'Antrea (antrea-agent)', enforces: ['kubernetes'], labels: [{ app: 'antrea', component: 'antrea-agent' }], daemonSet: 'antrea-agent' },
  { name: 'kube-router', enforces: ['kubernetes'], labels: [{ 'k8s-app': 'kube-router' }], daemonSet: 'kube-router' },
  { name: 'Weave Net', enforces: ['kubernetes'], labels: [{ name: 'weave-net' }], daemonSet: 'weave-net' },
  { name: 'OVN-Kubernetes (ovnkube-node)', enforces: ['kubernetes'], labels: [{ app: 'ovnkube-node' }], daemonSet: 'ovnkube-node' },
  { name: 'Azure Network Policy Manager', enforces: ['kubernetes'], labels: [{ 'k8s-app': 'azure-npm' }], daemonSet: 'azure-npm' },
  { name: 'kube-network-policies', enforces: ['kubernetes'], labels: [{ app: 'kube-network-policies' }], daemonSet: 'kube-network-policies' },
  {
    name: 'AWS VPC CNI (aws-node)',
    enforces: [],
    labels: [{ 'k8s-app': 'aws-node' }],
    daemonSet: 'aws-node',
    condition: 'it enforces NetworkPolicies only with its network policy agent enabled (enableNetworkPolicy), which the cluster file does not show',
  },
  {
    name: 'kindnet',
    enforces: [],
    labels: [{ app: 'kindnet' }],
    daemonSet: 'kindnet',
    condition: 'only recent releases of kindnet enforce NetworkPolicies',
  },
  { name: 'Flannel', enforces: [], labels: [{ app: 'flannel' }], daemonSet: 'kube-flannel-ds', condition: 'Flannel alone never enforces NetworkPolicies' },
];

/** The agents whose pods run in the cluster, in `CNI_AGENTS` order. */
export function agentsIn(cluster: ClusterModel): CniAgent[] {
  return CNI_AGENTS.filter((agent) => cluster.pods.some((pod) => isAgent(agent, pod)));
}

function isAgent(agent: CniAgent, pod: ClusterPod): boolean {
  const labelled = agent.labels.some((labels) => Object.entries(labels)
    .every(([key, value]) => Object.prototype.hasOwnProperty.call(pod.labels, key) && pod.labels[key] === value));
  return labelled || new RegExp(`^${agent.daemonSet}-[a-z0-9]{5}$`).test(pod.name);
}
