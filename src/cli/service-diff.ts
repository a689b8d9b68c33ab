import { ConnectionFocus } from './port-selection';
import { serviceSourceGroups } from './service-sources';
import { AnalysisUniverse, ClusterPod, ConnectionSet, podId, ReachabilityAnalyzer, serviceWaypoint } from '../analysis';

/** Source pods whose connections to a Service changed alike: what some endpoint newly admits, and no longer admits. */
export interface ServiceChange {
  /** `ns/name` of the Service. */
  readonly service: string;
  /** Source pods (`ns/name`), in pod order. */
  readonly sources: readonly string[];
  /** Connections some endpoint admits after and did not before (union over the endpoints). */
  readonly gained: ConnectionSet;
  /** Connections some endpoint admitted before and does not after. */
  readonly lost: ConnectionSet;
}

/** What changed in the connections addressed to the Services of the cluster file. */
export interface ServiceDiff {
  readonly changes: readonly ServiceChange[];
  /** (source pod, Service) pairs that gain, or lose, some connection. */
  readonly gainedPairs: number;
  readonly lostPairs: number;
}

/**
 * Compares the connections addressed to each Service (per endpoint pod, through its waypoint where
 * bound; `ReachabilityAnalyzer.serviceConnections`) before and after, over one joint space, narrowed
 * to the focus; only Services bound to a waypoint (as in `reach`: a connection to another Service is
 * the pod rows' connection to its endpoints on the target port). Waypoint pods are not compared as clients.
 */
export function diffServices(
  before: ReachabilityAnalyzer, after: ReachabilityAnalyzer, focus: ConnectionFocus, universe: AnalysisUniverse,
): ServiceDiff {
  const cluster = after.cluster;
  // A Service without a waypoint adds nothing to the pod rows (its connections are the pods' on the target port).
  const bound = cluster.services.filter((service) => serviceWaypoint(cluster, service).kind === 'waypoint');
  if (bound.length === 0) {
    return { changes: [], gainedPairs: 0, lostPairs: 0 };
  }
  const [was, now] = ReachabilityAnalyzer.jointServicePaths([before, after], focus.scope.ports);
  const filter = focus.filter(now.space);
  const order = new Map(universe.grouping.pods.map((pod, i) => [pod, i]));
  const changes: ServiceChange[] = [];
  let gainedPairs = 0;
  let lostPairs = 0;
  for (const service of bound) {
    const groups = new Map<string, { service: string; pods: ClusterPod[]; gained: ConnectionSet; lost: ConnectionSet }>();
    for (const group of serviceSourceGroups(universe, service)) {
      const old = was.connections(group.representative, service);
      const fresh = now.connections(group.representative, service);
      let gained = now.space.empty;
      let lost = now.space.empty;
      fresh.endpoints.forEach((endpoint, i) => {
        const previous = old.endpoints[i].connections;
        gained = gained.union(endpoint.connections.subtract(previous));
        lost = lost.union(previous.subtract(endpoint.connections));
      });
      gained = gained.intersect(filter);
      lost = lost.intersect(filter);
      if (gained.isEmpty() && lost.isEmpty()) continue;
      if (!gained.isEmpty()) gainedPairs += group.pods.length;
      if (!lost.isEmpty()) lostPairs += group.pods.length;
      const key = `${gained.id}/${lost.id}`;
      const known = groups.get(key);
      if (known) {
        known.pods.push(...group.pods);
      } else {
        groups.set(key, { service: `${service.namespace}/${service.name}`, pods: [...group.pods], gained, lost });
      }
    }
    for (const group of groups.values()) {
      const sources = group.pods.sort((a, b) => (order.get(a) as number) - (order.get(b) as number)).map(podId);
      changes.push({ service: group.service, sources, gained: group.gained, lost: group.lost });
    }
  }
  return { changes, gainedPairs, lostPairs };
}
