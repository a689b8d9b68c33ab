import { bruteHttpMatch } from './http-arbitraries';
import {
  AnalysisPolicy, cidrContains, ClusterModel, ClusterPod, EvaluatorOptions, IpAddress, IpFamily, matchesSelector, PeerMatch, PodSelection,
  HttpRequest, PolicyRule, PortMatch, Protocol,
} from '../../../src/analysis';

// An independent reference for the exact engine, written from the IR semantics of docs/ANALYSIS.md
// ("How a flow is decided", "Exact sets") and the TSDoc of src/analysis/ir/analysis-policy.ts, one
// flow at a time: no code of src/analysis/engine is used here. Slow by design (every policy is
// re-sorted and every selector re-matched for every flow).

/** One end of a brute-force flow: a pod of the cluster, or an address outside it. */
export type BruteEnd = { readonly pod: ClusterPod } | { readonly ip: IpAddress };

const FAMILIES: IpFamily[] = ['IPv4', 'IPv6'];

/**
 * The decision on one connection without mTLS, carrying `request` (none: a connection without an
 * HTTP request); with `onlyFamily`, over that address family alone.
 */
export function bruteAllowed(
  cluster: ClusterModel, policies: readonly AnalysisPolicy[], rawOptions: EvaluatorOptions,
  source: BruteEnd, destination: BruteEnd, port: number, protocol: Protocol, onlyFamily?: IpFamily, request?: HttpRequest,
): boolean {
  const options = {
    ipBlockMatchesPods: rawOptions.ipBlockMatchesPods ?? true,
    selfTraffic: rawOptions.selfTraffic ?? 'allow',
    nodeLocalTraffic: rawOptions.nodeLocalTraffic ?? 'allow',
  };
  // A connection needs an address of one family at both ends.
  const familiesOf = (end: BruteEnd): IpFamily[] => ('pod' in end ? FAMILIES.filter((f) => end.pod.ips.some((ip) => ip.family === f)) : [end.ip.family]);
  const families = familiesOf(source).filter((f) => familiesOf(destination).includes(f) && (onlyFamily === undefined || f === onlyFamily));
  if (families.length === 0) {
    return false;
  }
  if ('pod' in source && 'pod' in destination) {
    if (source.pod === destination.pod && options.selfTraffic === 'allow') {
      return true;
    }
    const a = source.pod;
    const b = destination.pod;
    if (a !== b && options.nodeLocalTraffic === 'allow' && (a.hostNetwork || b.hostNetwork) && a.nodeName !== undefined && a.nodeName === b.nodeName) {
      return true;
    }
  }
  const enforced = policies.filter((policy) => policy.enforced);
  const layers = [...new Set(enforced.map((policy) => policy.layer))];
  return families.some((family) => layers.every((layer) => {
    const inLayer = enforced.filter((policy) => policy.layer === layer);
    const flow: Flow = { source, destination, port, protocol, family, cluster, options, ...(request ? { request } : {}) };
    return directionAllows(inLayer, flow, 'egress') && directionAllows(inLayer, flow, 'ingress');
  }));
}

interface Flow {
  readonly source: BruteEnd;
  readonly destination: BruteEnd;
  readonly port: number;
  readonly protocol: Protocol;
  readonly family: IpFamily;
  readonly request?: HttpRequest;
  readonly cluster: ClusterModel;
  readonly options: { ipBlockMatchesPods: boolean; selfTraffic: string; nodeLocalTraffic: string };
}

function directionAllows(policies: readonly AnalysisPolicy[], flow: Flow, direction: 'ingress' | 'egress'): boolean {
  const own = direction === 'egress' ? flow.source : flow.destination;
  const peer = direction === 'egress' ? flow.destination : flow.source;
  if (!('pod' in own) || own.pod.hostNetwork) {
    return true; // no policy applies outside the model or at a host-network pod
  }
  const subject = own.pod;
  const selecting = policies
    .filter((policy) => policy[direction] !== undefined && selects(flow.cluster, policy.subject, subject))
    .sort(compare);
  let i = 0;
  while (i < selecting.length) {
    const tier = selecting[i].tier;
    const inTier: AnalysisPolicy[] = [];
    while (i < selecting.length && selecting[i].tier.name === tier.name) {
      inTier.push(selecting[i++]);
    }
    let passed = false;
    for (const policy of inTier) {
      for (const rule of policy[direction]!.rules) {
        if (rule.action === 'log' || !ruleMatches(rule, flow, subject, peer)) {
          continue;
        }
        if (rule.action === 'allow') return true;
        if (rule.action === 'deny') return false;
        passed = true; // pass: leave the tier
        break;
      }
      if (passed) break;
    }
    if (!passed && tier.defaultAction === 'deny' && inTier.some((policy) => policy[direction]!.isolates)) {
      return false;
    }
  }
  return true;
}

/** Tier order, tier name, order (unordered last), then `kind ns/name`. */
function compare(a: AnalysisPolicy, b: AnalysisPolicy): number {
  const ref = (p: AnalysisPolicy) => `${p.ref.kind} ${p.ref.namespace === undefined ? '' : `${p.ref.namespace}/`}${p.ref.name}`;
  return a.tier.order - b.tier.order
    || (a.tier.name === b.tier.name ? 0 : a.tier.name < b.tier.name ? -1 : 1)
    || ((a.order ?? Infinity) === (b.order ?? Infinity) ? 0 : (a.order ?? Infinity) < (b.order ?? Infinity) ? -1 : 1)
    || (ref(a) === ref(b) ? 0 : ref(a) < ref(b) ? -1 : 1);
}

/**
 * Whether an enforced policy selecting the pod isolates it in the direction in a tier whose default
 * is deny: without a rule, such a tier denies the pod's traffic in that direction.
 */
export function bruteIsolated(cluster: ClusterModel, policies: readonly AnalysisPolicy[], pod: ClusterPod, direction: 'ingress' | 'egress'): boolean {
  return policies.some((policy) => policy.enforced && policy[direction]?.isolates === true && policy.tier.defaultAction === 'deny'
    && selects(cluster, policy.subject, pod));
}

function selects(cluster: ClusterModel, selection: PodSelection, pod: ClusterPod): boolean {
  if (pod.hostNetwork) return false;
  const scope = selection.namespaces;
  if (scope.kind === 'names') {
    if (!scope.names.includes(pod.namespace)) return false;
  } else {
    const ns = cluster.namespaces.get(pod.namespace);
    if (!ns || !matchesSelector(scope.selector, ns.labels)) return false;
  }
  if (selection.serviceAccounts && !selection.serviceAccounts.includes(pod.serviceAccountName)) return false;
  return matchesSelector(selection.pods, pod.labels);
}

function ruleMatches(rule: PolicyRule, flow: Flow, subject: ClusterPod, peer: BruteEnd): boolean {
  if (rule.http !== undefined) {
    const request = flow.request;
    // A flow without a request matches as `nonHttpFlows` says; one with a request, one of the conditions.
    if (request === undefined ? rule.nonHttpFlows !== 'match' : !rule.http.some((match) => bruteHttpMatch(match, request))) return false;
  }
  if (rule.subjectPeers !== undefined && !rule.subjectPeers.some((candidate) => peerIs(candidate, { pod: subject }, subject, flow))) return false;
  if (rule.peers !== undefined && !rule.peers.some((candidate) => peerIs(candidate, peer, subject, flow))) return false;
  const own = { pod: subject };
  if (rule.notSubjectPeers !== undefined && rule.notSubjectPeers.some((candidate) => peerIs(candidate, own, subject, flow))) return false;
  if (rule.notPeers !== undefined && rule.notPeers.some((candidate) => peerIs(candidate, peer, subject, flow))) return false;
  return rule.ports === undefined || rule.ports.some((match) => portIs(match, flow));
}

function peerIs(peer: PeerMatch, end: BruteEnd, subject: ClusterPod, flow: Flow): boolean {
  switch (peer.kind) {
    case 'pods':
      return !peer.requiresMtls && 'pod' in end && selects(flow.cluster, peer.selection, end.pod);
    case 'ipBlock': {
      let address: IpAddress | undefined;
      if ('ip' in end) {
        address = end.ip;
      } else if (peer.podAddresses === 'always' || (peer.podAddresses === 'option' && flow.options.ipBlockMatchesPods)) {
        address = end.pod.ips.find((ip) => ip.family === flow.family);
      }
      return address !== undefined && cidrContains(peer.cidr, address) && !peer.except.some((except) => cidrContains(except, address!));
    }
    case 'entity':
      switch (peer.entity) {
        case 'all': return true;
        case 'cluster': return 'pod' in end;
        case 'world': return 'ip' in end;
        case 'host':
        case 'remote-node':
          if (!('pod' in end) || !end.pod.hostNetwork || end.pod.nodeName === undefined || subject.nodeName === undefined) return false;
          return (end.pod.nodeName === subject.nodeName) === (peer.entity === 'host');
        default: return false;
      }
  }
}

function portIs(match: PortMatch, flow: Flow): boolean {
  if (match.protocol !== 'ANY' && match.protocol !== flow.protocol) return false;
  if (match.port === undefined) return true;
  if (typeof match.port === 'number') return flow.port >= match.port && flow.port <= (match.endPort ?? match.port);
  const name = match.port;
  if (match.namedPortResolution === 'cluster') {
    const numbers = new Set(flow.cluster.pods.filter((pod) => !pod.hostNetwork && pod.ips.length > 0)
      .flatMap((pod) => pod.ports.filter((p) => p.name === name && p.protocol === flow.protocol).map((p) => p.port)));
    return numbers.size === 1 && numbers.has(flow.port);
  }
  const destination = flow.destination;
  return 'pod' in destination && destination.pod.ports.some((p) => p.name === name && p.protocol === flow.protocol && p.port === flow.port);
}
