import { ClusterModel, ClusterPod, podId } from './cluster-model';
import { isWaypointPod } from './waypoint-binding';
import { AnalysisInputError } from '../ir/analysis-input-error';

/**
 * The addresses istio-cni rewrites the source of node traffic to an ambient pod to: a TCP connection
 * opened by a process of the node (`-m owner --socket-exists`) to a pod of the ambient mesh on that
 * node is SNATed to one of them, and the pod's own rules let TCP from them past ztunnel (istio/istio
 * @ 86c9f01fd735, `cni/pkg/iptables/iptables.go`: the host `ISTIO_POSTRT` SNAT and the in-pod
 * `ISTIO_PRERT` ACCEPT, "exempt this traffic from ztunnel capture/proxy"; the addresses are
 * `cni/pkg/nodeagent/options.go`'s defaults).
 */
export const AMBIENT_HOST_SNAT_ADDRESSES: readonly string[] = ['169.254.7.127', 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff'];

/**
 * The ambient pods that share a node with host-network pods, in pod order: the pods whose TCP from
 * their own node (kubelet probes, and any host-network pod there) istio-cni SNATs and lets past
 * ztunnel. Waypoint pods are not enrolled themselves and are left out.
 */
export function ambientPodsBesideHosts(cluster: ClusterModel): ClusterPod[] {
  const hostNodes = new Set(cluster.pods.filter((pod) => pod.hostNetwork && pod.nodeName !== undefined).map((pod) => pod.nodeName as string));
  if (hostNodes.size === 0) return [];
  return cluster.pods.filter((pod) => pod.mesh?.enrollment === 'ambient' && !pod.hostNetwork && pod.nodeName !== undefined
    && hostNodes.has(pod.nodeName) && pod.ips.length > 0 && !isWaypointPod(cluster, pod));
}

/**
 * Fails when node-local traffic is to be evaluated (`nodeLocalTraffic: 'evaluate'`) and an ambient
 * pod shares a node with host-network pods: the CNI sees such a connection from the SNAT address,
 * not from the node, and ztunnel never sees it, a path the analyzer does not model — so an error
 * rather than an answer that puts ztunnel on it and the node's address at the CNI.
 * @throws AnalysisInputError naming the first such pod and its node
 */
export function rejectEvaluatedAmbientHostTraffic(cluster: ClusterModel, nodeLocalTraffic: 'allow' | 'evaluate'): void {
  if (nodeLocalTraffic !== 'evaluate') return;
  const pods = ambientPodsBesideHosts(cluster);
  if (pods.length === 0) return;
  const [first] = pods;
  throw new AnalysisInputError(`node-local traffic is to be evaluated (--node-local-traffic evaluate), but pod ${podId(first)} `
    + `${pods.length > 1 ? `and ${pods.length - 1} more ambient ${pods.length === 2 ? 'pod' : 'pods'} ` : ''}is in the ambient mesh on node ${first.nodeName}, which runs host-network pods: `
    + `istio-cni rewrites the source of every TCP connection from that node to ${AMBIENT_HOST_SNAT_ADDRESSES.join(' or ')} and lets it past ztunnel, `
    + 'a path the analyzer does not model; use --node-local-traffic allow (the default), which reads traffic between a pod and its own node as allowed');
}

/**
 * The note `reach`, `diff` and `explain` print when node-local traffic is read as allowed and ambient
 * pods share a node with host-network pods: what really decides those connections. undefined when
 * there are none.
 */
export function ambientHostTrafficNote(cluster: ClusterModel): string | undefined {
  const pods = ambientPodsBesideHosts(cluster);
  if (pods.length === 0) return undefined;
  const shown = pods.slice(0, 5).map(podId).join(', ') + (pods.length > 5 ? ` and ${pods.length - 5} more` : '');
  return `node-local: ${pods.length} ambient ${pods.length === 1 ? 'pod shares' : 'pods share'} a node with host-network pods (${shown}); `
    + `istio-cni rewrites the source of TCP from the node to them to ${AMBIENT_HOST_SNAT_ADDRESSES.join(' or ')} and lets it past ztunnel, `
    + 'and the analysis reads it as allowed, as all traffic between a pod and its own node; the CNI still sees it, from that address, not the node\'s: '
    + 'a CNI policy that does not admit the address denies it although the analysis allows it (Istio\'s "Ambient and Kubernetes NetworkPolicy")';
}
