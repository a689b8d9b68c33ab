import { analysisNotes, dnsNameNotes } from './analysis-notes';
import { ConnectionFocus } from './port-selection';
import { diffServices, ServiceDiff } from './service-diff';
import {
  ClassSet, ConnectionMap, ConnectionSet, Connectivity, displayDnsName, dnsEndpoint, FlowEndpoint, HttpRequest, ipEndpoint, mapKey, normalizeMap,
  podEndpoint, podId, Protocol,
  ReachabilityAnalyzer, subtractMaps, Verdict,
} from '../analysis';

/** One flow a reason was read from: the first connection of its atoms, between two endpoints of the change. */
export interface ReasonExample {
  readonly source: string;
  readonly destination: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** The request of the example flow, on ports where HTTP rules tell requests apart (none: a connection without one). */
  readonly http?: HttpRequest;
}

/** Why part of a change happened: the connections it covers, and the reasons read from one flow per atom. */
export interface ChangeReason {
  readonly connections: ConnectionSet;
  readonly because: readonly string[];
  readonly example: ReasonExample;
}

/** Connections gained (or lost) from every source class to every destination class of the change. */
export interface ConnectivityChange {
  /** Source classes with identical changes. */
  readonly sources: readonly number[];
  readonly destinations: readonly number[];
  readonly connections: ConnectionSet;
  /** The change cut by reasons (atoms with the same reasons together), covering `connections`. */
  readonly reasons: readonly ChangeReason[];
}

/** Pods whose connections to themselves changed (only under `--self-traffic evaluate`). */
export interface SelfChange {
  readonly groups: readonly number[];
  readonly connections: ConnectionSet;
}

/** What changed from `before` to `after`, exactly, over one joint set of classes and atoms. */
export interface ReachabilityDiff {
  readonly before: Connectivity;
  readonly after: Connectivity;
  readonly focus: string;
  readonly filter: ConnectionSet;
  readonly gained: readonly ConnectivityChange[];
  readonly lost: readonly ConnectivityChange[];
  readonly gainedSelf: readonly SelfChange[];
  readonly lostSelf: readonly SelfChange[];
  /** Number of (source, destination) endpoint pairs that gain, or lose, some connection (self pairs included). */
  readonly gainedPairs: number;
  readonly lostPairs: number;
  readonly notes: readonly string[];
  /** Connections addressed to the Services of the cluster file that changed (none without Services). */
  readonly services: ServiceDiff;
}

/**
 * Compares two policy sets over the same cluster: the universe is built from both, so classes and
 * atoms are shared, and every source class's row after is compared with its row before. Gained
 * connections are explained by the `after` policies, lost ones by both (what allowed them before,
 * what denies them now), reading one flow per atom.
 */
export function diffReachability(before: ReachabilityAnalyzer, after: ReachabilityAnalyzer, focus: ConnectionFocus): ReachabilityDiff {
  const universe = ReachabilityAnalyzer.jointUniverse([before, after], focus.scope);
  const was = before.connectivity(universe);
  const now = after.connectivity(universe);
  // A pull request changes a few namespaces: every other source's row is taken from before.
  now.reuseUnchangedRowsOf(was);
  const filter = focus.filter(universe.space);
  const explain = new Explainer(now, before, after);
  const gained = changes(now, was, filter, (source, destination, connections) => explain.gain(source, destination, connections));
  const lost = changes(was, now, filter, (source, destination, connections) => explain.loss(source, destination, connections));
  const gainedSelf = selfChanges(now, was, filter);
  const lostSelf = selfChanges(was, now, filter);
  return {
    before: was,
    after: now,
    focus: focus.description,
    filter,
    gained,
    lost,
    gainedSelf,
    lostSelf,
    gainedPairs: pairCount(now, gained) + selfCount(now, gainedSelf),
    lostPairs: pairCount(now, lost) + selfCount(now, lostSelf),
    notes: [...analysisNotes(universe.cluster), ...dnsNameNotes(universe)],
    services: diffServices(before, after, focus, universe),
  };
}

type Explain = (source: number, destination: number, connections: ConnectionSet) => ChangeReason[];

/**
 * Per source class, what `a` allows and `b` does not; sources with the same change (the same
 * destinations and connections) together. A source whose change has several parts (say one to
 * pods, one to the outside) is in one change per part.
 */
function changes(a: Connectivity, b: Connectivity, filter: ConnectionSet, explain: Explain): ConnectivityChange[] {
  const size = a.universe.sets.size;
  const byEntry = new Map<string, { sources: number[]; classes: ClassSet; connections: ConnectionSet }>();
  const memo = new Map<string, ConnectionMap>();
  for (let source = 0; source < size; source++) {
    const rowA = a.rowOf(source);
    const rowB = b.rowOf(source);
    const keyA = mapKey(rowA);
    const keyB = mapKey(rowB);
    if (keyA === keyB) {
      continue; // the same classes and connection sets (one universe: equal sets are one object)
    }
    const pairKey = `${keyA}|${keyB}`;
    let difference = memo.get(pairKey);
    if (!difference) {
      const gained = subtractMaps(rowA, rowB);
      difference = normalizeMap(gained.map((entry) => ({ classes: entry.classes, connections: entry.connections.intersect(filter) })));
      memo.set(pairKey, difference);
    }
    for (const entry of difference) {
      const key = `${entry.classes.id}:${entry.connections.id}`;
      const known = byEntry.get(key);
      if (known) {
        known.sources.push(source);
      } else {
        byEntry.set(key, { sources: [source], classes: entry.classes, connections: entry.connections });
      }
    }
  }
  return [...byEntry.values()]
    .map(({ sources, classes, connections }) => ({ sources, destinations: classes.toArray(), connections }))
    .sort((x, y) => x.sources[0] - y.sources[0] || x.destinations[0] - y.destinations[0])
    .map((change) => ({ ...change, reasons: explain(change.sources[0], change.destinations[0], change.connections) }));
}

function selfChanges(a: Connectivity, b: Connectivity, filter: ConnectionSet): SelfChange[] {
  const byConnections = new Map<ConnectionSet, number[]>();
  for (const group of a.universe.grouping.groups) {
    const connections = a.selfConnections(group.index).subtract(b.selfConnections(group.index)).intersect(filter);
    if (!connections.isEmpty()) {
      byConnections.set(connections, [...byConnections.get(connections) ?? [], group.index]);
    }
  }
  return [...byConnections].map(([connections, groups]) => ({ groups, connections }));
}

/** Endpoint pairs of the changes: sources × destinations, without a pod with itself. */
function pairCount(connectivity: Connectivity, list: readonly ConnectivityChange[]): number {
  const universe = connectivity.universe;
  const sizeOf = (index: number) => (index < universe.groupCount ? universe.grouping.groups[index].pods.length : 1);
  let count = 0;
  for (const change of list) {
    const destinations = change.destinations.reduce((sum, index) => sum + sizeOf(index), 0);
    for (const source of change.sources) {
      count += sizeOf(source) * destinations - (change.destinations.includes(source) ? sizeOf(source) : 0);
    }
  }
  return count;
}

function selfCount(connectivity: Connectivity, list: readonly SelfChange[]): number {
  return list.reduce((sum, change) => sum + change.groups.reduce((n, group) => n + connectivity.universe.grouping.groups[group].pods.length, 0), 0);
}

/** Reads reasons from one flow per atom of a change. */
class Explainer {
  constructor(
    private readonly connectivity: Connectivity,
    private readonly before: ReachabilityAnalyzer,
    private readonly after: ReachabilityAnalyzer,
  ) {}

  public gain(source: number, destination: number, connections: ConnectionSet): ChangeReason[] {
    return this.byAtom(source, destination, connections, (flow) => allowReasons(this.after.evaluate(flow)));
  }

  public loss(source: number, destination: number, connections: ConnectionSet): ChangeReason[] {
    return this.byAtom(source, destination, connections, (flow) => [
      ...allowReasons(this.before.evaluate(flow)).map((reason) => `before: ${reason}`),
      ...denyReasons(this.after.evaluate(flow)).map((reason) => `after: ${reason}`),
    ]);
  }

  private byAtom(
    source: number, destination: number, connections: ConnectionSet,
    reasons: (flow: { source: FlowEndpoint; destination: FlowEndpoint; port: number; protocol: Protocol; http?: HttpRequest }) => string[],
  ): ChangeReason[] {
    const space = this.connectivity.universe.space;
    const [from, to] = this.endpoints(source, destination);
    const byReasons = new Map<string, { atoms: number[]; because: string[]; example: ReasonExample }>();
    for (const atom of connections.atoms()) {
      const { protocol, port, http } = space.exampleOf(atom);
      const because = reasons({ source: from.endpoint, destination: to.endpoint, port, protocol, ...(http ? { http } : {}) });
      const key = because.join('\n');
      const known = byReasons.get(key);
      if (known) {
        known.atoms.push(atom);
      } else {
        const example = { source: from.label, destination: to.label, port, protocol, ...(http ? { http } : {}) };
        byReasons.set(key, { atoms: [atom], because, example });
      }
    }
    return [...byReasons.values()].map((entry) => ({ connections: space.fromAtoms(entry.atoms), because: entry.because, example: entry.example }));
  }

  /** A source endpoint of the class, and a destination endpoint of the other class that is not that pod. */
  private endpoints(source: number, destination: number): { endpoint: FlowEndpoint; label: string }[] {
    const universe = this.connectivity.universe;
    const endpointOf = (index: number, skip?: string) => {
      const endpoint = universe.classAt(index);
      if (endpoint.kind === 'external') {
        const ip = endpoint.external.representative.text;
        if (endpoint.name) {
          const name = displayDnsName(endpoint.name.example);
          return { endpoint: dnsEndpoint(name, ip), label: `${ip} (dns ${name})` };
        }
        return { endpoint: ipEndpoint(ip), label: ip };
      }
      const pod = endpoint.group.pods.find((candidate) => podId(candidate) !== skip) ?? endpoint.group.pods[0];
      return { endpoint: podEndpoint(pod.namespace, pod.name), label: podId(pod) };
    };
    const from = endpointOf(source);
    return [from, endpointOf(destination, from.label)];
  }
}

/** The rules that allow the flow, or why no rule was needed. */
export function allowReasons(verdict: Verdict): string[] {
  if (!verdict.allowed) {
    return denyReasons(verdict);
  }
  if (verdict.exemption !== undefined) {
    return [verdict.exemption === 'self' ? 'a pod can always reach itself' : 'traffic between a pod and its own node is always allowed'];
  }
  const reasons: string[] = [];
  for (const step of verdict.steps) {
    if (!step.isolated && step.decidedBy === undefined) {
      continue;
    }
    const rules = step.allowedBy.length > 0 ? step.allowedBy : step.decidedBy ? [step.decidedBy] : [];
    reasons.push(...rules.filter((rule) => !reasons.includes(rule)));
  }
  return reasons.length > 0 ? reasons : ['no policy isolates either end'];
}

/** The steps that deny the flow: the deny rules, or the isolating policies no rule of which allows it. */
export function denyReasons(verdict: Verdict): string[] {
  if (verdict.noNetwork !== undefined) {
    return [verdict.noNetwork];
  }
  return verdict.steps.filter((step) => !step.allowed).map((step) => {
    const where = `${step.direction} at ${step.endpoint}`;
    if (step.deniedBy.length > 0) {
      return `${where}: denied by ${step.deniedBy.join(', ')}`;
    }
    return `${where}: isolated by ${step.isolatedBy.join(', ')}; no rule allows it`;
  });
}
