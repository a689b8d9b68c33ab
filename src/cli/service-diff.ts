import { ConnectionFocus } from './port-selection';
import { ConnectionSet, isWaypointPod, podId, ReachabilityAnalyzer } from '../analysis';

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
export function diffServices(before: ReachabilityAnalyzer, after: ReachabilityAnalyzer, focus: ConnectionFocus): ServiceDiff {
  const cluster = after.cluster;
  if (cluster.services.length === 0) {
    return { changes: [], gainedPairs: 0, lostPairs: 0 };
  }
  const [was, now] = ReachabilityAnalyzer.jointServicePaths([before, after], focus.scope.ports);
  const filter = focus.filter(now.space);
  const sources = cluster.pods.filter((pod) => pod.ips.length > 0 && !isWaypointPod(cluster, pod));
  const changes: ServiceChange[] = [];
  let gainedPairs = 0;
  let lostPairs = 0;
  // A Service without a waypoint adds nothing to the pod rows (its connections are the pods' on the target port).
  for (const service of cluster.services.filter((candidate) => now.binding(candidate).kind === 'waypoint')) {
    const groups = new Map<string, ServiceChange & { sources: string[] }>();
    for (const source of sources) {
      const old = was.connections(source, service);
      const fresh = now.connections(source, service);
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
      if (!gained.isEmpty()) gainedPairs++;
      if (!lost.isEmpty()) lostPairs++;
      const key = `${gained.id}/${lost.id}`;
      const group = groups.get(key);
      if (group) {
        group.sources.push(podId(source));
      } else {
        groups.set(key, { service: `${service.namespace}/${service.name}`, sources: [podId(source)], gained, lost });
      }
    }
    changes.push(...groups.values());
  }
  return { changes, gainedPairs, lostPairs };
}
