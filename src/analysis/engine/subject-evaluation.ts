import { AnalysisUniverse } from './analysis-universe';
import { ClassSet } from './class-set';
import { ConnectionEntry, ConnectionMap, intersectMaps, normalizeMap } from './connection-map';
import { ConnectionSet } from './connection-set';
import { featureCatalog } from './feature-catalog';
import {
  HOST_NETWORK_KEY, identityKey, ipBlockKey, isNodeRelative, namedPortNumbersOf, ON_NODE_KEY, selectionFeatureKey, WAYPOINT_KEY,
} from './feature-keys';
import { clusterHasHbone, MeshAuthentication, requireEnrollment } from './mesh-authentication';
import { PodGroup } from './pod-grouping';
import { PolicyIndex, PolicyPart } from './policy-index';
import { namedConnections, RuleConnections, ruleConnections } from './rule-connections';
import { peerIdentity } from './rule-matching';
import { HBONE_PORT } from '../../dialects/istio/options';
import { IpFamily } from '../ip/ip-address';
import { Direction, EntityName, PeerMatch, PolicyRule } from '../ir/analysis-policy';
import { MtlsMode } from '../ir/peer-authentication';

/**
 * The address family in which pod addresses are seen by ipBlocks: a family, or `any` when no ipBlock
 * matches any pod address (then both families give the same result and one evaluation serves both).
 */
export type FamilyMode = IpFamily | 'any';

/** A part of a rule's match: these peer classes, on these connections. */
interface Piece {
  readonly classes: ClassSet;
  readonly connections: ConnectionSet;
}

/** One cell of the tiered evaluation: peer classes that share the state of every connection. */
interface Cell {
  readonly classes: ClassSet;
  /** Not decided yet in this tier (or passed into it). */
  readonly undecided: ConnectionSet;
  readonly allowed: ConnectionSet;
  /** Passed on to the next tier by a `pass` rule of this tier. */
  readonly passed: ConnectionSet;
}

/**
 * The tiered first-match evaluation of `evaluateFlow`, for one subject group and direction at a time,
 * over cells (peer classes × connection sets) instead of one flow: a rule splits the cells it touches
 * by its peers and moves the matched part of `undecided` to allowed (allow), away (deny) or to passed
 * (pass); `log` changes nothing. At a tier's end an isolating tier with default deny denies what is
 * undecided, and what was passed goes on to the next tier; what no tier decided is allowed by the
 * layer; layers intersect. Cells with equal states are merged, so their number follows the distinct
 * outcomes, not the peers.
 */
export class SubjectEvaluator {
  private readonly partsByFeature = new Map<number, readonly PolicyPart[]>();
  private readonly rulesConnections = new Map<PolicyRule, RuleConnections>();
  private readonly l4RuleConnections = new Map<PolicyRule, RuleConnections>();
  private readonly peerPieceCache = new Map<PolicyRule, Map<string, readonly Piece[]>>();
  private readonly egressPieceCache = new Map<PolicyRule, Map<string, readonly Piece[]>>();
  private readonly resultCache = new Map<string, ConnectionMap>();
  private readonly blockClasses = new Map<string, ClassSet>();
  private readonly namedIndex = new Map<string, { numbers: number[]; groups: ClassSet }[]>();
  private readonly open: ConnectionMap;
  private readonly auth: MeshAuthentication;
  /** True if the policy set has mesh policies or PeerAuthentications: enrollment and mTLS matter. */
  private readonly meshAware: boolean;
  /** True if some pod accepts HBONE: the CNI then sees tunnels between meshed pods. */
  private readonly hbone: boolean;
  private readonly mtlsPieceCache = new Map<string, readonly Piece[]>();
  private readonly strictCache = new Map<string, ConnectionMap | undefined>();
  private readonly identityPieceCache = new Map<PolicyRule, Map<string, readonly Piece[]>>();

  /** The feature id of waypoint pods (-1: none in the universe). */
  private readonly waypointFeature: number;

  constructor(private readonly universe: AnalysisUniverse, private readonly index: PolicyIndex, private readonly mode: FamilyMode) {
    this.waypointFeature = universe.grouping.featureKeys.indexOf(WAYPOINT_KEY);
    this.auth = MeshAuthentication.of(index);
    this.meshAware = index.layers.includes('mesh') || this.auth.present;
    this.hbone = clusterHasHbone(universe.cluster);
    const partsBySubject = featureCatalog(index).partsBySubject;
    universe.grouping.featureKeys.forEach((key, id) => {
      const parts = key.startsWith('S:') ? partsBySubject.get(key) : undefined;
      if (parts) {
        this.partsByFeature.set(id, [...parts]);
      }
    });
    this.open = [{ classes: universe.sets.all, connections: universe.space.full }];
  }

  /** True if no policy of the index selects the group (in any layer and direction). */
  public unselected(group: PodGroup): boolean {
    return !group.features.some((feature) => this.partsByFeature.has(feature));
  }

  /**
   * True if a policy selecting the group isolates it in the direction in a tier whose default is
   * deny: without any rule, what that tier does not decide is denied (in some layer).
   */
  public isolates(group: PodGroup, direction: Direction): boolean {
    return this.partsOf(group, direction).some((part) => part.isolates && part.tier.defaultAction === 'deny');
  }

  /** True if the map is "every class, every connection" (no policy restricts the direction). */
  public isOpen(map: ConnectionMap): boolean {
    return map === this.open;
  }

  /**
   * What the group's policies allow in one direction, per peer class: egress towards each
   * destination class, or ingress from each source class. Every layer must allow.
   */
  public evaluate(group: PodGroup, direction: Direction): ConnectionMap {
    const parts = this.partsOf(group, direction);
    // A destination's proxy rejects plaintext on its STRICT ports before any policy runs.
    const strict = direction === 'ingress' ? this.strictMap(group) : undefined;
    if (parts.length === 0 && strict === undefined) {
      return this.open;
    }
    const key = `${this.cacheKey(group, direction, parts)}|${this.meshKeyOf(group)}`;
    let result = this.resultCache.get(key);
    if (!result) {
      result = strict ?? this.open;
      for (const layer of this.index.layers) {
        const layerParts = parts.filter((part) => part.layer === layer);
        if (layerParts.length > 0) {
          let map = this.runTiers(group, direction, layerParts);
          if (layer === 'network') map = this.throughHbone(map, group, direction);
          result = result === this.open ? map : intersectMaps(result, map);
        }
      }
      this.resultCache.set(key, result);
    }
    return result;
  }

  /**
   * The parts selecting the group for a direction, in evaluation order. Mesh policies are enforced
   * by a proxy: a group the cluster model says is not in the mesh has none of them, and neither has
   * a waypoint's pods (istiod attaches no selector policy to a waypoint; its targetRefs policies apply
   * to Service traffic, `service-paths.ts`).
   */
  private partsOf(group: PodGroup, direction: Direction): PolicyPart[] {
    const parts: PolicyPart[] = [];
    const unmeshed = this.meshAware && (group.pods[0]?.mesh?.enrollment === 'none' || group.features.includes(this.waypointFeature));
    for (const feature of group.features) {
      for (const part of this.partsByFeature.get(feature) ?? []) {
        if (part.direction === direction && !(unmeshed && part.layer === 'mesh')) {
          parts.push(part);
        }
      }
    }
    return parts.sort((a, b) => a.rank - b.rank);
  }

  /**
   * The CNI's view of HBONE (`hboneBetween`): towards (egress) or from (ingress) the peer classes that
   * reach the group through an HBONE tunnel, every TCP connection is what the CNI allows on TCP 15008
   * between the pods — the application port is inside the tunnel, where ztunnel or the sidecar decide it.
   */
  private throughHbone(map: ConnectionMap, group: PodGroup, direction: Direction): ConnectionMap {
    const own = group.pods[0]?.mesh;
    if (!this.hbone || map === this.open || own === undefined || group.pods[0].hostNetwork) {
      return map;
    }
    const universe = this.universe;
    const enrolled = universe.groupsWith('M:sidecar').union(universe.groupsWith('M:sidecar+hbone')).union(universe.groupsWith('M:ambient'));
    const ambient = universe.groupsWith('M:ambient');
    // Every meshed client tunnels to an ambient server; only an ambient one to a sidecar that listens HBONE.
    const peers = direction === 'ingress'
      ? (own.enrollment === 'ambient' ? enrolled : own.hbone ? ambient : universe.sets.empty)
      : (own.enrollment === 'ambient' ? ambient.union(universe.groupsWith('M:sidecar+hbone')) : own.enrollment === 'sidecar' ? ambient : universe.sets.empty);
    if (peers.isEmpty()) {
      return map;
    }
    const space = universe.space;
    const tcp = space.ports('TCP');
    const tunnel = space.ports('TCP', HBONE_PORT, HBONE_PORT);
    const entries: ConnectionEntry[] = [];
    for (const entry of map) {
      const inside = entry.classes.intersect(peers);
      const outside = entry.classes.subtract(peers);
      if (!outside.isEmpty()) entries.push({ classes: outside, connections: entry.connections });
      if (!inside.isEmpty()) {
        const connections = entry.connections.subtract(tcp).union(entry.connections.intersect(tunnel).isEmpty() ? space.empty : tcp);
        if (!connections.isEmpty()) entries.push({ classes: inside, connections });
      }
    }
    return normalizeMap(entries);
  }

  /** The group's mesh features (enrollment, mTLS profile), which mesh decisions depend on. */
  private meshKeyOf(group: PodGroup): string {
    if (!this.meshAware && !this.hbone) {
      return '';
    }
    const keys = this.universe.grouping.featureKeys;
    return group.features.filter((feature) => keys[feature].startsWith('M:') || keys[feature].startsWith('A:')).join('.');
  }

  /** The TCP connections on which the group's composed PeerAuthentication has this mode. */
  private portsWithMode(group: PodGroup, mode: MtlsMode): ConnectionSet {
    const space = this.universe.space;
    const pod = group.pods[0];
    if (!this.auth.present || pod === undefined || pod.hostNetwork) {
      return mode === 'PERMISSIVE' ? space.ports('TCP') : space.empty;
    }
    const profile = this.auth.profile(pod);
    let set = profile.base.mode === mode ? space.ports('TCP') : space.empty;
    for (const entry of profile.ports) {
      const port = space.ports('TCP', entry.port, entry.port);
      set = entry.mtls.mode === mode ? set.union(port) : set.subtract(port);
    }
    return set;
  }

  /**
   * The source classes that reach the group over mTLS, with the connections that are mTLS
   * (`MeshAuthentication.mtlsOf`, per source enrollment); every other class and connection is plaintext.
   */
  private mtlsPieces(group: PodGroup): readonly Piece[] {
    const key = this.meshKeyOf(group);
    let pieces = this.mtlsPieceCache.get(key);
    if (!pieces) {
      const universe = this.universe;
      const destination = group.pods[0]?.mesh;
      const tcp = universe.space.ports('TCP');
      const sidecars = universe.groupsWith('M:sidecar').union(universe.groupsWith('M:sidecar+hbone'));
      const ambient = universe.groupsWith('M:ambient');
      if (destination === undefined || destination.enrollment === 'none') {
        pieces = [];
      } else if (destination.enrollment === 'ambient') {
        pieces = [{ classes: sidecars.union(ambient), connections: tcp }];
      } else {
        // Sidecar clients: Istio mTLS except on DISABLE ports; ambient ones: the HBONE tunnel, which DISABLE does not turn off.
        pieces = [{ classes: sidecars, connections: tcp.subtract(this.portsWithMode(group, 'DISABLE')) }, ...(destination.hbone ? [{ classes: ambient, connections: tcp }] : [])];
      }
      pieces = pieces.filter((piece) => !piece.classes.isEmpty() && !piece.connections.isEmpty());
      this.mtlsPieceCache.set(key, pieces);
    }
    return pieces;
  }

  /** What the group's STRICT ports admit: everything but plaintext on them; undefined when nothing is STRICT. */
  private strictMap(group: PodGroup): ConnectionMap | undefined {
    if (!this.auth.present || group.pods[0]?.mesh?.enrollment === 'none') {
      return undefined;
    }
    const key = this.meshKeyOf(group);
    if (this.strictCache.has(key)) {
      return this.strictCache.get(key);
    }
    const strict = this.portsWithMode(group, 'STRICT');
    let map: ConnectionMap | undefined;
    if (!strict.isEmpty()) {
      const pod = group.pods[0];
      requireEnrollment(pod, this.auth.modeAt(pod, strict.ranges()[0].from));
      const space = this.universe.space;
      const entries: ConnectionEntry[] = [];
      let rest = this.universe.sets.all;
      for (const piece of this.mtlsPieces(group)) {
        entries.push({ classes: piece.classes, connections: space.full.subtract(strict.subtract(piece.connections)) });
        rest = rest.subtract(piece.classes);
      }
      entries.push({ classes: rest, connections: space.full.subtract(strict) });
      map = normalizeMap(entries);
    }
    this.strictCache.set(key, map);
    return map;
  }

  /** What the result depends on besides the parts: node, named ports (ingress), own-endpoint conditions. */
  private cacheKey(group: PodGroup, direction: Direction, parts: readonly PolicyPart[]): string {
    let node = '';
    let named = '';
    let subject = '';
    for (const part of parts) {
      for (const rule of part.rules) {
        if (node === '' && isNodeRelative(rule)) {
          node = this.nodeOf(group) || '-';
        }
        if (direction === 'ingress' && named === '' && this.connectionsOf(rule).named.length > 0) {
          named = group.features.filter((feature) => this.universe.grouping.featureKeys[feature].startsWith('N:')).join('.') || '-';
        }
        if (rule.subjectPeers !== undefined || rule.notSubjectPeers !== undefined) {
          subject += this.subjectMatches(rule, group) ? '1' : '0';
        }
      }
    }
    return `${direction}|${parts.map((part) => part.rank).join(',')}|${node}|${named}|${subject}`;
  }

  private runTiers(group: PodGroup, direction: Direction, parts: readonly PolicyPart[]): ConnectionMap {
    const space = this.universe.space;
    let cells: Cell[] = [{ classes: this.universe.sets.all, undecided: space.full, allowed: space.empty, passed: space.empty }];
    let start = 0;
    while (start < parts.length) {
      const tier = parts[start].tier;
      let end = start;
      let isolates = false;
      while (end < parts.length && parts[end].tier.name === tier.name) {
        isolates = isolates || parts[end].isolates;
        end++;
      }
      for (let p = start; p < end; p++) {
        // ztunnel enforces the mesh policies of an ambient pod at L4 only (see `l4Connections`).
        const l4Only = parts[p].layer === 'mesh' && group.pods[0]?.mesh?.enrollment === 'ambient';
        for (const rule of parts[p].rules) {
          if (rule.action === 'log') {
            continue;
          }
          const pieces = this.piecesOf(rule, group, direction, l4Only);
          if (pieces.length > 0) {
            cells = applyRule(cells, pieces, rule.action);
          }
        }
      }
      const denyRest = isolates && tier.defaultAction === 'deny';
      cells = mergeCells(cells.map((cell) => ({
        classes: cell.classes,
        undecided: denyRest ? cell.passed : cell.undecided.union(cell.passed),
        allowed: cell.allowed,
        passed: space.empty,
      })));
      start = end;
      if (cells.every((cell) => cell.undecided.isEmpty())) {
        break; // decided everywhere: later tiers cannot change anything
      }
    }
    const entries: ConnectionEntry[] = cells.map((cell) => ({ classes: cell.classes, connections: cell.allowed.union(cell.undecided) }));
    const map = normalizeMap(entries);
    return map.length === 1 && map[0].classes.isFull() && map[0].connections.isFull() ? this.open : map;
  }

  /** The rule's match for this subject: disjoint peer classes with the connections matched for them. */
  private piecesOf(rule: PolicyRule, group: PodGroup, direction: Direction, l4Only = false): readonly Piece[] {
    if ((rule.subjectPeers !== undefined || rule.notSubjectPeers !== undefined) && !this.subjectMatches(rule, group)) {
      return [];
    }
    if (l4Only && rule.ztunnel === 'noMatch') {
      return []; // istiod sends ztunnel no such rule, or one it skips
    }
    const connections = l4Only && rule.http !== undefined ? this.l4Connections(rule) : this.connectionsOf(rule);
    if (connections.base.isEmpty() && connections.named.length === 0) {
      return [];
    }
    const node = isNodeRelative(rule) ? this.nodeOf(group) : '';
    if (direction === 'egress') {
      return cached(this.egressPieceCache, rule, node, () => this.egressPieces(rule, node, connections));
    }
    // Ingress: named ports resolve on the subject (the destination).
    let own = connections.base;
    for (const name of connections.named) {
      own = own.union(namedConnections(this.universe.space, name, this.namedNumbers(group, name)).intersect(connections.requests));
    }
    if (own.isEmpty()) {
      return [];
    }
    return this.ingressPeerPieces(rule, node, group, l4Only).flatMap((piece) => {
      const matched = piece.connections.intersect(own);
      return matched.isEmpty() ? [] : [{ classes: piece.classes, connections: matched }];
    });
  }

  /** Egress: named ports resolve on each destination, so the peers split by what the names mean there. */
  private egressPieces(rule: PolicyRule, node: string, connections: RuleConnections): Piece[] {
    // `condition`: what the peer item allows at all (every connection today; issue 13's mTLS-only
    // peers will narrow it), which every port the rule adds is matched within.
    let pieces = this.peerPieces(rule, node).map((piece) => ({
      classes: piece.classes, condition: piece.connections, connections: piece.connections.intersect(connections.base),
    }));
    const space = this.universe.space;
    for (const name of connections.named) {
      const split: typeof pieces = [];
      for (const piece of pieces) {
        let rest = piece.classes;
        for (const { numbers, groups } of this.resolutions(name)) {
          const classes = rest.intersect(groups);
          if (!classes.isEmpty()) {
            const resolved = namedConnections(space, name, numbers).intersect(connections.requests).intersect(piece.condition);
            split.push({ ...piece, classes, connections: piece.connections.union(resolved) });
            rest = rest.subtract(classes);
          }
        }
        split.push({ ...piece, classes: rest });
      }
      pieces = split;
    }
    return pieces.filter((piece) => !piece.connections.isEmpty() && !piece.classes.isEmpty())
      .map((piece) => ({ classes: piece.classes, connections: piece.connections }));
  }

  /**
   * Ingress: the peer pieces, plus the clients whose identity a mTLS peer (Istio principals,
   * namespaces, service accounts) matches, on the connections that reach the subject over mTLS;
   * minus, on those connections, the clients whose identity an excluded mTLS peer (`notPeers`:
   * Istio's notPrincipals, notNamespaces, notServiceAccounts) matches — a plaintext connection
   * has no identity, so no exclusion applies to it. `l4Only`: ztunnel's identity conditions.
   */
  private ingressPeerPieces(rule: PolicyRule, node: string, group: PodGroup, l4Only: boolean): readonly Piece[] {
    const plain = this.peerPieces(rule, node);
    const identityPeers = (rule.peers ?? []).filter((peer) => peer.kind === 'pods' && peer.requiresMtls);
    const excludedPeers = (rule.notPeers ?? []).filter((peer) => peer.kind === 'pods' && peer.requiresMtls);
    if (identityPeers.length === 0 && excludedPeers.length === 0) {
      return plain;
    }
    return cached(this.identityPieceCache, rule, `${node}|${this.meshKeyOf(group)}|${l4Only}`, () => {
      const universe = this.universe;
      const classesOf = (peers: readonly PeerMatch[]) => {
        let classes = universe.sets.empty;
        for (const peer of peers) {
          if (peer.kind !== 'pods') continue;
          let matched = universe.groupsWith(selectionFeatureKey('P', peer.selection));
          const identity = peerIdentity(peer, l4Only);
          if (identity) matched = matched.intersect(universe.groupsWith(identityKey(identity)));
          classes = classes.union(matched);
        }
        return classes;
      };
      const identities = classesOf(identityPeers);
      const covered = plain.reduce((set, piece) => set.union(piece.classes), universe.sets.empty);
      let pieces: Piece[] = [...plain];
      const mtls = this.mtlsPieces(group);
      for (const piece of mtls) {
        const classes = identities.intersect(piece.classes).subtract(covered);
        if (!classes.isEmpty()) pieces.push({ classes, connections: piece.connections });
      }
      const excluded = classesOf(excludedPeers);
      if (!excluded.isEmpty()) {
        pieces = pieces.flatMap((piece) => {
          const out: Piece[] = [];
          let rest = piece.classes;
          for (const secure of mtls) {
            const classes = rest.intersect(secure.classes).intersect(excluded);
            if (classes.isEmpty()) continue;
            const connections = piece.connections.subtract(secure.connections);
            if (!connections.isEmpty()) out.push({ classes, connections });
            rest = rest.subtract(classes);
          }
          if (!rest.isEmpty()) out.push({ classes: rest, connections: piece.connections });
          return out;
        });
      }
      return pieces;
    });
  }

  /** Disjoint peer pieces of a rule, with the connections each peer item allows (before ports). */
  private peerPieces(rule: PolicyRule, node: string): readonly Piece[] {
    return cached(this.peerPieceCache, rule, node, () => {
      const space = this.universe.space;
      const union = (peers: readonly PeerMatch[]) => {
        let classes = this.universe.sets.empty;
        for (const peer of peers) {
          if (peer.kind === 'pods' && peer.requiresMtls) {
            continue; // identities need mTLS, which the connections analysed as sets do not carry
          }
          classes = classes.union(this.peerClasses(peer, node));
        }
        return classes;
      };
      let classes = rule.peers === undefined ? this.universe.sets.all : union(rule.peers);
      if (rule.notPeers !== undefined) {
        // Exclusions (Calico's notSelector): an identity exclusion matches no plaintext peer, so excludes none.
        classes = classes.subtract(union(rule.notPeers));
      }
      return classes.isEmpty() ? [] : [{ classes, connections: space.full }];
    });
  }

  /**
   * The classes a peer condition names, in this family mode, seen from a subject on `node`; cached
   * by the condition's key, since thousands of rules name the same peers.
   */
  private peerClasses(peer: PeerMatch, node: string): ClassSet {
    const universe = this.universe;
    switch (peer.kind) {
      case 'pods':
        return universe.groupsWith(selectionFeatureKey('P', peer.selection));
      case 'ipBlock': {
        const key = ipBlockKey(peer);
        let set = this.blockClasses.get(key);
        if (!set) {
          set = universe.externalIn(peer).union(universe.groupsWith(`${key}:${this.mode}`));
          this.blockClasses.set(key, set);
        }
        return set;
      }
      case 'entity':
        return this.entityClasses(peer.entity, node);
      case 'dnsName':
        return universe.namedIn(peer);
    }
  }

  private entityClasses(entity: EntityName, node: string): ClassSet {
    const universe = this.universe;
    switch (entity) {
      case 'all':
        return universe.sets.all;
      case 'cluster':
        return universe.allGroups;
      case 'world':
        return universe.allExternal;
      case 'host':
        return node.startsWith('node:')
          ? universe.groupsWith(node).intersect(universe.groupsWith(HOST_NETWORK_KEY))
          : universe.sets.empty;
      case 'remote-node': {
        if (node === '') {
          return universe.sets.empty;
        }
        const hosts = universe.groupsWith(HOST_NETWORK_KEY);
        return node.startsWith('node:') ? hosts.subtract(universe.groupsWith(node)) : hosts;
      }
      default:
        return universe.sets.empty; // no such endpoint in the cluster model
    }
  }

  /** Whether the group is one of the rule's own-endpoint peers (`subjectPeers`) and none of its exclusions (`notSubjectPeers`), in this family mode. */
  private subjectMatches(rule: PolicyRule, group: PodGroup): boolean {
    const matches = (peers: readonly PeerMatch[]) => peers.some((peer) => {
      switch (peer.kind) {
        case 'pods':
          return !peer.requiresMtls && this.universe.groupsWith(selectionFeatureKey('P', peer.selection)).has(group.index);
        case 'ipBlock':
          return this.universe.groupsWith(`${ipBlockKey(peer)}:${this.mode}`).has(group.index);
        case 'entity':
          // The subject is a pod that policies select: never host-network, never outside the model.
          return peer.entity === 'all' || peer.entity === 'cluster';
        case 'dnsName':
          return false; // a DNS name is an address outside the cluster, never a pod policies select
      }
    });
    return (rule.subjectPeers === undefined || matches(rule.subjectPeers))
      && (rule.notSubjectPeers === undefined || !matches(rule.notSubjectPeers));
  }

  /**
   * A rule with HTTP conditions as ztunnel enforces it, which sees no request: istiod drops such an
   * ALLOW rule for ztunnel (it matches nothing) and sends a DENY rule without its HTTP parts (it matches
   * on the rest) — `pilot/pkg/serviceregistry/ambient/authorization.go` `convertAuthorizationPolicy`,
   * the translator's `nonHttpFlows`.
   */
  private l4Connections(rule: PolicyRule): RuleConnections {
    let connections = this.l4RuleConnections.get(rule);
    if (!connections) {
      const space = this.universe.space;
      if ((rule.nonHttpFlows ?? 'noMatch') === 'match') {
        const { http: _http, nonHttpFlows: _flows, ...rest } = rule;
        connections = ruleConnections(space, this.universe.cluster, rest);
      } else {
        connections = { base: space.empty, named: [], requests: space.empty };
      }
      this.l4RuleConnections.set(rule, connections);
    }
    return connections;
  }

  private connectionsOf(rule: PolicyRule): RuleConnections {
    let connections = this.rulesConnections.get(rule);
    if (!connections) {
      connections = ruleConnections(this.universe.space, this.universe.cluster, rule);
      this.rulesConnections.set(rule, connections);
    }
    return connections;
  }

  /** The numbers a named port (`<protocol>/<name>`) has on the group's pods. */
  private namedNumbers(group: PodGroup, name: string): number[] {
    const keys = this.universe.grouping.featureKeys;
    for (const feature of group.features) {
      const numbers = namedPortNumbersOf(keys[feature], name);
      if (numbers) {
        return numbers;
      }
    }
    return [];
  }

  /** Every resolution of a named port among the groups, with the groups that have it. */
  private resolutions(name: string): { numbers: number[]; groups: ClassSet }[] {
    let list = this.namedIndex.get(name);
    if (!list) {
      list = [];
      for (const key of this.universe.grouping.featureKeys) {
        const numbers = namedPortNumbersOf(key, name);
        if (numbers) {
          list.push({ numbers, groups: this.universe.groupsWith(key) });
        }
      }
      this.namedIndex.set(name, list);
    }
    return list;
  }

  /** The group's node feature, or '' when it has none. */
  private nodeOf(group: PodGroup): string {
    const keys = this.universe.grouping.featureKeys;
    const feature = group.features.find((id) => keys[id].startsWith('node:') || keys[id] === ON_NODE_KEY);
    return feature === undefined ? '' : keys[feature];
  }
}

/** Applies one allow, deny or pass rule to the cells. */
function applyRule(cells: readonly Cell[], pieces: readonly Piece[], action: 'allow' | 'deny' | 'pass'): Cell[] {
  const out: Cell[] = [];
  for (const cell of cells) {
    if (cell.undecided.isEmpty()) {
      out.push(cell);
      continue;
    }
    let rest = cell.classes;
    for (const piece of pieces) {
      const hit = cell.undecided.intersect(piece.connections);
      if (hit.isEmpty()) {
        continue;
      }
      const classes = rest.intersect(piece.classes);
      if (classes.isEmpty()) {
        continue;
      }
      rest = rest.subtract(classes);
      out.push({
        classes,
        undecided: cell.undecided.subtract(hit),
        allowed: action === 'allow' ? cell.allowed.union(hit) : cell.allowed,
        passed: action === 'pass' ? cell.passed.union(hit) : cell.passed,
      });
    }
    if (!rest.isEmpty()) {
      out.push(rest === cell.classes ? cell : { ...cell, classes: rest });
    }
  }
  return mergeCells(out);
}

/** Merges cells whose every connection is in the same state. */
function mergeCells(cells: readonly Cell[]): Cell[] {
  if (cells.length <= 1) {
    return [...cells];
  }
  const byState = new Map<string, Cell>();
  for (const cell of cells) {
    const key = `${cell.undecided.id},${cell.allowed.id},${cell.passed.id}`;
    const known = byState.get(key);
    byState.set(key, known ? { ...known, classes: known.classes.union(cell.classes) } : cell);
  }
  return [...byState.values()];
}

function cached<T>(cache: Map<PolicyRule, Map<string, T>>, rule: PolicyRule, node: string, compute: () => T): T {
  let byNode = cache.get(rule);
  if (!byNode) {
    byNode = new Map();
    cache.set(rule, byNode);
  }
  let value = byNode.get(node);
  if (value === undefined) {
    value = compute();
    byNode.set(node, value);
  }
  return value;
}

