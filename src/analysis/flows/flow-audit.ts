import { DEFAULT_MAX_DISTINCT_FLOWS, DistinctFlows } from './distinct-flows';
import { formatObservedEndpoint, ObservedEndpoint, ObservedFlow, Observation, RecordedPolicy } from './observed-flow';
import { ClusterPod, podId } from '../cluster/cluster-model';
import { ConnectionSet } from '../engine/connection-set';
import { Connectivity } from '../engine/connectivity';
import { ReachabilityAnalyzer } from '../engine/reachability-analyzer';
import { Verdict } from '../engine/verdict';
import { tryParseIpAddress } from '../ip/ip-address';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { Direction, Protocol } from '../ir/analysis-policy';
import { FlowEndpoint, HttpRequest } from '../ir/flow';

export { DEFAULT_MAX_DISTINCT_FLOWS } from './distinct-flows';

/** One distinct observed flow (identical records aggregated) and what the analyzer says of it. */
export interface AuditedFlow {
  /** The source as the analyzer names it (`pod ns/name`, an address), or as the record did for an aggregate. */
  readonly source: string;
  readonly destination: string;
  readonly protocol: Protocol;
  readonly port: number;
  readonly http?: { readonly method: string; readonly path: string };
  /** How many records gave this flow (the sum of neutral `count`s). */
  readonly count: number;
  /** The line of its first record. */
  readonly line: number;
  /** What the records said the network did. */
  readonly recorded: Observation;
  /** The policies the first record names as deciding. */
  readonly recordedBy?: readonly RecordedPolicy[];
  /** The analyzer's verdict on the whole connection (egress at the source, then ingress at the destination). */
  readonly allowed: boolean;
  /** Per direction: whether the analyzer allows it there. */
  readonly egressAllowed: boolean;
  readonly ingressAllowed: boolean;
  /** Why the analyzer denies it (the reasons of the denying directions), or why it allows it. */
  readonly reason: string;
  /** Set when the recorded verdict and the analyzer's differ: how. */
  readonly difference?: string;
}

/** Records whose endpoints or protocol the cluster model cannot answer for, by reason (never dropped in silence). */
export interface UnmappedFlows {
  /** What could not be mapped, e.g. `pod production/old-7d9 is not in the cluster model`. */
  readonly reason: string;
  readonly count: number;
  /** The line of the first such record. */
  readonly line: number;
}

/** Records that carry no connection (replies, debug events), by reason. */
export interface SkippedRecords {
  readonly reason: string;
  readonly count: number;
  readonly line: number;
}

/** Connections the policies allow from some endpoint classes to others that no observed flow used. */
export interface UnusedAllowance {
  /** The source classes: their pods (`ns/name`), or external address classes; each source to each destination. */
  readonly source: readonly string[];
  readonly destination: readonly string[];
  /** Everything allowed between them. */
  readonly allowed: ConnectionSet;
  /** What no observed flow used: `allowed` minus the observed connections. */
  readonly unused: ConnectionSet;
}

/** What `FlowAudit.finish` reports. */
export interface AuditResult {
  /** Flow records read (skipped ones not included), counting a neutral record `count` times. */
  readonly flowRecords: number;
  /** Distinct flows the analyzer answered (each once). */
  readonly distinctFlows: number;
  /** Observed flows the policies would deny: what breaks when they are enforced. */
  readonly denied: readonly AuditedFlow[];
  /** Observed flows whose recorded verdict differs from the analyzer's. */
  readonly differs: readonly AuditedFlow[];
  /** Every audited flow, in order of first appearance. */
  readonly flows: readonly AuditedFlow[];
  readonly unmapped: readonly UnmappedFlows[];
  readonly skipped: readonly SkippedRecords[];
  /** Events the flow source lost (Hubble `lost_events`): the capture is incomplete when > 0. */
  readonly lostEvents: number;
  /** Allowed connections no observed flow used, per pair of endpoint classes; undefined when not computed. */
  readonly unused?: readonly UnusedAllowance[];
}

/** Options of an audit. */
export interface FlowAuditOptions {
  /** Compute the allowances no observed flow used (needs the whole connectivity). @default true */
  readonly unused?: boolean;
  /**
   * The most distinct flows held (memory grows with them, not with records): one more is an
   * `AnalysisInputError`. @default DEFAULT_MAX_DISTINCT_FLOWS
   */
  readonly maxDistinctFlows?: number;
}

type Mapped = { readonly endpoints: FlowEndpoint[]; readonly label: string } | { readonly unmapped: string };

const AUDITED_PROTOCOLS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP']);

/**
 * Audits observed flows against a policy set: identical records are aggregated as they arrive (so
 * a file of any length costs memory per distinct flow only), then each distinct flow is answered
 * once by the analyzer. Endpoints map to the cluster model as docs/ANALYSIS.md ("audit") says:
 * pods by namespace and name, else by IP; Calico's aggregated names (`frontend-7d9c8f5b9-*`) by
 * name prefix in their namespace; addresses (world, the API server, nodes) by IP, as the pod that
 * has it or as an address outside the cluster. Whatever cannot be mapped is counted with the reason.
 */
export class FlowAudit {
  private readonly distinct: DistinctFlows;
  private readonly unmapped = new Map<string, { count: number; line: number }>();
  private records = 0;

  constructor(private readonly analyzer: ReachabilityAnalyzer, private readonly options: FlowAuditOptions = {}) {
    this.distinct = new DistinctFlows(options.maxDistinctFlows ?? DEFAULT_MAX_DISTINCT_FLOWS, 'audit');
  }

  /** Adds a flow record (seen `count` times, first on `line`). */
  public flow(flow: ObservedFlow, count: number, line: number): void {
    this.records += count;
    if (!AUDITED_PROTOCOLS.has(flow.protocol)) {
      this.unmap(`${flow.protocol} flows: the analyzer decides TCP, UDP and SCTP only`, count, line);
      return;
    }
    this.distinct.add(flow, count, line);
  }

  /** Counts a record that carries no connection. */
  public skipped(reason: string, line: number, lostEvents?: number): void {
    this.distinct.skip(reason, line, lostEvents);
  }

  /** Answers every distinct flow and reports. */
  public finish(): AuditResult {
    const endpointCache = new Map<string, Mapped>();
    const mapEndpoint = (e: ObservedEndpoint): Mapped => {
      const key = JSON.stringify(e);
      let mapped = endpointCache.get(key);
      if (!mapped) endpointCache.set(key, mapped = this.mapEndpoint(e));
      return mapped;
    };
    const flows: AuditedFlow[] = [];
    const used = new Map<number, Map<number, number[]>>();
    const connectivity = this.options.unused === false ? undefined : this.analyzer.connectivity();
    for (const { flow, count, line } of this.distinct.flows()) {
      const source = mapEndpoint(flow.source);
      const destination = mapEndpoint(flow.destination);
      if ('unmapped' in source || 'unmapped' in destination) {
        const reasons = [source, destination].flatMap(m => ('unmapped' in m ? [m.unmapped] : []));
        this.unmap(reasons.join('; '), count, line);
        continue;
      }
      const protocol = flow.protocol as Protocol;
      const port = flow.port!;
      const verdicts: Verdict[] = [];
      let failure: string | undefined;
      for (const s of source.endpoints) {
        for (const d of destination.endpoints) {
          try {
            verdicts.push(this.analyzer.evaluate({ source: s, destination: d, port, protocol, ...(flow.http ? { http: flow.http } : {}) }));
          } catch (e) {
            if (!(e instanceof AnalysisInputError)) throw e;
            failure = e.message;
          }
        }
      }
      if (failure !== undefined || verdicts.length === 0) {
        this.unmap(failure ?? 'no pod to evaluate', count, line);
        continue;
      }
      const decisions = new Set(verdicts.map(v => `${v.allowed}/${directionAllowed(v, 'egress')}/${directionAllowed(v, 'ingress')}`));
      if (decisions.size > 1) {
        const allowedFor = verdicts.filter(v => v.allowed).map(v => `${v.source} -> ${v.destination}`);
        this.unmap(`the pods of ${source.label} -> ${destination.label} are decided differently (allowed only for ${allowedFor.slice(0, 3).join(', ')}`
          + `${allowedFor.length > 3 ? ', …' : ''}); the record does not say which pod it was`, count, line);
        continue;
      }
      const verdict = verdicts[0];
      const egressAllowed = directionAllowed(verdict, 'egress');
      const ingressAllowed = directionAllowed(verdict, 'ingress');
      const difference = compare(flow.observation, verdict.allowed, egressAllowed, ingressAllowed);
      flows.push({
        source: source.endpoints.length > 1 ? source.label : verdict.source,
        destination: destination.endpoints.length > 1 ? destination.label : verdict.destination,
        protocol,
        port,
        ...(flow.http ? { http: flow.http } : {}),
        count,
        line,
        recorded: flow.observation,
        ...(flow.recordedBy ? { recordedBy: flow.recordedBy } : {}),
        allowed: verdict.allowed,
        egressAllowed,
        ingressAllowed,
        reason: reasonOf(verdict),
        ...(difference ? { difference } : {}),
      });
      if (connectivity) this.markUsed(connectivity, used, source.endpoints, destination.endpoints, port, protocol, flow.http);
    }
    return {
      flowRecords: this.records,
      distinctFlows: flows.length,
      flows,
      denied: flows.filter(f => !f.allowed),
      differs: flows.filter(f => f.difference !== undefined),
      unmapped: [...this.unmapped].map(([reason, v]) => ({ reason, ...v })).sort((a, b) => a.line - b.line),
      skipped: this.distinct.skipped(),
      lostEvents: this.distinct.lostEvents,
      ...(connectivity ? { unused: unusedAllowances(connectivity, used) } : {}),
    };
  }

  private unmap(reason: string, count: number, line: number): void {
    const known = this.unmapped.get(reason);
    if (known) known.count += count;
    else this.unmapped.set(reason, { count, line });
  }

  private mapEndpoint(e: ObservedEndpoint): Mapped {
    const cluster = this.analyzer.cluster;
    switch (e.kind) {
      case 'pod': {
        const pod = cluster.findPod(e.namespace, e.name);
        if (pod) return { endpoints: [{ kind: 'pod', namespace: pod.namespace, name: pod.name }], label: `pod ${podId(pod)}` };
        const byIp = e.ip ? this.podOfAddress(e.ip) : undefined;
        if (byIp) return { endpoints: [{ kind: 'pod', namespace: byIp.namespace, name: byIp.name }], label: `pod ${podId(byIp)}` };
        return { unmapped: `pod ${e.namespace}/${e.name}${e.ip ? ` (${e.ip})` : ''} is not in the cluster model, by name or address` };
      }
      case 'pods': {
        const pods = cluster.podsIn(e.namespace).filter(p => p.name.startsWith(e.namePrefix));
        if (pods.length === 0) return { unmapped: `no pod of the cluster model in ${e.namespace} has a name starting with ${e.namePrefix} (Calico's aggregate ${e.namePrefix}*)` };
        return { endpoints: pods.map(p => ({ kind: 'pod' as const, namespace: p.namespace, name: p.name })), label: `pods ${e.namespace}/${e.namePrefix}* (${pods.length})` };
      }
      case 'address':
      case 'node': {
        if (!e.ip) return { unmapped: `${formatObservedEndpoint(e)}: no address to map it by` };
        const pod = this.podOfAddress(e.ip);
        if (pod) return { endpoints: [{ kind: 'pod', namespace: pod.namespace, name: pod.name }], label: `pod ${podId(pod)}` };
        return { endpoints: [{ kind: 'ip', ip: e.ip }], label: e.ip };
      }
      case 'network':
        return { unmapped: `${formatObservedEndpoint(e)}: an aggregate of addresses, not one address the analyzer can decide` };
      case 'other':
        return { unmapped: `${e.label}: ${e.reason}` };
    }
  }

  /** The pod that has an address (a pod of its own network before host-network pods, as the analyzer resolves it). */
  private podOfAddress(ip: string): ClusterPod | undefined {
    const parsed = tryParseIpAddress(ip);
    if (typeof parsed === 'string') return undefined;
    const owners = this.analyzer.cluster.podsWithIp(parsed);
    return owners.find(p => !p.hostNetwork) ?? owners[0];
  }

  private markUsed(connectivity: Connectivity, used: Map<number, Map<number, number[]>>, sources: readonly FlowEndpoint[],
    destinations: readonly FlowEndpoint[], port: number, protocol: Protocol, request: HttpRequest | undefined): void {
    const universe = connectivity.universe;
    // The flow's own request class: an HTTP request uses that class of the port, not the connections without a request.
    const atom = universe.space.atomAt(port, protocol, request);
    for (const s of sources) {
      const from = this.classOf(connectivity, s);
      if (from === undefined) continue;
      let row = used.get(from);
      if (!row) used.set(from, row = new Map());
      for (const d of destinations) {
        const to = this.classOf(connectivity, d);
        if (to === undefined) continue;
        const atoms = row.get(to);
        if (atoms) atoms.push(atom);
        else row.set(to, [atom]);
      }
    }
  }

  private classOf(connectivity: Connectivity, e: FlowEndpoint): number | undefined {
    const universe = connectivity.universe;
    if (e.kind === 'pod') {
      const pod = this.analyzer.cluster.findPod(e.namespace, e.name);
      return pod ? universe.classOfPod(pod) : undefined;
    }
    const parsed = tryParseIpAddress(e.ip);
    if (typeof parsed === 'string') return undefined;
    const pod = this.podOfAddress(e.ip);
    return pod ? universe.classOfPod(pod) : universe.classOfAddress(parsed);
  }
}

/** The aggregation key: everything the audit reads from a record, except the policies it names. */
/** Whether every enforcement step of a direction allows the flow (an exemption allows both). */
function directionAllowed(verdict: Verdict, direction: Direction): boolean {
  if (verdict.noNetwork) return false;
  if (verdict.exemption) return true;
  return verdict.steps.filter(step => step.direction === direction).every(step => step.allowed);
}

/** The reasons of the denying steps, or of the steps that allowed it. */
function reasonOf(verdict: Verdict): string {
  if (verdict.noNetwork) return verdict.noNetwork;
  if (verdict.exemption) return verdict.exemption === 'self' ? 'a pod\'s traffic to itself (self traffic)' : 'node-local traffic (exempt)';
  const denying = verdict.steps.filter(step => !step.allowed);
  return (denying.length ? denying : verdict.steps).map(step => `${step.direction} at ${step.endpoint}: ${step.reason}`).join('; ');
}

/**
 * How a recorded verdict differs from the analyzer's, or undefined when they agree or the record
 * decides nothing. A record of the destination's ingress (Calico `Dst`, Hubble ingress) saw the
 * source's egress let the flow out, so it says both.
 */
function compare(recorded: Observation, allowed: boolean, egress: boolean, ingress: boolean): string | undefined {
  const model = (what: string, ok: boolean) => `the policies ${ok ? 'allow' : 'deny'} ${what}`;
  switch (recorded.kind) {
    case 'allowed':
      if (recorded.scope === 'egress') return egress ? undefined : `recorded as allowed at the source's egress, but ${model('it there', false)}`;
      return allowed ? undefined : `recorded as allowed, but ${model('it', false)} (${!egress ? 'egress' : 'ingress'})`;
    case 'denied': {
      const what = recorded.audit ? 'recorded as would-be-denied (audit mode)' : 'recorded as denied by policy';
      if (recorded.direction === 'egress') return egress ? `${what} at the source's egress, but ${model('it there', true)}` : undefined;
      if (recorded.direction === 'ingress') {
        if (!egress) return `${what} at the destination's ingress (so the source's egress let it out), but ${model('it at the source\'s egress', false)}`;
        return ingress ? `${what} at the destination's ingress, but ${model('it there', true)}` : undefined;
      }
      return allowed ? `${what}, but ${model('it', true)}` : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Every allowed connection no observed flow used, minus self connections: source classes with
 * identical rows and no observed flow stay together (`Connectivity.blocks`), and so do the
 * destinations of one row entry that no observed flow reached, so the list grows with the distinct
 * rows and observations, not with pairs of classes (an unisolated pod reaches every other).
 */
function unusedAllowances(connectivity: Connectivity, used: Map<number, Map<number, number[]>>): UnusedAllowance[] {
  const universe = connectivity.universe;
  const space = universe.space;
  const labels = (indices: readonly number[]): string[] => indices.flatMap((index) => {
    const c = universe.classAt(index);
    return c.kind === 'pods' ? c.group.pods.map(podId) : [c.external.withoutPodAddresses ? `${c.external.label} (without pod addresses)` : c.external.label];
  });
  const out: UnusedAllowance[] = [];
  for (const block of connectivity.blocks()) {
    const unobserved = block.sources.filter(source => !used.has(source));
    if (unobserved.length > 0) {
      const sources = labels(unobserved);
      for (const entry of block.row) {
        out.push({ source: sources, destination: labels(entry.classes.toArray()), allowed: entry.connections, unused: entry.connections });
      }
    }
    for (const source of block.sources.filter(s => used.has(s))) {
      const observed = used.get(source)!;
      const sources = labels([source]);
      for (const entry of block.row) {
        const rest: number[] = [];
        entry.classes.forEach((destination) => {
          const atoms = observed.get(destination);
          if (!atoms) {
            rest.push(destination);
            return;
          }
          const unused = entry.connections.subtract(space.fromAtoms([...new Set(atoms)]));
          if (!unused.isEmpty()) out.push({ source: sources, destination: labels([destination]), allowed: entry.connections, unused });
        });
        if (rest.length > 0) out.push({ source: sources, destination: labels(rest), allowed: entry.connections, unused: entry.connections });
      }
    }
  }
  return out;
}
