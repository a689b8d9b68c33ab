import {
  AnalysisInputError, ClusterModel, ClusterPod, DEFAULT_MAX_DISTINCT_FLOWS, DistinctFlows, formatObservedEndpoint, IpAddress,
  ObservedEndpoint, ObservedFlow, Observation, podId, Protocol, tryParseIpAddress,
} from '../../analysis';

/** One end of an observed connection, mapped onto the cluster model. */
export type ConnectionEndpoint =
  /** Pods of the cluster (one, or the pods of a Calico aggregate `prefix*`). */
  | { readonly kind: 'pods'; readonly pods: readonly ClusterPod[]; readonly label: string }
  /** An address no pod of the cluster model has: outside the cluster, or the API server. */
  | { readonly kind: 'external'; readonly ip: IpAddress; readonly label: string; readonly apiServer: boolean };

/** One distinct observed flow that the recommendation allows. */
export interface ObservedConnection {
  readonly source: ConnectionEndpoint;
  readonly destination: ConnectionEndpoint;
  readonly protocol: Protocol;
  readonly port: number;
  /** The HTTP request of an L7 record (allowed at L4 by the recommendation: any request on the port). */
  readonly http?: { readonly method: string; readonly path: string };
  /** How many records gave this flow. */
  readonly count: number;
  /** The line of its first record. */
  readonly line: number;
  /** The record as read, for the audit of the recommended app against it. */
  readonly flow: ObservedFlow;
}

/** Distinct flows left out of the recommendation for one reason (never dropped in silence). */
export interface IgnoredFlows {
  readonly reason: string;
  /** Records. */
  readonly count: number;
  /** The line of the first such record. */
  readonly line: number;
}

/** What reading the flows gives the recommendation. */
export interface ObservedConnections {
  /** Flow records read (skipped ones not included), counting a neutral record `count` times. */
  readonly flowRecords: number;
  /** The flows to allow, in order of first appearance. */
  readonly connections: readonly ObservedConnection[];
  /** Flows a policy denied (or would have, in audit mode): not allowed, and candidates for `toDeny`. */
  readonly denied: readonly ObservedConnection[];
  /** Everything else left out, by reason, in order of the first line. */
  readonly ignored: readonly IgnoredFlows[];
  /** Records that carry no connection (replies, debug events), by reason. */
  readonly skipped: readonly IgnoredFlows[];
  /** Events the flow source lost (Hubble `lost_events`): the capture is incomplete when > 0. */
  readonly lostEvents: number;
}

/** Options of `ObservedConnectionsReader`. */
export interface ObservedConnectionsOptions {
  /**
   * Allow flows whose record says nothing of a verdict (a neutral record without `verdict`, a Hubble
   * trace before any policy): they are evidence of traffic, not of an allowed connection.
   * @default false - left out, with the reason
   */
  readonly includeUnverdicted?: boolean;
  /**
   * Leave out flows whose pod is not in the cluster model (listed with the reason).
   * @default false - such a flow is an error naming its line: the snapshot is older than the capture
   */
  readonly ignoreUnknownPods?: boolean;
  /** The most distinct flows held. @default DEFAULT_MAX_DISTINCT_FLOWS */
  readonly maxDistinctFlows?: number;
}

const PROTOCOLS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP']);

type Mapped = ConnectionEndpoint | { readonly ignored: string } | { readonly unknown: string };

/**
 * Collects the flow records of a file (a `FlowSink` for `FlowFileReader`): identical records are
 * aggregated as they arrive, so memory grows with distinct flows, not with records. `finish` maps
 * each distinct flow onto the cluster model as `audit` does (docs/ANALYSIS.md, "Mapping endpoints")
 * and decides whether the recommendation allows it: only flows a record says were allowed, between
 * pods of their own network or a pod and an outside address, over TCP, UDP or SCTP. Every flow left
 * out is counted under its reason.
 */
export class ObservedConnectionsReader {
  private readonly distinct: DistinctFlows;
  private records = 0;

  constructor(private readonly cluster: ClusterModel, private readonly options: ObservedConnectionsOptions = {}) {
    this.distinct = new DistinctFlows(options.maxDistinctFlows ?? DEFAULT_MAX_DISTINCT_FLOWS, 'recommend from');
  }

  /** Adds a flow record (seen `count` times, first on `line`). */
  public flow(flow: ObservedFlow, count: number, line: number): void {
    this.records += count;
    this.distinct.add(flow, count, line);
  }

  /** Counts a record that carries no connection. */
  public skipped(reason: string, line: number, lostEvents?: number): void {
    this.distinct.skip(reason, line, lostEvents);
  }

  /**
   * Maps and sorts every distinct flow.
   * @throws AnalysisInputError for a pod that is not in the cluster model (unless `ignoreUnknownPods`)
   */
  public finish(): ObservedConnections {
    const ignored = new Map<string, { count: number; line: number }>();
    const ignore = (reason: string, count: number, line: number) => {
      const known = ignored.get(reason);
      if (known) known.count += count;
      else ignored.set(reason, { count, line });
    };
    const cache = new Map<string, Mapped>();
    const map = (e: ObservedEndpoint): Mapped => {
      const key = JSON.stringify(e);
      let mapped = cache.get(key);
      if (!mapped) cache.set(key, mapped = this.mapEndpoint(e));
      return mapped;
    };
    const connections: ObservedConnection[] = [];
    const denied: ObservedConnection[] = [];
    for (const { flow, count, line } of this.distinct.flows()) {
      if (!PROTOCOLS.has(flow.protocol)) {
        ignore(`${flow.protocol} flows: intents allow TCP, UDP and SCTP only`, count, line);
        continue;
      }
      const verdict = verdictReason(flow.observation, this.options.includeUnverdicted === true);
      if (verdict.ignore) {
        ignore(verdict.ignore, count, line);
        continue;
      }
      const source = map(flow.source);
      const destination = map(flow.destination);
      const unknown = [source, destination].flatMap(m => ('unknown' in m ? [m.unknown] : []));
      if (unknown.length > 0) {
        if (!this.options.ignoreUnknownPods && !verdict.denied) {
          throw new AnalysisInputError(`line ${line}: ${unknown[0]}; take the cluster snapshot while the flows are captured, `
            + 'or pass --ignore-unknown-pods to leave such flows out (they are listed)');
        }
        ignore(unknown.join('; '), count, line);
        continue;
      }
      const reasons = [source, destination].flatMap(m => ('ignored' in m ? [m.ignored] : []));
      if (reasons.length > 0) {
        ignore(reasons.join('; '), count, line);
        continue;
      }
      const s = source as ConnectionEndpoint;
      const d = destination as ConnectionEndpoint;
      if (s.kind === 'external' && d.kind === 'external') {
        ignore('neither end is a pod of the cluster model: no intent selects such a flow', count, line);
        continue;
      }
      if (s.kind === 'pods' && d.kind === 'pods' && s.pods.length === 1 && d.pods.length === 1 && s.pods[0] === d.pods[0]) {
        ignore('a pod\'s traffic to itself: no policy restricts it', count, line);
        continue;
      }
      const connection: ObservedConnection = {
        source: s,
        destination: d,
        protocol: flow.protocol as Protocol,
        port: flow.port!,
        ...(flow.http ? { http: flow.http } : {}),
        count,
        line,
        flow,
      };
      (verdict.denied ? denied : connections).push(connection);
    }
    const list = (m: Map<string, { count: number; line: number }>) => [...m].map(([reason, v]) => ({ reason, ...v })).sort((a, b) => a.line - b.line);
    return {
      flowRecords: this.records,
      connections,
      denied,
      ignored: list(ignored),
      skipped: this.distinct.skipped(),
      lostEvents: this.distinct.lostEvents,
    };
  }

  private mapEndpoint(e: ObservedEndpoint): Mapped {
    switch (e.kind) {
      case 'pod': {
        const pod = this.cluster.findPod(e.namespace, e.name) ?? (e.ip ? this.podOfAddress(e.ip) : undefined);
        if (!pod) return { unknown: `pod ${e.namespace}/${e.name}${e.ip ? ` (${e.ip})` : ''} is not in the cluster model, by name or address` };
        return this.podEndpoint([pod], `pod ${podId(pod)}`);
      }
      case 'pods': {
        const pods = this.cluster.podsIn(e.namespace).filter(p => p.name.startsWith(e.namePrefix));
        if (pods.length === 0) return { unknown: `no pod of the cluster model in ${e.namespace} has a name starting with ${e.namePrefix} (Calico's aggregate ${e.namePrefix}*)` };
        return this.podEndpoint(pods, `pods ${e.namespace}/${e.namePrefix}* (${pods.length})`);
      }
      case 'address':
      case 'node': {
        if (!e.ip) return { ignored: `${formatObservedEndpoint(e)}: no address to allow it by` };
        const ip = tryParseIpAddress(e.ip);
        if (typeof ip === 'string') return { ignored: `${formatObservedEndpoint(e)}: ${ip}` };
        const pod = this.podOfAddress(e.ip);
        if (pod) return this.podEndpoint([pod], `pod ${podId(pod)}`);
        if (e.kind === 'node') {
          return { ignored: `${formatObservedEndpoint(e)}: node traffic, which engines treat apart from pod policies; no intent is recommended for it` };
        }
        return { kind: 'external', ip, label: formatObservedEndpoint(e), apiServer: e.identity === 'kube-apiserver' };
      }
      case 'network':
        return { ignored: `${formatObservedEndpoint(e)}: an aggregate of addresses, not one address an intent can name` };
      case 'other':
        return { ignored: `${e.label}: ${e.reason}` };
    }
  }

  private podEndpoint(pods: readonly ClusterPod[], label: string): Mapped {
    const offline = pods.find(p => p.ips.length === 0);
    if (offline) {
      return { unknown: `pod ${podId(offline)} has no IP in the cluster model (pending, or terminated, when the snapshot was taken), yet a flow of it was observed` };
    }
    const host = pods.find(p => p.hostNetwork);
    if (host) return { ignored: `pod ${podId(host)} runs on the host network: engines treat its traffic as the node's, and no pod selector selects it` };
    return { kind: 'pods', pods, label };
  }

  /** The pod that has an address (a pod of its own network before host-network pods, as the analyzer resolves it). */
  private podOfAddress(text: string): ClusterPod | undefined {
    const ip = tryParseIpAddress(text);
    if (typeof ip === 'string') return undefined;
    const owners = this.cluster.podsWithIp(ip);
    return owners.find(p => !p.hostNetwork) ?? owners[0];
  }
}

/** Whether a record's verdict lets the recommendation allow its flow, and why not. */
function verdictReason(observation: Observation, includeUnverdicted: boolean): { ignore?: string; denied?: boolean } {
  switch (observation.kind) {
    case 'allowed': return {};
    case 'denied':
      return { denied: true };
    case 'dropped':
      return { ignore: `dropped (${observation.reason}): not a policy decision, so not evidence of an allowed connection` };
    case 'none':
      return includeUnverdicted ? {} : {
        ignore: 'the record says no verdict (a trace before any policy, or a neutral record without one): '
          + 'not evidence of an allowed connection; pass --include-unverdicted to allow such flows',
      };
  }
}
