import { Bitset } from './bitset';
import { ResolvedEvaluatorOptions } from './evaluator-options';
import {
  familyKey, HOST_NETWORK_KEY, ipBlockKey, isNodeRelative, namedPortKey, ON_NODE_KEY, PodGroup, PodGrouping, selectionFeatureKey,
} from './pod-grouping';
import { PolicyIndex, PolicyPart } from './policy-index';
import { clusterNamedPort, httpMatches } from './rule-matching';
import { ClusterModel, ClusterPod, podId } from '../cluster/cluster-model';
import { IpFamily } from '../ip/ip-address';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { Direction, EnforcementLayer, EntityName, PeerMatch, PolicyRule, PolicyTier, PortMatch, Protocol, PROTOCOLS } from '../ir/analysis-policy';

/**
 * Which pods can open a connection to which, on one port and protocol. Computed per group of
 * indistinguishable pods (see `PodGrouping`), so its cost grows with the number of groups, not pods.
 */
export class ReachabilityMatrix {
  /** Every pod, sorted by namespace then name: the order of `allowedPairs`. */
  public readonly pods: readonly ClusterPod[];
  public readonly groups: readonly PodGroup[];
  private readonly groupOf: Int32Array;
  private readonly position: Map<string, number>;

  constructor(
    public readonly port: number,
    public readonly protocol: Protocol,
    grouping: PodGrouping,
    pods: readonly ClusterPod[],
    private readonly allowedGroups: readonly Bitset[],
    private readonly selfAllowed: boolean,
  ) {
    this.pods = pods;
    this.groups = grouping.groups;
    this.groupOf = grouping.groupOf;
    this.position = new Map(pods.map((pod, i) => [podId(pod), i]));
  }

  /** True if the source pod can connect to the destination pod (`ns/name` or the pod itself). */
  public isAllowed(source: ClusterPod | string, destination: ClusterPod | string): boolean {
    return this.allowedByPosition(this.positionOf(source), this.positionOf(destination));
  }

  /** Calls `visit` for every allowed (source, destination) pair, self pairs included, in pod order. */
  public forEachAllowedPair(visit: (source: ClusterPod, destination: ClusterPod) => void): void {
    const pods = this.pods;
    for (let s = 0; s < pods.length; s++) {
      const row = this.allowedGroups[this.groupOf[s]];
      for (let d = 0; d < pods.length; d++) {
        if ((s === d && this.selfAllowed) || row.has(this.groupOf[d])) {
          visit(pods[s], pods[d]);
        }
      }
    }
  }

  /** Every allowed pair as `["<ns>/<pod>", "<ns>/<pod>"]`, sources then destinations in pod order. */
  public allowedPairs(): [string, string][] {
    const pairs: [string, string][] = [];
    this.forEachAllowedPair((source, destination) => pairs.push([podId(source), podId(destination)]));
    return pairs;
  }

  /** Number of allowed pairs, computed from group sizes without listing them. */
  public allowedPairCount(): number {
    let count = 0;
    for (const source of this.groups) {
      const row = this.allowedGroups[source.index];
      for (const destination of this.groups) {
        if (row.has(destination.index)) {
          count += source.pods.length * destination.pods.length;
        } else if (source === destination && this.selfAllowed) {
          count += source.pods.length;
        }
      }
    }
    return count;
  }

  private allowedByPosition(source: number, destination: number): boolean {
    if (source === destination && this.selfAllowed) {
      return true;
    }
    return this.allowedGroups[this.groupOf[source]].has(this.groupOf[destination]);
  }

  private positionOf(pod: ClusterPod | string): number {
    const id = typeof pod === 'string' ? pod : podId(pod);
    const position = this.position.get(id);
    if (position === undefined) {
      throw new AnalysisInputError(`unknown pod ${id}; the matrix covers the pods of its cluster model`);
    }
    return position;
  }
}

/** A family setting for pod addresses: a family, or `none` (the pair shares no family). */
type Mode = IpFamily | 'none';

const FAMILIES: readonly IpFamily[] = ['IPv4', 'IPv6'];
/** Every combination of families a group can have, joined with `+`. */
const FAMILY_CODES: readonly string[] = ['', 'IPv4', 'IPv6', 'IPv4+IPv6'];

/**
 * Computes the matrix group by group. Per group and direction, the tiered first-match evaluation of
 * `evaluateFlow` runs once over bit sets of peer groups instead of once per peer pod.
 */
export function computeMatrix(
  cluster: ClusterModel,
  index: PolicyIndex,
  options: ResolvedEvaluatorOptions,
  port: number,
  protocol: Protocol,
): ReachabilityMatrix {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new AnalysisInputError(`port: expected an integer from 1 to 65535, got ${JSON.stringify(port)}`);
  }
  if (!PROTOCOLS.includes(protocol)) {
    throw new AnalysisInputError(`protocol: expected one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`);
  }
  const narrowed = index.parts.find((part) => part.rules.some((rule) => rule.subjectPeers !== undefined || rule.notSubjectPeers !== undefined));
  if (narrowed) {
    throw new AnalysisInputError(`${narrowed.policyRef}: rules with conditions on the policy's own endpoint are not supported by the matrix yet`);
  }
  const grouping = new PodGrouping(cluster, index, options, port, protocol);
  const groups = grouping.groups;
  const size = groups.length;
  const all = Bitset.full(size);
  const empty = new Bitset(size);

  // Groups having each feature.
  const withFeature: Bitset[] = grouping.featureKeys.map(() => new Bitset(size));
  for (const group of groups) {
    for (const feature of group.features) {
      withFeature[feature].add(group.index);
    }
  }
  const groupsWith = (key: string): Bitset => {
    const id = grouping.featureId(key);
    return id === undefined ? empty : withFeature[id];
  };
  const hasFeature = (group: PodGroup, key: string): boolean => {
    const id = grouping.featureId(key);
    return id !== undefined && group.features.includes(id);
  };

  // Parts selecting each group, by layer and direction.
  const partsBySubject = new Map<number, PolicyPart[]>();
  for (const part of index.parts) {
    const id = grouping.featureId(selectionFeatureKey('S', part.policy.subject));
    if (id !== undefined) {
      const list = partsBySubject.get(id) ?? [];
      list.push(part);
      partsBySubject.set(id, list);
    }
  }
  const partsOf = (group: PodGroup, layer: EnforcementLayer, direction: Direction): PolicyPart[] => group.features
    .flatMap((feature) => partsBySubject.get(feature) ?? [])
    .filter((part) => part.layer === layer && part.direction === direction)
    .sort((a, b) => a.rank - b.rank);

  // Node-relative entities (`host`, `remote-node`) depend on the subject group's node: rules that
  // name them are matched per node, everything else once per rule.
  const nodeOf = groups.map((group) => {
    const feature = group.features.find((id) => grouping.featureKeys[id].startsWith('node:') || grouping.featureKeys[id] === ON_NODE_KEY);
    return feature === undefined ? '' : grouping.featureKeys[feature];
  });
  const hostGroups = groupsWith(HOST_NETWORK_KEY);
  const hostOnNode = new Map<string, Bitset>();
  const hostsOn = (node: string): Bitset => {
    let set = hostOnNode.get(node);
    if (!set) {
      set = node.startsWith('node:') ? intersect(groupsWith(node), hostGroups) : empty;
      hostOnNode.set(node, set);
    }
    return set;
  };
  const hostsWithNode = new Bitset(size);
  groups.forEach((group) => {
    if (nodeOf[group.index].startsWith('node:') && hostGroups.has(group.index)) {
      hostsWithNode.add(group.index);
    }
  });
  const nodeEntity = (entity: 'host' | 'remote-node', node: string): Bitset => {
    if (node === '') {
      return empty;
    }
    if (entity === 'host') {
      return hostsOn(node);
    }
    const remote = hostsWithNode.clone();
    remote.andNot(hostsOn(node));
    return remote;
  };
  const nodeRelativeRules = new Set<PolicyRule>();
  const nodeRelativeParts = new Set<PolicyPart>();
  if (grouping.nodeRelative) {
    for (const part of index.parts) {
      for (const rule of part.rules) {
        if (isNodeRelative(rule)) {
          nodeRelativeRules.add(rule);
          nodeRelativeParts.add(part);
        }
      }
    }
  }
  /** The subject node a rule's or parts' peer sets depend on ('' when they do not). */
  const ruleNode = (rule: PolicyRule, group: PodGroup): string => (nodeRelativeRules.has(rule) ? nodeOf[group.index] : '');
  const partsNode = (parts: readonly PolicyPart[], group: PodGroup): string => (parts.some((part) => nodeRelativeParts.has(part)) ? nodeOf[group.index] : '');

  const layers = index.layers;
  // Address families each group has (only tracked when some ipBlock matches some pod).
  const familiesOf = groups.map((group) => FAMILIES.filter((family) => hasFeature(group, familyKey(family))));
  const familyCode = familiesOf.map((families) => FAMILY_CODES.indexOf(families.join('+')));
  // The families a pair is evaluated with, by the two groups' family codes: the shared ones, or none.
  const pairModes: Mode[][][] = FAMILY_CODES.map((source) => FAMILY_CODES.map((destination) => {
    const common = FAMILIES.filter((family) => source.includes(family) && destination.includes(family));
    return grouping.familySensitive && common.length > 0 ? common : ['none'];
  }));
  const codes = [...new Set(familyCode)];
  const modes = [...new Set(codes.flatMap((source) => codes.flatMap((destination) => pairModes[source][destination])))];
  const rows = new Map<Mode, { egress: Bitset[]; ingress: Bitset[] }>();
  for (const mode of modes) {
    const peerSets = new Map<PolicyRule, Map<string, Bitset>>();
    const peersOf = (rule: PolicyRule, group: PodGroup): Bitset => {
      const node = ruleNode(rule, group);
      let byNode = peerSets.get(rule);
      if (!byNode) {
        byNode = new Map();
        peerSets.set(rule, byNode);
      }
      let set = byNode.get(node);
      if (!set) {
        set = peerSet(rule, mode, size, all, groupsWith, (entity) => nodeEntity(entity, node));
        byNode.set(node, set);
      }
      return set;
    };
    const destinationsOf = new Map<PolicyRule, Map<string, Bitset>>();
    const egressMatchFor = (group: PodGroup) => (rule: PolicyRule): Bitset => {
      const node = ruleNode(rule, group);
      let byNode = destinationsOf.get(rule);
      if (!byNode) {
        byNode = new Map();
        destinationsOf.set(rule, byNode);
      }
      let set = byNode.get(node);
      if (!set) {
        const destinations = !httpMatches(rule, {}) ? empty : portDestinations(rule, port, protocol, all, empty, groupsWith, cluster);
        set = destinations === empty ? empty : destinations === all ? peersOf(rule, group) : intersect(peersOf(rule, group), destinations);
        byNode.set(node, set);
      }
      return set;
    };
    const egressCache = new Map<string, Bitset>();
    const ingressCache = new Map<string, Bitset>();
    const egress: Bitset[] = [];
    const ingress: Bitset[] = [];
    for (const group of groups) {
      let egressRow = all;
      let ingressRow = all;
      for (const layer of layers) {
        const egressParts = partsOf(group, layer, 'egress');
        if (egressParts.length > 0) {
          const key = `${layer}|${egressParts.map((part) => part.rank).join(',')}|${partsNode(egressParts, group)}`;
          let row = egressCache.get(key);
          if (!row) {
            row = runTiers(egressParts, size, egressMatchFor(group));
            egressCache.set(key, row);
          }
          egressRow = egressRow === all ? row : intersect(egressRow, row);
        }
        const ingressParts = partsOf(group, layer, 'ingress');
        if (ingressParts.length > 0) {
          const named = namedPortsAt(ingressParts, protocol).filter((name) => hasFeature(group, namedPortKey(name)));
          const key = `${layer}|${ingressParts.map((part) => part.rank).join(',')}|${named.join(',')}|${partsNode(ingressParts, group)}`;
          let row = ingressCache.get(key);
          if (!row) {
            const ingressMatch = (rule: PolicyRule): Bitset =>
              (httpMatches(rule, {}) && portMatchesAtDestination(rule, port, protocol, named, cluster) ? peersOf(rule, group) : empty);
            row = runTiers(ingressParts, size, ingressMatch);
            ingressCache.set(key, row);
          }
          ingressRow = ingressRow === all ? row : intersect(ingressRow, row);
        }
      }
      egress.push(egressRow);
      ingress.push(ingressRow);
    }
    rows.set(mode, { egress, ingress });
  }

  // allowed(s, d) = egress[s] has d AND ingress[d] has s, for some family mode of the pair. Ingress is
  // transposed once (open rows are kept aside), so each source row is a few word-wide operations.
  const byCode = FAMILY_CODES.map((_, code) => {
    const set = new Bitset(size);
    familyCode.forEach((groupCode, group) => {
      if (groupCode === code) {
        set.add(group);
      }
    });
    return set;
  });
  const transposed = new Map<Mode, { openIngress: Bitset; admittedBy: Bitset[] }>();
  for (const [mode, row] of rows) {
    const openIngress = new Bitset(size);
    const admittedBy = groups.map(() => new Bitset(size));
    row.ingress.forEach((ingressRow, destination) => {
      if (ingressRow === all) {
        openIngress.add(destination);
      } else {
        ingressRow.forEach((source) => admittedBy[source].add(destination));
      }
    });
    transposed.set(mode, { openIngress, admittedBy });
  }
  const nodeLocal = options.nodeLocalTraffic === 'allow' ? nodeLocalSets(groups, grouping, hasFeature, size) : () => undefined;
  const allowedGroups = groups.map((source) => {
    const s = source.index;
    const result = new Bitset(size);
    for (const code of codes) {
      for (const mode of pairModes[familyCode[s]][code]) {
        const egressRow = (rows.get(mode) as { egress: Bitset[] }).egress[s];
        const { openIngress, admittedBy } = transposed.get(mode) as { openIngress: Bitset; admittedBy: Bitset[] };
        result.orAnd3(egressRow, openIngress, byCode[code]);
        result.orAnd3(egressRow, admittedBy[s], byCode[code]);
      }
    }
    const local = nodeLocal(source);
    if (local) {
      result.or(local);
    }
    return result;
  });

  return new ReachabilityMatrix(port, protocol, grouping, cluster.pods, allowedGroups, options.selfTraffic === 'allow');
}

/**
 * For each group, the groups it may always talk to because one side uses the host network on the
 * node the other runs on (undefined when none); node features exist only when that exemption applies.
 */
function nodeLocalSets(
  groups: readonly PodGroup[],
  grouping: PodGrouping,
  hasFeature: (group: PodGroup, key: string) => boolean,
  size: number,
): (group: PodGroup) => Bitset | undefined {
  const onNode = new Map<string, { all: Bitset; host: Bitset }>();
  const nodeOf = groups.map((group) => {
    const feature = group.features.find((id) => grouping.featureKeys[id].startsWith('node:'));
    return feature === undefined ? undefined : grouping.featureKeys[feature];
  });
  const hostNetwork = groups.map((group) => hasFeature(group, HOST_NETWORK_KEY));
  nodeOf.forEach((node, i) => {
    if (node !== undefined) {
      const sets = onNode.get(node) ?? { all: new Bitset(size), host: new Bitset(size) };
      sets.all.add(i);
      if (hostNetwork[i]) {
        sets.host.add(i);
      }
      onNode.set(node, sets);
    }
  });
  return (group) => {
    const node = nodeOf[group.index];
    const sets = node === undefined ? undefined : onNode.get(node);
    if (!sets) {
      return undefined;
    }
    return hostNetwork[group.index] ? sets.all : sets.host;
  };
}

/** Groups a rule's peers match, for one address-family mode (`nodeEntity`: the node-relative entities' groups). */
function peerSet(
  rule: PolicyRule, mode: Mode, size: number, all: Bitset, groupsWith: (key: string) => Bitset,
  nodeEntity: (entity: 'host' | 'remote-node') => Bitset,
): Bitset {
  const included = rule.peers === undefined ? all : peerUnion(rule.peers, mode, size, all, groupsWith, nodeEntity);
  if (rule.notPeers === undefined) {
    return included;
  }
  // Peers the rule excludes (Calico notSelector): copy, since included may be a shared feature set.
  const set = included.clone();
  set.andNot(peerUnion(rule.notPeers, mode, size, all, groupsWith, nodeEntity));
  return set;
}

/** Groups any of the peer conditions match (shared, never to be mutated, when there is one). */
function peerUnion(
  peers: readonly PeerMatch[], mode: Mode, size: number, all: Bitset, groupsWith: (key: string) => Bitset,
  nodeEntity: (entity: 'host' | 'remote-node') => Bitset,
): Bitset {
  const matched: Bitset[] = [];
  for (const peer of peers) {
    switch (peer.kind) {
      case 'pods':
        // Matrix flows carry no mTLS, so identity peers match no pod.
        if (!peer.requiresMtls) {
          matched.push(groupsWith(selectionFeatureKey('P', peer.selection)));
        }
        break;
      case 'ipBlock':
        if (mode !== 'none') {
          matched.push(groupsWith(`${ipBlockKey(peer)}:${mode}`));
        }
        break;
      case 'entity':
        matched.push(entityGroups(peer.entity, all, nodeEntity) ?? new Bitset(size));
        break;
    }
  }
  // Most rules have one peer: share its feature set (nothing mutates peer sets) instead of copying it.
  if (matched.length === 1) {
    return matched[0];
  }
  const set = new Bitset(size);
  matched.forEach((m) => set.or(m));
  return set;
}

/** The pod groups an entity stands for (undefined: none). */
function entityGroups(entity: EntityName, all: Bitset, nodeEntity: (entity: 'host' | 'remote-node') => Bitset): Bitset | undefined {
  switch (entity) {
    case 'all':
    case 'cluster':
      return all;
    case 'host':
    case 'remote-node':
      return nodeEntity(entity);
    default:
      return undefined; // `world` and the entities without members in the cluster model match no pod
  }
}

/** True if a cluster-wide named port means this port (see `PortMatch.namedPortResolution`). */
function clusterNamedPortMatches(portMatch: PortMatch, port: number, protocol: Protocol, cluster: ClusterModel): boolean {
  return typeof portMatch.port === 'string' && clusterNamedPort(cluster, portMatch.port, protocol) === port;
}

/** Destination groups a rule's ports match (egress: named ports resolve on the destination). */
function portDestinations(
  rule: PolicyRule, port: number, protocol: Protocol, all: Bitset, empty: Bitset, groupsWith: (key: string) => Bitset, cluster: ClusterModel,
): Bitset {
  if (rule.ports === undefined) {
    return all;
  }
  let set: Bitset | undefined;
  for (const portMatch of rule.ports) {
    if (portMatch.protocol !== 'ANY' && portMatch.protocol !== protocol) {
      continue;
    }
    if (portMatch.namedPortResolution === 'cluster') {
      if (clusterNamedPortMatches(portMatch, port, protocol, cluster)) {
        return all;
      }
    } else if (typeof portMatch.port === 'string') {
      set = set ?? new Bitset(all.size);
      set.or(groupsWith(namedPortKey(portMatch.port)));
    } else if (numericPortMatches(portMatch.port, portMatch.endPort, port)) {
      return all;
    }
  }
  return set ?? empty;
}

/** Whether a rule's ports match at a destination group whose resolving named ports are `named`. */
function portMatchesAtDestination(rule: PolicyRule, port: number, protocol: Protocol, named: readonly string[], cluster: ClusterModel): boolean {
  return rule.ports === undefined || rule.ports.some((portMatch) => {
    if (portMatch.protocol !== 'ANY' && portMatch.protocol !== protocol) {
      return false;
    }
    if (portMatch.namedPortResolution === 'cluster') {
      return clusterNamedPortMatches(portMatch, port, protocol, cluster);
    }
    return typeof portMatch.port === 'string' ? named.includes(portMatch.port) : numericPortMatches(portMatch.port, portMatch.endPort, port);
  });
}

function numericPortMatches(start: number | undefined, end: number | undefined, port: number): boolean {
  if (start === undefined) {
    return true;
  }
  return end === undefined ? port === start : port >= start && port <= end;
}

/** Named ports (of the matrix protocol) that the parts' rules mention. */
function namedPortsAt(parts: readonly PolicyPart[], protocol: Protocol): string[] {
  const names = new Set<string>();
  for (const part of parts) {
    for (const rule of part.rules) {
      for (const portMatch of rule.ports ?? []) {
        if (typeof portMatch.port === 'string' && (portMatch.protocol === 'ANY' || portMatch.protocol === protocol)
          && portMatch.namedPortResolution !== 'cluster') {
          names.add(portMatch.port);
        }
      }
    }
  }
  return [...names].sort();
}

/**
 * The tiered first-match evaluation of `evaluateFlow`, over sets of peer groups: returns the peer
 * groups the parts allow. Mirrors it step by step (allow/deny decide, pass skips the tier, log records,
 * isolating tiers apply their default, the layer allows what is left).
 */
function runTiers(parts: readonly PolicyPart[], size: number, matchOf: (rule: PolicyRule) => Bitset): Bitset {
  const allowed = new Bitset(size);
  let undecided = Bitset.full(size);
  // One scratch set for every rule's hits: a large estate runs this for thousands of groups.
  const hit = new Bitset(size);
  let start = 0;
  while (start < parts.length) {
    const tier: PolicyTier = parts[start].tier;
    let end = start;
    while (end < parts.length && parts[end].tier.name === tier.name) {
      end++;
    }
    const passed = new Bitset(size);
    let isolates = false;
    for (let p = start; p < end; p++) {
      const part = parts[p];
      isolates = isolates || part.isolates;
      for (const rule of part.rules) {
        if (rule.action === 'log') {
          continue;
        }
        hit.assignAnd(matchOf(rule), undecided);
        if (hit.isEmpty()) {
          continue;
        }
        undecided.andNot(hit);
        if (rule.action === 'allow') {
          allowed.or(hit);
        } else if (rule.action === 'pass') {
          passed.or(hit);
        }
      }
    }
    if (isolates && tier.defaultAction === 'deny') {
      undecided = passed;
    } else {
      undecided.or(passed);
    }
    start = end;
  }
  allowed.or(undecided);
  return allowed;
}

function intersect(a: Bitset, b: Bitset): Bitset {
  const result = a.clone();
  result.and(b);
  return result;
}
