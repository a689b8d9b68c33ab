import {
  AnalysisPolicy, ClusterModel, Connectivity, EvaluatorOptions, HttpRequest, podEndpoint, podId, ReachabilityAnalyzer, restrictMap, subtractMaps,
} from '../../src/analysis';

/** A class as text: its pods (`ns/name`) or its CIDRs. */
function labelOf(connectivity: Connectivity, index: number): string {
  const endpoint = connectivity.universe.classAt(index);
  return endpoint.kind === 'pods' ? endpoint.group.pods.map(podId).join(', ') : endpoint.external.label;
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
  const want = new ReachabilityAnalyzer(cluster, expected, options);
  const got = new ReachabilityAnalyzer(cluster, actual, options);
  const universe = ReachabilityAnalyzer.jointUniverse([want, got]);
  const intent = want.connectivity(universe);
  const engine = got.connectivity(universe);
  const diffs: string[] = [];
  const external = universe.allExternal;
  for (let source = 0; source < universe.sets.size; source++) {
    const onlyExternal = pairs === 'withExternal' && source < universe.groupCount;
    const keep = (map: ReturnType<typeof subtractMaps>) => (onlyExternal ? restrictMap(map, external) : map);
    const describe = (verb: string) => (entry: { classes: { toArray(): number[] }; connections: { format(): string } }) => {
      const to = entry.classes.toArray().map((index) => labelOf(intent, index)).join('; ');
      diffs.push(`${labelOf(intent, source)} → ${to}: ${verb} ${entry.connections.format()}`);
    };
    keep(subtractMaps(engine.rowOf(source), intent.rowOf(source))).forEach(describe('the intent denies and the engine allows'));
    keep(subtractMaps(intent.rowOf(source), engine.rowOf(source))).forEach(describe('the intent allows and the engine denies'));
  }
  for (const group of pairs === 'all' ? universe.grouping.groups : []) {
    const a = intent.selfConnections(group.index);
    const b = engine.selfConnections(group.index);
    if (a !== b) {
      diffs.push(`${labelOf(intent, group.index)} → itself: the intent allows ${a.format()}, the engine ${b.format()}`);
    }
  }
  return diffs;
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
  const want = new ReachabilityAnalyzer(cluster, expected);
  const got = new ReachabilityAnalyzer(cluster, actual);
  const atoms = ReachabilityAnalyzer.jointUniverse([want, got]).space.atoms;
  // A request can only change the verdict through a rule with an HTTP condition whose ports match:
  // on other atoms it decides as no request does, so those atoms are checked without one.
  const httpRules = [...expected, ...actual].flatMap((policy) => [...policy.ingress?.rules ?? [], ...policy.egress?.rules ?? []])
    .filter((rule) => rule.http !== undefined);
  const requestsMatter = (atom: { protocol: string; from: number }) => httpRules.some((rule) => rule.ports === undefined
    || rule.ports.some((port) => (port.protocol === 'ANY' || port.protocol === atom.protocol)
      && (typeof port.port !== 'number' || (atom.from >= port.port && atom.from <= (port.endPort ?? port.port)))));
  const diffs: string[] = [];
  for (const s of cluster.pods) {
    for (const d of cluster.pods) {
      if (s === d) continue;
      for (const atom of atoms) {
        for (const http of requestsMatter(atom) ? requests : [undefined]) {
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
            diffs.push(`${podId(s)} → ${podId(d)} ${atom.protocol} ${atom.from}-${atom.to}${request} (mTLS): intent ${x ? 'allows' : 'denies'}, engine ${y ? 'allows' : 'denies'}`);
          }
        }
      }
    }
  }
  return diffs;
}
