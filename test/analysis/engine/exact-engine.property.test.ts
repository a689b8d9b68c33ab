import * as fc from 'fast-check';
import {
  AnalysisPolicy, ClusterModel, ConnectionSet, Connectivity, EvaluatorOptions, FlowEndpoint, HttpRequest, ipEndpoint, parseIpAddress, podEndpoint,
  podId, ReachabilityAnalyzer,
} from '../../../src/analysis';
import { lookup } from '../../../src/analysis/engine/connection-map';
import { BruteEnd, bruteAllowed, bruteIsolated } from '../support/brute-force';
import { requestArb } from '../support/http-arbitraries';
import { externalAddresses, GAP, OUTSIDE, PROTOCOLS, SMALL_PORTS, smallClusterArb, smallOptionsArb, smallPoliciesArb } from '../support/small-universe';

// The exact engine against an independent brute-force evaluator (test/analysis/support/brute-force.ts),
// exhaustively over a small universe: every pod pair, every pod to and from every address of the
// small prefixes and one per region outside them, every port of SMALL_PORTS and of the gap between
// them, every protocol. The sets must also be constant where the universe says they are (the gap,
// each outside region), which is what makes the small universe stand for the whole space.

const RUNS = Number(process.env.EXACT_ENGINE_RUNS ?? 120);
const PORTS = [...SMALL_PORTS, GAP.representative];
const requestsArb = fc.array(requestArb, { maxLength: 3 });

interface Pair {
  readonly label: string;
  readonly source: BruteEnd;
  readonly destination: BruteEnd;
  readonly flowSource: FlowEndpoint;
  readonly flowDestination: FlowEndpoint;
}

function pairsOf(cluster: ClusterModel): Pair[] {
  const pods = cluster.pods.map((pod) => ({ end: { pod } as BruteEnd, flow: podEndpoint(pod.namespace, pod.name), label: podId(pod) }));
  const ips = externalAddresses(cluster).map((text) => ({ end: { ip: parseIpAddress(text) } as BruteEnd, flow: ipEndpoint(text), label: text }));
  const pairs: Pair[] = [];
  for (const a of pods) {
    for (const b of [...pods, ...ips]) {
      pairs.push({ label: `${a.label} -> ${b.label}`, source: a.end, destination: b.end, flowSource: a.flow, flowDestination: b.flow });
      if (b.flow.kind === 'ip') {
        pairs.push({ label: `${b.label} -> ${a.label}`, source: b.end, destination: a.end, flowSource: b.flow, flowDestination: a.flow });
      }
    }
  }
  return pairs;
}

/** What the rows (computed for all sources at once) say for a pair. */
function fromRows(connectivity: Connectivity, cluster: ClusterModel, source: FlowEndpoint, destination: FlowEndpoint): ConnectionSet {
  const universe = connectivity.universe;
  const classOf = (end: FlowEndpoint) => (end.kind === 'pod'
    ? universe.classOfPod(cluster.findPod(end.namespace, end.name)!)!
    : universe.classOfAddress(parseIpAddress(end.ip))!);
  const s = classOf(source);
  const d = classOf(destination);
  if (source.kind === 'pod' && destination.kind === 'pod' && source.name === destination.name && source.namespace === destination.namespace) {
    return connectivity.selfConnections(s);
  }
  return lookup(connectivity.rowOf(s), d, universe.space.empty);
}

/** Every disagreement between the engine and brute force, as readable lines (empty = agreement). */
function disagreements(
  cluster: ClusterModel, policies: AnalysisPolicy[], options: EvaluatorOptions, withEvaluate: boolean, randomRequests: readonly HttpRequest[] = [],
): string[] {
  const analyzer = new ReachabilityAnalyzer(cluster, policies, options);
  const connectivity = analyzer.connectivity();
  const space = connectivity.universe.space;
  const problems: string[] = [];
  for (const protocol of PROTOCOLS) {
    if (space.atomAt(GAP.from, protocol) !== space.atomAt(GAP.to, protocol)) {
      problems.push(`${protocol} ${GAP.from}-${GAP.to} is split into several atoms, but no rule names a port there`);
    }
  }
  for (const region of OUTSIDE) {
    const expected = connectivity.universe.classOfAddress(parseIpAddress(region.address));
    for (const other of region.sameClassAs) {
      if (connectivity.universe.classOfAddress(parseIpAddress(other)) !== expected) {
        problems.push(`${other} is not in the class of ${region.address}, but no CIDR of the input separates them`);
      }
    }
  }
  // The blocks group every source with a connection exactly once, by its row.
  const inBlocks = connectivity.blocks()
    .flatMap((block) => block.sources.map((source) => ({ source, same: connectivity.rowOf(source) === block.row })));
  const withRows = Array.from({ length: connectivity.universe.sets.size }, (_, i) => i).filter((i) => connectivity.rowOf(i).length > 0);
  if (JSON.stringify(inBlocks.map((b) => b.source).sort((a, b) => a - b)) !== JSON.stringify(withRows) || inBlocks.some((b) => !b.same)) {
    problems.push('the blocks do not group every source with a connection exactly once by its row');
  }
  // Each family's rows (what the half-open lint subtracts) and isolation, against brute force too.
  const familyRows = { IPv4: connectivity.familyRows('IPv4'), IPv6: connectivity.familyRows('IPv6') };
  for (const group of connectivity.universe.grouping.groups) {
    for (const direction of ['ingress', 'egress'] as const) {
      const expected = bruteIsolated(cluster, policies, group.pods[0], direction);
      if (connectivity.isolated(group.index, direction) !== expected) {
        problems.push(`${podId(group.pods[0])}: brute force says ${expected ? '' : 'not '}isolated for ${direction}, the engine the opposite`);
      }
    }
  }
  for (const pair of pairsOf(cluster)) {
    const set = connectivity.connections(pair.flowSource, pair.flowDestination);
    const self = 'pod' in pair.source && 'pod' in pair.destination && pair.source.pod === pair.destination.pod;
    for (const family of self ? [] : (['IPv4', 'IPv6'] as const)) {
      const universe = connectivity.universe;
      const classOf = (end: BruteEnd) => ('pod' in end ? universe.classOfPod(end.pod)! : universe.classOfAddress(end.ip)!);
      const inFamily = lookup(familyRows[family][classOf(pair.source)], classOf(pair.destination), space.empty);
      for (const protocol of PROTOCOLS) {
        for (const port of PORTS) {
          const expected = bruteAllowed(cluster, policies, options, pair.source, pair.destination, port, protocol, family);
          if (inFamily.contains(port, protocol) !== expected) {
            problems.push(`${pair.label} ${protocol} ${port} over ${family}: brute force ${expected ? 'allows' : 'denies'}, the family's row says ${inFamily.format()}`);
          }
        }
      }
    }
    const rows = fromRows(connectivity, cluster, pair.flowSource, pair.flowDestination);
    if (rows !== set) {
      problems.push(`${pair.label}: the rows say ${rows.format()}, the pair lookup ${set.format()}`);
    }
    const alone = new ReachabilityAnalyzer(cluster, policies, options).connections(pair.flowSource, pair.flowDestination);
    if (alone.format() !== set.format()) {
      problems.push(`${pair.label}: the two-endpoint analysis says ${alone.format()}, the full one ${set.format()}`);
    }
    // Requests (TCP only: the request space's): the random ones and every class's example.
    for (const request of [...randomRequests, ...(space.requests?.classes ?? []).map((c) => c.example)]) {
      for (const port of PORTS) {
        const expected = bruteAllowed(cluster, policies, options, pair.source, pair.destination, port, 'TCP', undefined, request);
        const where = `${pair.label} TCP ${port} ${request.method} ${request.path}${request.host === undefined ? '' : ` host ${request.host}`}`;
        if (set.contains(port, 'TCP', request) !== expected) {
          problems.push(`${where}: brute force ${expected ? 'allows' : 'denies'}, the engine's set is ${set.format()}`);
        }
        if (withEvaluate) {
          const verdict = analyzer.evaluate({ source: pair.flowSource, destination: pair.flowDestination, port, protocol: 'TCP', http: request });
          if (verdict.allowed !== expected) {
            problems.push(`${where}: brute force ${expected ? 'allows' : 'denies'}, evaluate ${verdict.allowed ? 'allows' : 'denies'}`);
          }
        }
      }
    }
    for (const protocol of PROTOCOLS) {
      for (const port of PORTS) {
        const expected = bruteAllowed(cluster, policies, options, pair.source, pair.destination, port, protocol);
        if (set.contains(port, protocol) !== expected) {
          problems.push(`${pair.label} ${protocol} ${port}: brute force ${expected ? 'allows' : 'denies'}, the engine's set is ${set.format()}`);
        }
        if (withEvaluate) {
          const verdict = analyzer.evaluate({ source: pair.flowSource, destination: pair.flowDestination, port, protocol });
          if (verdict.allowed !== expected) {
            problems.push(`${pair.label} ${protocol} ${port}: brute force ${expected ? 'allows' : 'denies'}, evaluate ${verdict.allowed ? 'allows' : 'denies'}`);
          }
        }
      }
    }
  }
  return problems;
}

describe('the exact engine equals brute-force evaluation over a small universe', () => {
  test('for random clusters (IPv4, IPv6, host network, pods without IP, named ports), random IR policies of every shape and random HTTP requests', () => {
    fc.assert(fc.property(smallClusterArb, smallPoliciesArb, smallOptionsArb, requestsArb, (cluster, policies, options, requests) => {
      expect(disagreements(cluster, policies, options, false, requests)).toEqual([]);
    }), { numRuns: RUNS });
  }, 300_000);

  test('and evaluate(flow), the explanation path, decides every flow as the sets do', () => {
    fc.assert(fc.property(smallClusterArb, smallPoliciesArb, smallOptionsArb, requestsArb, (cluster, policies, options, requests) => {
      expect(disagreements(cluster, policies, options, true, requests)).toEqual([]);
    }), { numRuns: Math.max(10, Math.round(RUNS / 3)) });
  }, 300_000);

  test('fails when the brute force and the engine see different policies (the property can fail)', () => {
    const cluster = ClusterModel.create({ pods: [{ name: 'a', ips: ['10.0.0.1'] }, { name: 'b', ips: ['10.0.0.2'] }] });
    const denyAll: AnalysisPolicy[] = [{
      ref: { kind: 'NetworkPolicy', namespace: 'default', name: 'deny' },
      layer: 'network',
      tier: { name: 'kubernetes', order: 0, defaultAction: 'deny' },
      enforced: true,
      subject: { namespaces: { kind: 'names', names: ['default'] }, pods: { op: 'all' } },
      ingress: { isolates: true, rules: [] },
    }];
    const set = new ReachabilityAnalyzer(cluster, denyAll).connections(podEndpoint('default', 'a'), podEndpoint('default', 'b'));
    expect(set.isEmpty()).toBe(true);
    expect(bruteAllowed(cluster, [], {}, { pod: cluster.pods[0] }, { pod: cluster.pods[1] }, 80, 'TCP')).toBe(true);
  });
});
