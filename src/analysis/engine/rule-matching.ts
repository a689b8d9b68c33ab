import { ResolvedEvaluatorOptions } from './evaluator-options';
import { selectionMatchesPod } from './policy-index';
import { ClusterModel, ClusterPod, podIp } from '../cluster/cluster-model';
import { cidrContains } from '../ip/cidr';
import { IpAddress, IpFamily } from '../ip/ip-address';
import { EntityName, HttpMatch, IdentityCondition, PeerMatch, PodsPeer, PolicyRule, PortMatch, Protocol } from '../ir/analysis-policy';
import { dnsNameMatches } from '../ir/dns-name';
import { HttpRequest } from '../ir/flow';
import { conditionHolds, stringMatches, urlPath } from '../ir/string-match';
import { identityMatches } from '../ir/workload-identity';

/** A flow endpoint resolved against the cluster model. */
export type ResolvedEndpoint =
  | { readonly kind: 'pod'; readonly pod: ClusterPod; readonly label: string; readonly resolvedFrom?: string }
  | {
    readonly kind: 'external';
    readonly ip: IpAddress;
    readonly label: string;
    /** The DNS name (canonical) the address was looked up by, when the flow says so: what `dnsName` peers match. */
    readonly dnsName?: string;
  };

/** Everything a rule is matched against, for one flow and one address family. */
export interface MatchContext {
  readonly cluster: ClusterModel;
  readonly options: ResolvedEvaluatorOptions;
  /** Family of the pod addresses in use; undefined when the pods share none (ipBlocks then never match pods). */
  readonly family: IpFamily | undefined;
  readonly port: number;
  readonly protocol: Protocol;
  /** Where the connection goes: named ports resolve against this pod. */
  readonly destination: ResolvedEndpoint;
  readonly http?: HttpRequest;
  readonly mtls: boolean;
  /**
   * True when ztunnel enforces the mesh policies (an ambient pod): it sees no request, evaluates
   * identities as ztunnel does (`PodsPeer.ztunnelIdentity`) and skips rules marked `ztunnel: 'noMatch'`.
   */
  readonly ztunnel?: boolean;
  /** The pod whose policies are being applied (node-relative entities such as `host` need its node). */
  readonly subject?: ResolvedEndpoint;
}

/** How one rule fared against a flow, for explanations. */
export interface RuleOutcome {
  readonly peer: boolean;
  readonly port: boolean;
  readonly http: boolean;
}

/** Matches each condition of a rule separately (so an explanation can say which one failed). */
export function matchRule(rule: PolicyRule, peer: ResolvedEndpoint, context: MatchContext): RuleOutcome {
  const subject = context.subject;
  const subjectMatched = (rule.subjectPeers === undefined
    || (subject !== undefined && rule.subjectPeers.some((candidate) => peerMatches(candidate, subject, context))))
    && (rule.notSubjectPeers === undefined
      || (subject !== undefined && !rule.notSubjectPeers.some((candidate) => peerMatches(candidate, subject, context))));
  const peerMatched = (rule.peers === undefined || rule.peers.some((candidate) => peerMatches(candidate, peer, context)))
    && (rule.notPeers === undefined || !rule.notPeers.some((candidate) => peerMatches(candidate, peer, context)));
  return {
    peer: subjectMatched && peerMatched,
    port: rule.ports === undefined || rule.ports.some((candidate) => portMatches(candidate, context)),
    // ztunnel never sees the rule, or skips it (its HTTP parts or a key it lacks).
    http: !(context.ztunnel && rule.ztunnel === 'noMatch') && httpMatches(rule, context),
  };
}

/** True if the endpoint is one of the peers the condition names. */
export function peerMatches(peer: PeerMatch, endpoint: ResolvedEndpoint, context: MatchContext): boolean {
  switch (peer.kind) {
    case 'pods':
      if (peer.requiresMtls && !context.mtls) {
        return false;
      }
      return endpoint.kind === 'pod' && selectionMatchesPod(context.cluster, peer.selection, endpoint.pod)
        && identityMatches(peerIdentity(peer, context.ztunnel === true), endpoint.pod.namespace, endpoint.pod.serviceAccountName);
    case 'ipBlock': {
      const address = endpointAddress(peer.podAddresses, endpoint, context);
      return address !== undefined && cidrContains(peer.cidr, address) && !peer.except.some((except) => cidrContains(except, address));
    }
    case 'entity':
      return entityMatches(peer.entity, endpoint, context.subject);
    case 'dnsName':
      return endpoint.kind === 'external' && endpoint.dnsName !== undefined && dnsNameMatches(peer.pattern, endpoint.dnsName);
  }
}

/** True if the endpoint belongs to the entity, seen from the subject pod (see `EntityPeer`). */
export function entityMatches(entity: EntityName, endpoint: ResolvedEndpoint, subject: ResolvedEndpoint | undefined): boolean {
  switch (entity) {
    case 'all':
      return true;
    case 'cluster':
      return endpoint.kind === 'pod';
    case 'world':
      return endpoint.kind === 'external';
    case 'host':
    case 'remote-node': {
      if (endpoint.kind !== 'pod' || !endpoint.pod.hostNetwork || endpoint.pod.nodeName === undefined) {
        return false;
      }
      const node = subject?.kind === 'pod' ? subject.pod.nodeName : undefined;
      return node !== undefined && (node === endpoint.pod.nodeName) === (entity === 'host');
    }
    default:
      return false; // no such endpoint in the cluster model
  }
}

/** The address an ipBlock sees for the endpoint, or undefined when it cannot match it. */
function endpointAddress(podAddresses: 'option' | 'always' | 'never', endpoint: ResolvedEndpoint, context: MatchContext): IpAddress | undefined {
  if (endpoint.kind === 'external') {
    return endpoint.ip;
  }
  const matchesPods = podAddresses === 'always' || (podAddresses === 'option' && context.options.ipBlockMatchesPods);
  if (!matchesPods || context.family === undefined) {
    return undefined;
  }
  return podIp(endpoint.pod, context.family);
}

/**
 * True if the flow's destination port and protocol match. A named port resolves against the
 * destination pod's container ports (same name, same protocol, and that number); an external
 * destination has no container ports, so a named port never matches it.
 */
export function portMatches(port: PortMatch, context: MatchContext): boolean {
  if (port.protocol !== 'ANY' && port.protocol !== context.protocol) {
    return false;
  }
  if (port.port === undefined) {
    return true;
  }
  if (typeof port.port === 'number') {
    return port.endPort === undefined ? context.port === port.port : context.port >= port.port && context.port <= port.endPort;
  }
  if (port.namedPortResolution === 'cluster') {
    return clusterNamedPort(context.cluster, port.port, context.protocol) === context.port;
  }
  return namedPortResolvesTo(context.destination, port.port, context.protocol, context.port);
}

const clusterPortNames = new WeakMap<ClusterModel, Map<string, number | undefined>>();

/**
 * The number a port name means cluster-wide for a protocol: the container port of that name and
 * protocol on every pod that has an address and does not use the host network, if they all agree;
 * undefined when no pod has it or two pods disagree (Cilium 1.16–1.19's egress named ports).
 */
export function clusterNamedPort(cluster: ClusterModel, name: string, protocol: Protocol): number | undefined {
  let cache = clusterPortNames.get(cluster);
  if (!cache) {
    cache = new Map();
    clusterPortNames.set(cluster, cache);
  }
  const key = `${protocol}/${name}`;
  if (cache.has(key)) {
    return cache.get(key);
  }
  const numbers = new Set<number>();
  for (const pod of cluster.pods) {
    if (pod.hostNetwork || pod.ips.length === 0) {
      continue;
    }
    for (const candidate of pod.ports) {
      if (candidate.name === name && candidate.protocol === protocol) {
        numbers.add(candidate.port);
      }
    }
  }
  const result = numbers.size === 1 ? [...numbers][0] : undefined;
  cache.set(key, result);
  return result;
}

/** True if the endpoint is a pod with a container port of that name, protocol and number. */
export function namedPortResolvesTo(endpoint: ResolvedEndpoint, name: string, protocol: Protocol, port: number): boolean {
  return endpoint.kind === 'pod'
    && endpoint.pod.ports.some((candidate) => candidate.name === name && candidate.protocol === protocol && candidate.port === port);
}

/** True if the rule has no L7 condition, or the request satisfies one of its HTTP matches. */
export function httpMatches(rule: PolicyRule, context: { readonly http?: HttpRequest }): boolean {
  if (rule.http === undefined) {
    return true;
  }
  if (context.http === undefined) {
    return rule.nonHttpFlows === 'match';
  }
  const request = context.http;
  return rule.http.some((match) => httpMatchMatches(match, request));
}

/** True if the request satisfies every field of the condition (the one definition the request classes are derived with). */
export function httpMatchMatches(match: HttpMatch, request: HttpRequest): boolean {
  // Envoy compares :method exactly (Istio methods, Calico ALP methods are case-sensitive).
  if (match.methods && !match.methods.includes(request.method)) {
    return false;
  }
  if (match.method && !stringMatches(match.method, request.method)) {
    return false;
  }
  if (match.path && !stringMatches(match.path, request.path)) {
    return false;
  }
  if (match.host && (request.host === undefined || !stringMatches(match.host, request.host))) {
    return false;
  }
  return (!match.methodCondition || conditionHolds(match.methodCondition, request.method))
    && (!match.urlPathCondition || conditionHolds(match.urlPathCondition, urlPath(request.path)));
}

/** The identity condition of an mTLS peer where it is evaluated: ztunnel's (`l4Only`, an ambient pod) or Envoy's. */
export function peerIdentity(peer: PodsPeer, l4Only: boolean): IdentityCondition | undefined {
  return l4Only ? peer.ztunnelIdentity ?? peer.identity : peer.identity;
}
