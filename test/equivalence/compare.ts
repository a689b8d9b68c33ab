import {
  AnalysisPolicy, ClusterModel, ClusterPod, ConnectionSet, Connectivity, EndpointClass, EvaluatorOptions, HttpRequest, podEndpoint, podId,
  PortRange, ReachabilityAnalyzer, restrictMap, subtractMaps,
} from '../../src/analysis';

/** A class as text: its pods (`ns/name`) or its CIDRs. */
function labelOf(connectivity: Connectivity, index: number): string {
  const endpoint = connectivity.universe.classAt(index);
  if (endpoint.kind === 'pods') return endpoint.group.pods.map(podId).join(', ');
  return endpoint.name ? `${endpoint.name.description} (e.g. ${endpoint.name.example}) at ${endpoint.external.label}` : endpoint.external.label;
}

/** One difference between two policy sets' results: from a class to classes, a connection set one allows and the other denies. */
export interface ReachabilityDifference {
  readonly source: EndpointClass;
  /** For a difference of a pod's connections to itself: the source's own class. */
  readonly destinations: readonly EndpointClass[];
  /** `allows`: the actual (engine's) policies allow what the expected (intent's) deny; `denies`: the reverse. */
  readonly engine: 'allows' | 'denies';
  readonly self: boolean;
  readonly connections: ConnectionSet;
  readonly text: string;
}

/**
 * Every difference between what two policy sets allow, complete: over one universe built from both
 * (every pod group, every external address class either set's CIDRs cut out, every connection
 * atom), each source class's row and each pod's connections to itself. Empty = the same
 * reachability, on every port of every protocol and every address. Plain connections (no HTTP
 * request, no mTLS). `pairs: 'withExternal'` compares only connections from or to an external class
 * (for Istio, whose pod-to-pod connections are meshed: `meshedDifferences`).
 */
export function reachabilityDifferences(
  cluster: ClusterModel, expected: readonly AnalysisPolicy[], actual: readonly AnalysisPolicy[], options: EvaluatorOptions = {},
  pairs: 'all' | 'withExternal' = 'all',
): string[] {
  return reachabilityDifferenceList(cluster, expected, actual, options, pairs).map((difference) => difference.text);
}

/** `reachabilityDifferences` as data, for properties that allow some differences and not others. */
export function reachabilityDifferenceList(
  cluster: ClusterModel, expected: readonly AnalysisPolicy[], actual: readonly AnalysisPolicy[], options: EvaluatorOptions = {},
  pairs: 'all' | 'withExternal' = 'all',
): ReachabilityDifference[] {
  const want = new ReachabilityAnalyzer(cluster, expected, options);
  const got = new ReachabilityAnalyzer(cluster, actual, options);
  const universe = ReachabilityAnalyzer.jointUniverse([want, got]);
  const intent = want.connectivity(universe);
  const engine = got.connectivity(universe);
  const diffs: ReachabilityDifference[] = [];
  const external = universe.allExternal;
  for (let source = 0; source < universe.sets.size; source++) {
    const onlyExternal = pairs === 'withExternal' && source < universe.groupCount;
    const keep = (map: ReturnType<typeof subtractMaps>) => (onlyExternal ? restrictMap(map, external) : map);
    const describe = (verb: 'allows' | 'denies') => (entry: { classes: { toArray(): number[] }; connections: ConnectionSet }) => {
      const indices = entry.classes.toArray();
      const to = indices.map((index) => labelOf(intent, index)).join('; ');
      const says = verb === 'allows' ? 'the intent denies and the engine allows' : 'the intent allows and the engine denies';
      diffs.push({
        source: universe.classAt(source),
        destinations: indices.map((index) => universe.classAt(index)),
        engine: verb,
        self: false,
        connections: entry.connections,
        text: `${labelOf(intent, source)} → ${to}: ${says} ${entry.connections.format()}`,
      });
    };
    keep(subtractMaps(engine.rowOf(source), intent.rowOf(source))).forEach(describe('allows'));
    keep(subtractMaps(intent.rowOf(source), engine.rowOf(source))).forEach(describe('denies'));
  }
  for (const group of pairs === 'all' ? universe.grouping.groups : []) {
    const a = intent.selfConnections(group.index);
    const b = engine.selfConnections(group.index);
    if (a !== b) {
      const endpoint = universe.classAt(group.index);
      diffs.push({
        source: endpoint,
        destinations: [endpoint],
        engine: b.subtract(a).isEmpty() ? 'denies' : 'allows',
        self: true,
        connections: b.subtract(a).isEmpty() ? a.subtract(b) : b.subtract(a),
        text: `${labelOf(intent, group.index)} → itself: the intent allows ${a.format()}, the engine ${b.format()}`,
      });
    }
  }
  return diffs;
}

/** One difference on a meshed connection: a pod pair, one atom, with or without an HTTP request. */
export interface MeshedDifference {
  readonly source: ClusterPod;
  readonly destination: ClusterPod;
  readonly atom: PortRange;
  readonly http?: HttpRequest;
  /** `allows`: the actual (engine's) policies allow what the expected (intent's) deny; `denies`: the reverse. */
  readonly engine: 'allows' | 'denies';
  readonly text: string;
}

/**
 * Differences on meshed connections (mTLS), which the sets do not cover yet (issue 13): every pod
 * pair on one port of every connection atom of both sets (the atoms are where rules can differ),
 * with and without each of the given HTTP requests on every atom where a rule has an HTTP condition. External addresses connect in
 * plaintext: `reachabilityDifferences` covers them completely.
 */
export function meshedDifferences(
  cluster: ClusterModel, expected: readonly AnalysisPolicy[], actual: readonly AnalysisPolicy[], requests: readonly (HttpRequest | undefined)[],
): string[] {
  return meshedDifferenceList(cluster, expected, actual, requests).map((difference) => difference.text);
}

/** `meshedDifferences` as data. */
export function meshedDifferenceList(
  cluster: ClusterModel, expected: readonly AnalysisPolicy[], actual: readonly AnalysisPolicy[], requests: readonly (HttpRequest | undefined)[],
): MeshedDifference[] {
  const want = new ReachabilityAnalyzer(cluster, expected);
  const got = new ReachabilityAnalyzer(cluster, actual);
  const space = ReachabilityAnalyzer.jointUniverse([want, got]).space;
  const atoms = space.atoms;
  // A request can only change the verdict through a rule with an HTTP condition whose ports match:
  // on other atoms it decides as no request does, so those atoms are checked without one.
  const httpRules = [...expected, ...actual].flatMap((policy) => [...policy.ingress?.rules ?? [], ...policy.egress?.rules ?? []])
    .filter((rule) => rule.http !== undefined);
  const requestsMatter = (atom: { protocol: string; from: number }) => httpRules.some((rule) => rule.ports === undefined
    || rule.ports.some((port) => (port.protocol === 'ANY' || port.protocol === atom.protocol)
      && (typeof port.port !== 'number' || (atom.from >= port.port && atom.from <= (port.endPort ?? port.port)))));
  const diffs: MeshedDifference[] = [];
  for (const s of cluster.pods) {
    for (const d of cluster.pods) {
      if (s === d) continue;
      for (const [index, atom] of atoms.entries()) {
        // Every request class of the atom (its example stands for the class exactly), and the given
        // concrete requests on atoms without classes where an HTTP rule's ports match.
        const example = space.exampleOf(index).http;
        const candidates = atom.request !== undefined ? [example] : requestsMatter(atom) ? requests : [undefined];
        for (const http of candidates) {
          const flow = {
            source: podEndpoint(s.namespace, s.name),
            destination: podEndpoint(d.namespace, d.name),
            port: atom.from,
            protocol: atom.protocol,
            mesh: { mtls: true },
            ...(http ? { http } : {}),
          };
          const x = want.evaluate(flow).allowed;
          const y = got.evaluate(flow).allowed;
          if (x !== y) {
            const request = http ? ` ${http.method} ${http.path}` : '';
            diffs.push({
              source: s,
              destination: d,
              atom,
              ...(http ? { http } : {}),
              engine: y ? 'allows' : 'denies',
              text: `${podId(s)} → ${podId(d)} ${atom.protocol} ${atom.from}-${atom.to}${request} (mTLS): intent ${x ? 'allows' : 'denies'}, engine ${y ? 'allows' : 'denies'}`,
            });
          }
        }
      }
    }
  }
  return diffs;
}
