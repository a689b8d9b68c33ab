import { ClusterModel, ClusterPod, podId } from './cluster-model';
import { ClusterService, ClusterWaypoint, MESH_LABELS } from './mesh-facts';
import { AnalysisInputError } from '../ir/analysis-input-error';

/** The label Gateway API controllers put on a Gateway's pods: the Gateway's name. */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/**
 * Where a Service's traffic goes: through a waypoint, or directly to its endpoints, and why (for
 * explanations).
 */
export type ServiceWaypointBinding =
  | { readonly kind: 'waypoint'; readonly waypoint: ClusterWaypoint; readonly pods: readonly ClusterPod[]; readonly reason: string }
  | { readonly kind: 'direct'; readonly reason: string };

/**
 * The waypoint a Service's traffic is sent to, as istiod decides it (istio/istio @ 86c9f01fd735,
 * `pilot/pkg/serviceregistry/ambient/waypoints.go` `fetchWaypointForService`, `fetchWaypointForTarget`,
 * `GetUseWaypoint`):
 *
 * 1. the Service's own `istio.io/use-waypoint` label (namespace from `istio.io/use-waypoint-namespace`,
 *    default the Service's): `none` opts out, even of a namespace waypoint; a named waypoint that is
 *    not ready (no `status.addresses`, so istiod has no Waypoint for it) means no waypoint — istiod
 *    does not fall back to the namespace's;
 * 2. otherwise the namespace's label, read the same way;
 * 3. a waypoint whose `istio.io/waypoint-for` is neither `service` nor `all` takes no Service traffic.
 *
 * Not modelled, so an error rather than a guess: a waypoint in another namespace (istiod then checks
 * the Gateway listener's `allowedRoutes`, which the cluster model does not read), and a ready
 * waypoint whose pods the snapshot lacks (every ready waypoint has at least one ready pod).
 *
 * @throws AnalysisInputError for what is not modelled (above)
 */
export function serviceWaypoint(cluster: ClusterModel, service: ClusterService): ServiceWaypointBinding {
  const where = `Service ${service.namespace}/${service.name}`;
  const own = useWaypoint(service.labels, service.namespace);
  const namespaceLabels = cluster.namespaces.get(service.namespace)?.labels ?? {};
  const named = own === 'none' ? undefined : own ?? useWaypoint(namespaceLabels, service.namespace);
  if (own === 'none') {
    return { kind: 'direct', reason: `${where} is labelled ${MESH_LABELS.useWaypoint}=none: it uses no waypoint` };
  }
  if (named === undefined || named === 'none') {
    return { kind: 'direct', reason: `neither ${where} nor its namespace is bound to a waypoint (${MESH_LABELS.useWaypoint})` };
  }
  const by = own !== undefined ? `${where}` : `the namespace ${service.namespace} of ${where}`;
  if (named.namespace !== service.namespace) {
    throw new AnalysisInputError(`${where}: ${by} is bound to the waypoint ${named.namespace}/${named.name} in another namespace; whether istiod accepts the binding depends on `
      + 'the Gateway listener\'s allowedRoutes, which the analyzer does not read: bind the Service to a waypoint of its own namespace, or leave it out of the analysis');
  }
  const waypoint = cluster.findWaypoint(named.namespace, named.name);
  if (!waypoint) {
    throw new AnalysisInputError(`${where}: ${by} is bound to the waypoint ${named.namespace}/${named.name}, which is not in the cluster snapshot (no Gateway of class istio-waypoint by that name); `
      + 'include the Gateways (`kubectl get namespaces,pods,services,serviceaccounts,gateways -A -o yaml`) or remove the label');
  }
  if (!waypoint.ready) {
    return { kind: 'direct', reason: `${by} is bound to the waypoint ${named.namespace}/${named.name}, which is not ready (no status.addresses): istiod sends the traffic directly` };
  }
  if (waypoint.waypointFor !== 'service' && waypoint.waypointFor !== 'all') {
    return { kind: 'direct', reason: `the waypoint ${named.namespace}/${named.name} is for ${waypoint.waypointFor} traffic (${MESH_LABELS.waypointFor}), not Service traffic: istiod sends it directly` };
  }
  const pods = waypointPods(cluster, waypoint);
  if (pods.length === 0) {
    throw new AnalysisInputError(`${where}: the waypoint ${named.namespace}/${named.name} is ready, but the snapshot has no running pod of it (label ${GATEWAY_NAME_LABEL}=${named.name} with an IP); `
      + 'the snapshot is incomplete: take it again with `kubectl get namespaces,pods,services,serviceaccounts,gateways -A -o yaml`');
  }
  return { kind: 'waypoint', waypoint, pods, reason: `${by} is bound to the waypoint ${named.namespace}/${named.name} (${MESH_LABELS.useWaypoint})` };
}

/**
 * Fails when an ambient pod is bound to a ready waypoint that takes workload traffic (`istio.io/waypoint-for`
 * `workload` or `all`, through the pod's own `istio.io/use-waypoint` or its namespace's): connections to
 * that pod's IP then pass the waypoint (`waypoints.go` `fetchWaypointForWorkload`), a path the analyzer
 * does not model for pod-addressed connections — so an error rather than a pod-to-pod answer that
 * skips the waypoint. A waypoint for Service traffic only, inherited from the namespace, binds no
 * workload (istiod ignores it there); `none` on the pod opts out.
 * @throws AnalysisInputError for the first such pod
 */
export function rejectWorkloadWaypoints(cluster: ClusterModel): void {
  if (cluster.waypoints.length === 0) return;
  for (const pod of cluster.pods) {
    if (pod.mesh?.enrollment !== 'ambient' || isWaypointPod(cluster, pod)) continue;
    const own = useWaypoint(pod.labels, pod.namespace);
    const named = own === 'none' ? undefined : own ?? useWaypoint(cluster.namespaces.get(pod.namespace)?.labels ?? {}, pod.namespace);
    if (named === undefined || named === 'none') continue;
    const waypoint = cluster.findWaypoint(named.namespace, named.name);
    if (waypoint?.ready && (waypoint.waypointFor === 'workload' || waypoint.waypointFor === 'all')) {
      throw new AnalysisInputError(`Pod ${podId(pod)} is bound to the waypoint ${named.namespace}/${named.name} (${MESH_LABELS.useWaypoint}${own === undefined ? ' on its namespace' : ''}), `
        + `which takes workload traffic (${MESH_LABELS.waypointFor}=${waypoint.waypointFor}): connections to the pod's IP then pass the waypoint, which the analyzer does not model; `
        + `use a waypoint for Service traffic (${MESH_LABELS.waypointFor}=service), or label the pod ${MESH_LABELS.useWaypoint}=none`);
    }
  }
}

/** The pods of a waypoint that have an address: its Gateway's pods (label `gateway.networking.k8s.io/gateway-name`). */
export function waypointPods(cluster: ClusterModel, waypoint: ClusterWaypoint): ClusterPod[] {
  return cluster.podsIn(waypoint.namespace)
    .filter((pod) => pod.labels[GATEWAY_NAME_LABEL] === waypoint.name && pod.ips.length > 0 && !pod.hostNetwork);
}

/** True if the pod is an instance of a waypoint of the model (istiod's `fetchWaypointForInstance`). */
export function isWaypointPod(cluster: ClusterModel, pod: ClusterPod): boolean {
  const name = pod.labels[GATEWAY_NAME_LABEL];
  return name !== undefined && cluster.findWaypoint(pod.namespace, name) !== undefined;
}

/** The pods a Service selects (its endpoints), in pod order; none for a Service without selector. */
export function serviceBackends(cluster: ClusterModel, service: ClusterService): ClusterPod[] {
  const selector = service.selector;
  if (selector === undefined || Object.keys(selector).length === 0) {
    // Kubernetes creates no endpoints for a Service without selector (or with an empty one).
    return [];
  }
  return cluster.podsIn(service.namespace).filter((pod) => pod.ips.length > 0
    && Object.entries(selector).every(([key, value]) => pod.labels[key] === value));
}

/** `istio.io/use-waypoint` of an object: the waypoint it names, `none`, or undefined (no label). */
function useWaypoint(labels: Readonly<Record<string, string>>, defaultNamespace: string): { namespace: string; name: string } | 'none' | undefined {
  const name = labels[MESH_LABELS.useWaypoint];
  if (name === undefined) return undefined;
  if (name === 'none') return 'none';
  return { namespace: labels[MESH_LABELS.useWaypointNamespace] ?? defaultNamespace, name };
}

/** `ns/name` of a pod, for messages. */
export function describePods(pods: readonly ClusterPod[]): string {
  return pods.map(podId).join(', ');
}
