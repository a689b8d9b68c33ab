import { AnalysisUniverse, ClusterPod, ClusterService, isWaypointPod, serviceBackends } from '../analysis';

/** Source pods that are alike for a Service: one of them decides for all. */
export interface ServiceSourceGroup {
  /** The pod whose connections are computed. */
  readonly representative: ClusterPod;
  /** Every pod of the group, the representative included, in pod order. */
  readonly pods: readonly ClusterPod[];
}

/**
 * The clients of a Service, grouped so that one connection computation serves a group: pods of one
 * class of the universe are alike for every rule of its policy sets (the waypoint's `targetRefs`
 * policies included: their peers are features of the grouping too) and share their enrollment, so
 * their connections to any pod other than themselves are equal. An endpoint of the Service is its own
 * group (its connection to itself is self traffic). Waypoint pods and pods without an address are left out.
 */
export function serviceSourceGroups(universe: AnalysisUniverse, service: ClusterService): ServiceSourceGroup[] {
  const cluster = universe.cluster;
  const endpoints = new Set(serviceBackends(cluster, service));
  const byClass = new Map<number, ClusterPod[]>();
  const groups: ServiceSourceGroup[] = [];
  for (const pod of universe.grouping.pods) {
    if (pod.ips.length === 0 || isWaypointPod(cluster, pod)) continue;
    if (endpoints.has(pod)) {
      groups.push({ representative: pod, pods: [pod] });
      continue;
    }
    const index = universe.classOfPod(pod) as number;
    const list = byClass.get(index);
    if (list) {
      list.push(pod);
    } else {
      const pods = [pod];
      byClass.set(index, pods);
      groups.push({ representative: pod, pods });
    }
  }
  return groups;
}
