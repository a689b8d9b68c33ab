import { ConnectionFocus } from './port-selection';
import { serviceSourceGroups } from './service-sources';
import { AnalysisUniverse, ClusterPod, ConnectionSet, isWaypointPod, podId, ReachabilityAnalyzer, serviceBackends, serviceWaypoint } from '../analysis';

/** Sources with the same connections to a Service: what every endpoint admits, and each endpoint's own set. */
export interface ServiceReportEntry {
  /** Source pods (`ns/name`), in pod order. */
  readonly sources: readonly string[];
  /** What every endpoint pod admits (the connection succeeds whichever endpoint is chosen). */
  readonly connections: ConnectionSet;
  /** Each endpoint pod's set, when the endpoints do not all admit the same (else undefined). */
  readonly endpoints?: readonly { readonly pod: string; readonly connections: ConnectionSet }[];
}

/** One Service as a destination of `reach`. */
export interface ServiceReportRow {
  /** `ns/name`. */
  readonly service: string;
  /** `ns/name` of the waypoint its TCP traffic from ambient clients passes, if any. */
  readonly waypoint?: string;
  /** Endpoint pods (`ns/name`). */
  readonly endpointPods: readonly string[];
  /** Sources with some connection, grouped by identical sets. */
  readonly entries: readonly ServiceReportEntry[];
}

/** What `reach` says about Services: a row per Service of the cluster file, and what was left out. */
export interface ServiceReport {
  readonly rows: readonly ServiceReportRow[];
  readonly notes: readonly string[];
}

/**
 * The connections from every pod of the analysis to every Service of the cluster model that is bound
 * to a waypoint (ClusterIP and Service ports), exact per endpoint pod
 * (`ReachabilityAnalyzer.serviceConnections`), narrowed to the focus. A Service without a waypoint
 * adds nothing to the pod rows — a connection to it is the pod-to-pod connection to each endpoint on
 * its target port — so it is not listed (a note says so, and `explain --to svc/…` decides one).
 * Waypoint pods are not listed as clients (a note says so): they forward traffic for others, and
 * their own Service traffic is not modelled.
 */
export function serviceReport(analyzer: ReachabilityAnalyzer, universe: AnalysisUniverse, focus: ConnectionFocus): ServiceReport {
  const cluster = analyzer.cluster;
  const bound = cluster.services.filter((service) => serviceWaypoint(cluster, service).kind === 'waypoint');
  const notes: string[] = [];
  const direct = cluster.services.length - bound.length;
  if (direct > 0) {
    notes.push(`${direct} Service${direct === 1 ? '' : 's'} without a waypoint ${direct === 1 ? 'is' : 'are'} not listed as destinations: a connection to one is the pod-to-pod connection `
      + 'to each of its endpoint pods on the target port (the rows above); explain --to svc/<namespace>/<name> decides one');
  }
  if (bound.length === 0) {
    return { rows: [], notes };
  }
  const paths = analyzer.servicePaths(focus.scope.ports);
  const filter = focus.filter(paths.space);
  const rows: ServiceReportRow[] = bound.map((service) => {
    const groups = new Map<string, { sources: ClusterPod[]; entry: Omit<ServiceReportEntry, 'sources'> }>();
    const binding = paths.binding(service);
    const waypoint = binding.kind === 'waypoint' ? `${binding.waypoint.namespace}/${binding.waypoint.name}` : undefined;
    const endpointPods = serviceBackends(cluster, service).map(podId);
    for (const group of serviceSourceGroups(universe, service)) {
      const result = paths.connections(group.representative, service);
      const endpoints = result.endpoints.map((endpoint) => ({ pod: podId(endpoint.pod), connections: endpoint.connections.intersect(filter) }));
      if (endpoints.every((endpoint) => endpoint.connections.isEmpty())) continue;
      const connections = result.every.intersect(filter);
      const uniform = endpoints.every((endpoint) => endpoint.connections === connections);
      const key = uniform ? `${connections.id}` : endpoints.map((endpoint) => `${endpoint.pod}=${endpoint.connections.id}`).join(',');
      const known = groups.get(key);
      if (known) {
        known.sources.push(...group.pods);
      } else {
        groups.set(key, { sources: [...group.pods], entry: { connections, ...(uniform ? {} : { endpoints }) } });
      }
    }
    const order = new Map(universe.grouping.pods.map((pod, i) => [pod, i]));
    return {
      service: `${service.namespace}/${service.name}`,
      ...(waypoint ? { waypoint } : {}),
      endpointPods,
      entries: [...groups.values()].map((group) => ({
        sources: group.sources.sort((a, b) => (order.get(a) as number) - (order.get(b) as number)).map(podId),
        ...group.entry,
      })),
    };
  });
  const waypointPods = universe.grouping.pods.filter((pod) => isWaypointPod(cluster, pod));
  if (waypointPods.length > 0) {
    notes.push(`waypoint pods (${waypointPods.map(podId).join(', ')}) are not listed as clients of Services: they forward the traffic of others, and their own Service traffic is not modelled`);
  }
  return { rows, notes };
}
