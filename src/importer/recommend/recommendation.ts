import { httpRulesFor, HttpRulesOptions, hasQuery, RecommendedHttpRule } from './http-rules';
import { ConnectionEndpoint, IgnoredFlows, ObservedConnection, ObservedConnections } from './observed-connections';
import { RecommendedWorkload, selectWorkloads, WorkloadSelection, WorkloadSelectionOptions } from './workload-selection';
import {
  AnalysisInputError, ClusterModel, ClusterPod, IpAddress, parseCidr, podId, Protocol, tryParseCidr, cidrContains,
} from '../../analysis';

/** An outside peer of the recommendation: a CIDR block (one address unless a wider prefix was opted into). */
export interface ExternalPeer {
  readonly kind: 'cidr';
  /** Canonical, e.g. `203.0.113.10/32`. */
  readonly cidr: string;
  /** The observed addresses it stands for. */
  readonly addresses: readonly string[];
  /** Set when an observed address was the API server's (Hubble `reserved:kube-apiserver`). */
  readonly apiServer: boolean;
}

/** One end of a recommended allowance. */
export type AllowanceEnd = { readonly kind: 'workload'; readonly workload: RecommendedWorkload } | ExternalPeer;

/** A protocol and port a recommended allowance allows. */
export interface AllowedPort {
  readonly protocol: Protocol;
  readonly port: number;
  /**
   * Only these HTTP requests (any of the rules): set when the engine writes HTTP rules and every
   * observed record of the pair on the port was an HTTP request (docs/RECOMMEND.md, "HTTP rules").
   * @default - every request on the port (L4)
   */
  readonly http?: readonly RecommendedHttpRule[];
  /** Set when HTTP requests were observed on the port and it is allowed at L4 all the same: why. */
  readonly l4Reason?: string;
}

/**
 * One recommended intent: from a source to a destination, exactly the observed ports. Which
 * construct says it follows from the ends (docs/RECOMMEND.md): `AllowFrom` into an isolated
 * workload, `AllowTo` towards a workload outside the isolated namespaces, `EgressToCidr` towards
 * an outside address.
 */
export interface RecommendedAllowance {
  readonly source: AllowanceEnd;
  readonly destination: AllowanceEnd;
  readonly construct: 'AllowFrom' | 'AllowTo' | 'EgressToCidr';
  /** Sorted by protocol then port. */
  readonly ports: readonly AllowedPort[];
  /** The observed flows it allows. */
  readonly observed: readonly ObservedConnection[];
  /** Records behind it. */
  readonly records: number;
  /**
   * The pods of the source workload that no observed flow of this allowance came from: the workload
   * grouping allows them too (empty for an outside address).
   */
  readonly unobservedSources: readonly ClusterPod[];
  /** The same for the destination workload's pods. */
  readonly unobservedDestinations: readonly ClusterPod[];
}

/** The observed flows turned into intents at workload granularity. */
export interface Recommendation {
  /** Namespaces the app isolates both ways (`DefaultDeny`): those of the observed pods, or as given. */
  readonly isolatedNamespaces: readonly string[];
  /** Namespaces of peers that the app does not isolate (only observed traffic of theirs is allowed at the isolated ends). */
  readonly openNamespaces: readonly string[];
  /** The workloads the allowances name (sources, destinations), sorted. */
  readonly workloads: readonly RecommendedWorkload[];
  /** Every workload of the isolated namespaces, including those no observed flow used (denied everything). */
  readonly isolatedWorkloads: readonly RecommendedWorkload[];
  readonly allowances: readonly RecommendedAllowance[];
  /** Observed flows a policy denied: not allowed. */
  readonly denied: readonly ObservedConnection[];
  /** Flows left out, by reason. */
  readonly ignored: readonly IgnoredFlows[];
  readonly skipped: readonly IgnoredFlows[];
  readonly lostEvents: number;
  readonly flowRecords: number;
  /** Notes the report prints (approximations opted into, HTTP requests allowed at L4). */
  readonly notes: readonly string[];
}

/** Options of `recommend`. */
export interface RecommendOptions extends WorkloadSelectionOptions {
  /**
   * The namespaces to isolate.
   * @default - every namespace with a pod in an allowed observed flow
   */
  readonly namespaces?: readonly string[];
  /**
   * The prefix length outside IPv4 addresses are allowed by: 32 names each address; a shorter one
   * groups the addresses of a network (an approximation the report names).
   * @default 32
   */
  readonly externalIpv4Prefix?: number;
  /** The same for IPv6. @default 128 */
  readonly externalIpv6Prefix?: number;
  /**
   * Write HTTP rules (`AllowFrom` `http`) for the ports whose observed records are all HTTP
   * requests: set only for an engine that enforces them as the analyzer reads them.
   * @default - HTTP requests are allowed at L4 (their port), with a note
   */
  readonly httpRules?: HttpRulesOptions;
  /**
   * Why the engine gets no HTTP rules, appended to the note when `httpRules` is not set.
   * @default - no hint
   */
  readonly httpRulesHint?: string;
}

/**
 * Turns observed connections into allowances between workloads: every allowed observed flow
 * becomes a port of the allowance from its source's workload (or outside address) to its
 * destination's, nothing else. Fails (an `AnalysisInputError`) for an observed pod whose workload no
 * selector isolates (unless `mergeUnseparable`), for a namespace given that has no pod, and for an
 * outside prefix that would cover pods of the cluster.
 */
export function recommend(cluster: ClusterModel, observed: ObservedConnections, options: RecommendOptions = {}): Recommendation {
  const podsOf = (e: ConnectionEndpoint) => (e.kind === 'pods' ? e.pods : []);
  const observedNamespaces = new Set(observed.connections.flatMap(c => [...podsOf(c.source), ...podsOf(c.destination)]).map(p => p.namespace));
  for (const ns of options.namespaces ?? []) {
    if (!cluster.namespaces.has(ns)) {
      throw new AnalysisInputError(`--namespaces: namespace ${ns} is not in the cluster model; name namespaces of the cluster file`);
    }
  }
  const isolated = [...new Set(options.namespaces ?? observedNamespaces)].sort();
  const isolatedSet = new Set(isolated);
  const peerNamespaces = [...observedNamespaces].filter(ns => !isolatedSet.has(ns)).sort();
  const notes: string[] = [];
  if (options.namespaces === undefined && isolatedSet.has('kube-system')) {
    notes.push('kube-system is isolated because an observed flow has a pod there (e.g. DNS lookups to CoreDNS): its pods may then only '
      + 'make the connections observed (CoreDNS\'s upstream lookups and API server watches too); name the namespaces to isolate with --namespaces to leave it open');
  }
  const selection = selectWorkloads(cluster, [...isolated, ...peerNamespaces], options);
  const v4 = prefixOption('--external-ipv4-prefix', options.externalIpv4Prefix, 32);
  const v6 = prefixOption('--external-ipv6-prefix', options.externalIpv6Prefix, 128);
  const depth = options.httpRules?.pathPrefixDepth;
  if (depth !== undefined && (!Number.isInteger(depth) || depth < 1 || depth > 64)) {
    throw new AnalysisInputError(`--http-path-prefix-depth: expected a number of path segments from 1 to 64, got ${JSON.stringify(depth)}`);
  }
  const maxRules = options.httpRules?.maxRules;
  if (maxRules !== undefined && (!Number.isInteger(maxRules) || maxRules < 1)) {
    throw new AnalysisInputError(`--max-http-rules: expected a whole number of 1 or more, got ${JSON.stringify(maxRules)}`);
  }
  if (v4 < 32 || v6 < 128) {
    notes.push(`outside addresses are allowed by their /${v4} (IPv4) and /${v6} (IPv6) networks, as --external-ipv4-prefix / --external-ipv6-prefix ask: `
      + 'every address of such a network is allowed, observed or not');
  }

  const externals = new Map<string, { cidr: string; addresses: Set<string>; apiServer: boolean }>();
  const endOf = (e: ConnectionEndpoint, c: ObservedConnection, role: string): AllowanceEnd => {
    if (e.kind === 'external') {
      const cidr = networkOf(e.ip, e.ip.family === 'IPv4' ? v4 : v6);
      let x = externals.get(cidr);
      if (!x) externals.set(cidr, x = { cidr, addresses: new Set(), apiServer: false });
      x.addresses.add(e.ip.text);
      x.apiServer ||= e.apiServer;
      return { kind: 'cidr', cidr, addresses: [], apiServer: false }; // completed below
    }
    return { kind: 'workload', workload: workloadOfPods(selection, e.pods, c, role) };
  };

  const byPair = new Map<string, Pair>();
  const open = new Map<string, { count: number; line: number }>();
  for (const c of observed.connections) {
    const source = endOf(c.source, c, 'source');
    const destination = endOf(c.destination, c, 'destination');
    if (!constructFor(source, destination, isolatedSet)) {
      const reason = `${describeEnd(source)} -> ${describeEnd(destination)}: neither the source's egress nor the destination's ingress is isolated by the app `
        + `(it isolates ${isolated.join(', ')}), so the flow stays allowed without an intent`;
      const known = open.get(reason);
      if (known) known.count += c.count;
      else open.set(reason, { count: c.count, line: c.line });
      continue;
    }
    const key = `${endKey(source)} -> ${endKey(destination)}`;
    let pair = byPair.get(key);
    if (!pair) byPair.set(key, pair = { source, destination, ports: new Map(), observed: [], records: 0 });
    pair.ports.set(`${c.protocol}/${c.port}`, { protocol: c.protocol, port: c.port });
    pair.observed.push(c);
    pair.records += c.count;
  }
  const httpPorts = httpDecisions([...byPair.values()], isolatedSet, options);
  if (!options.httpRules && httpPorts.atL4.length > 0) {
    notes.push('HTTP requests were observed; the recommendation allows their ports at L4 (any request on them), '
      + `which every engine enforces: add AllowFrom http rules by hand for L7 (the generated tests name the requests)${options.httpRulesHint ? `; ${options.httpRulesHint}` : ''}`);
  } else if (httpPorts.atL4.length > 0) {
    const shown = httpPorts.atL4.slice(0, 3).map(x => `${x.pair} ${x.port.protocol} ${x.port.port}: ${x.reason}`);
    notes.push(`HTTP requests were observed on ${httpPorts.atL4.length} port${httpPorts.atL4.length === 1 ? '' : 's'} that the app allows at L4 all the same `
      + `(any request on them): ${shown.join('; ')}${httpPorts.atL4.length > 3 ? `; and ${httpPorts.atL4.length - 3} more (the JSON report lists them)` : ''}`);
  }
  if (httpPorts.queried.length > 0) {
    const first = httpPorts.queried[0];
    notes.push('HTTP rules match the request\'s path without its query string: '
      + `${httpPorts.queried.length} observed request${httpPorts.queried.length === 1 ? ' is' : 's are'} allowed by that path, e.g. ${first.method} ${first.path} (line ${first.line}) `
      + `by ${first.method} ${first.rule}, so the same path with any query string is allowed too`);
  }
  if (options.httpRules?.pathPrefixDepth !== undefined && httpPorts.prefixes > 0) {
    notes.push(`paths longer than ${options.httpRules.pathPrefixDepth} segment${options.httpRules.pathPrefixDepth === 1 ? '' : 's'} are allowed by the prefix of their first `
      + `${options.httpRules.pathPrefixDepth}, as --http-path-prefix-depth asks (${httpPorts.prefixes} prefix rule${httpPorts.prefixes === 1 ? '' : 's'}): every path under such a prefix is allowed, observed or not`);
  }
  const peers = new Map<string, ExternalPeer>();
  for (const x of externals.values()) {
    const cidr = tryParseCidr(x.cidr);
    const covered = typeof cidr === 'string' ? [] : cluster.pods.filter(p => p.ips.some(ip => cidrContains(cidr, ip)));
    if (covered.length > 0) {
      throw new AnalysisInputError(`outside addresses ${[...x.addresses].join(', ')} grouped as ${x.cidr} would also allow pod ${podId(covered[0])}`
        + `${covered.length > 1 ? ` and ${covered.length - 1} more` : ''}: engines disagree on whether a CIDR matches pods; use a longer --external-ipv4-prefix / --external-ipv6-prefix`);
    }
    peers.set(x.cidr, { kind: 'cidr', cidr: x.cidr, addresses: [...x.addresses].sort(), apiServer: x.apiServer });
  }
  const complete = (e: AllowanceEnd): AllowanceEnd => (e.kind === 'cidr' ? peers.get(e.cidr)! : e);

  const allowances: RecommendedAllowance[] = [...byPair.values()].map((p) => {
    const source = complete(p.source);
    const destination = complete(p.destination);
    const construct = constructFor(source, destination, isolatedSet)!;
    const ports = [...p.ports.values()].map(port => httpPorts.decided.get(p)?.get(`${port.protocol}/${port.port}`) ?? port)
      .sort((a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port);
    const seen = (role: 'source' | 'destination') => new Set(p.observed.flatMap(c => (c[role].kind === 'pods' ? c[role].pods : [])));
    const rest = (e: AllowanceEnd, role: 'source' | 'destination') => {
      const observedPods = seen(role);
      return e.kind === 'workload' ? e.workload.pods.filter(pod => !observedPods.has(pod)) : [];
    };
    return {
      source,
      destination,
      construct,
      ports,
      observed: p.observed,
      records: p.records,
      unobservedSources: rest(source, 'source'),
      unobservedDestinations: rest(destination, 'destination'),
    };
  }).sort((a, b) => endKey(a.destination).localeCompare(endKey(b.destination)) || endKey(a.source).localeCompare(endKey(b.source)));
  const used = new Set<RecommendedWorkload>();
  for (const a of allowances) for (const e of [a.source, a.destination]) if (e.kind === 'workload') used.add(e.workload);
  return {
    isolatedNamespaces: isolated,
    openNamespaces: peerNamespaces,
    workloads: selection.workloads.filter(w => used.has(w)),
    isolatedWorkloads: selection.workloads.filter(w => isolatedSet.has(w.namespace)),
    allowances,
    denied: observed.denied,
    ignored: [...observed.ignored, ...[...open].map(([reason, v]) => ({ reason, ...v }))].sort((a, b) => a.line - b.line),
    skipped: observed.skipped,
    lostEvents: observed.lostEvents,
    flowRecords: observed.flowRecords,
    notes,
  };
}

interface Pair {
  source: AllowanceEnd;
  destination: AllowanceEnd;
  ports: Map<string, AllowedPort>;
  observed: ObservedConnection[];
  records: number;
}

interface HttpDecisions {
  /** Per pair, the ports with HTTP requests observed, as decided (rules, or L4 with the reason). */
  readonly decided: Map<Pair, Map<string, AllowedPort>>;
  readonly atL4: { pair: string; port: AllowedPort; reason: string }[];
  /** Observed requests whose path is not the one their rule names (a query string, or normalization). */
  readonly queried: { method: string; path: string; line: number; rule: string }[];
  /** Prefix rules written. */
  readonly prefixes: number;
}

/**
 * The ports of each pair on which HTTP requests were observed: with `httpRules`, the rules for those
 * the destination's `AllowFrom` allows (`httpRulesFor`), else L4 with the reason.
 */
function httpDecisions(pairs: readonly Pair[], isolated: ReadonlySet<string>, options: RecommendOptions): HttpDecisions {
  const decided = new Map<Pair, Map<string, AllowedPort>>();
  const atL4: HttpDecisions['atL4'] = [];
  const queried: HttpDecisions['queried'] = [];
  let prefixes = 0;
  for (const p of pairs) {
    const name = `${describeEnd(p.source)} -> ${describeEnd(p.destination)}`;
    for (const port of p.ports.values()) {
      const flows = p.observed.filter(c => c.protocol === port.protocol && c.port === port.port);
      if (!flows.some(c => c.http)) continue;
      let reason: string;
      if (!options.httpRules) {
        reason = 'the engine of the app is given no HTTP rules';
      } else if (constructFor(p.source, p.destination, isolated) !== 'AllowFrom') {
        reason = p.destination.kind === 'cidr'
          ? 'HTTP rules are written on an AllowFrom into an isolated workload, and this destination is an outside address'
          : 'HTTP rules are written on an AllowFrom into an isolated workload, and this destination\'s namespace is not isolated';
      } else if (port.protocol !== 'TCP') {
        reason = `HTTP rules apply to TCP ports, and the requests were recorded over ${port.protocol}`;
      } else {
        const decision = httpRulesFor(`${name} ${port.protocol} ${port.port}`, flows, options.httpRules);
        if (decision.kind === 'rules') {
          let ports = decided.get(p);
          if (!ports) decided.set(p, ports = new Map());
          ports.set(`${port.protocol}/${port.port}`, { ...port, http: decision.rules });
          for (const rule of decision.rules) {
            if (rule.path.kind === 'prefix') prefixes++;
            for (const r of rule.requests) {
              if (rule.path.kind === 'exact' && hasQuery(r.path)) queried.push({ ...r, rule: rule.path.value });
            }
          }
          continue;
        }
        reason = decision.reason;
      }
      let ports = decided.get(p);
      if (!ports) decided.set(p, ports = new Map());
      ports.set(`${port.protocol}/${port.port}`, { ...port, l4Reason: reason });
      atL4.push({ pair: name, port, reason });
    }
  }
  queried.sort((a, b) => a.line - b.line);
  return { decided, atL4, queried, prefixes };
}

/** `workload production/frontend`, `203.0.113.10/32`. */
export function describeEnd(e: AllowanceEnd): string {
  return e.kind === 'cidr' ? e.cidr : `workload ${e.workload.namespace}/${e.workload.name}`;
}

/** The construct that allows a flow between two ends, or undefined when the app isolates neither side. */
function constructFor(source: AllowanceEnd, destination: AllowanceEnd, isolated: ReadonlySet<string>): RecommendedAllowance['construct'] | undefined {
  if (destination.kind === 'workload' && isolated.has(destination.workload.namespace)) return 'AllowFrom';
  if (source.kind !== 'workload' || !isolated.has(source.workload.namespace)) return undefined;
  return destination.kind === 'cidr' ? 'EgressToCidr' : 'AllowTo';
}

function endKey(e: AllowanceEnd): string {
  return e.kind === 'cidr' ? `cidr:${e.cidr}` : `workload:${e.workload.namespace}/${e.workload.name}`;
}

function workloadOfPods(selection: WorkloadSelection, pods: readonly ClusterPod[], c: ObservedConnection, role: string): RecommendedWorkload {
  const workloads = new Set(pods.map(p => selection.workloadOf(p)));
  const unseparable = pods.map(p => selection.unseparableOf(p)).find(u => u !== undefined);
  if (unseparable) {
    throw new AnalysisInputError(`line ${c.line}: the ${role} ${podId(pods[0])} belongs to ${unseparable.owner} in ${unseparable.namespace}, which no label selector `
      + `isolates: ${unseparable.reason}; give its pods a label of their own (app.kubernetes.io/name), or pass --merge-workloads to allow the flow for every pod those labels select`);
  }
  if (workloads.size !== 1) {
    throw new AnalysisInputError(`line ${c.line}: the ${role} (${pods.length} pods of a Calico aggregate) spans ${workloads.size} workloads; `
      + 'the record does not say which pod it was, so no one workload can be allowed');
  }
  return [...workloads][0]!;
}

function prefixOption(name: string, value: number | undefined, bits: number): number {
  if (value === undefined) return bits;
  if (!Number.isInteger(value) || value < 1 || value > bits) throw new AnalysisInputError(`${name}: expected a prefix length from 1 to ${bits}, got ${JSON.stringify(value)}`);
  return value;
}

/** The network of an address at a prefix length, canonical (`203.0.113.0/24`): the CIDR parser clears the host bits. */
function networkOf(ip: IpAddress, prefix: number): string {
  return parseCidr(`${ip.text}/${prefix}`).text;
}
