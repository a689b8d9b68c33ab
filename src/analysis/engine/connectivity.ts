import { AnalysisUniverse, EndpointClass } from './analysis-universe';
import { ClassSet } from './class-set';
import { ConnectionEntry, ConnectionMap, lookup, mapKey, normalizeMap, restrictMap, subtractMaps, unionMaps, withoutClasses } from './connection-map';
import { ConnectionSet } from './connection-set';
import { resolveEndpoint } from './evaluate-flow';
import { HOST_NETWORK_KEY } from './feature-keys';
import { PodGroup } from './pod-grouping';
import { PolicyIndex } from './policy-index';
import { FamilyMode, SubjectEvaluator } from './subject-evaluation';
import { ClusterPod, podId } from '../cluster/cluster-model';
import { IpFamily } from '../ip/ip-address';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { Direction, Protocol } from '../ir/analysis-policy';
import { FlowEndpoint } from '../ir/flow';

/** Sources with identical rows: every source class of `sources` has exactly the connections of `row`. */
export interface ConnectivityBlock {
  /** Source classes (indices into the universe). */
  readonly sources: readonly number[];
  /** Destination classes and their connections (disjoint; classes not listed get nothing). */
  readonly row: ConnectionMap;
}

/**
 * The exact connectivity of one policy set over an `AnalysisUniverse`: for every source class
 * (pod group or external address class) and destination class, the set of connections the policies
 * allow, plus each pod's connections to itself. Computed lazily and cached: a single pair is a
 * lookup in the two groups' evaluations; the rows of every source are computed once, sparsely.
 *
 * Semantics (docs/ANALYSIS.md, "Exact sets"): a pod pair connects over the address families both
 * pods have (the union of what each family allows); a pod and an external class over the class's
 * family, if the pod has it; a pod without an address has no connection at all. Traffic from outside
 * to outside is not part of the result. Self traffic and node-local traffic are exempt as the
 * `EvaluatorOptions` say.
 */
export class Connectivity {
  /** The family modes evaluations run in: `any`, or each family when ipBlocks see pod addresses. */
  public readonly modes: readonly FamilyMode[];
  private readonly evaluators = new Map<FamilyMode, SubjectEvaluator>();
  private rows: ConnectionMap[] | undefined;
  /** Another policy set's result over the same universe, whose rows are taken where they cannot differ. */
  private base: Connectivity | undefined;
  private reused = 0;
  private readonly selfCache = new Map<number, ConnectionSet>();
  private readonly reachableCache = new Map<string, ClassSet>();
  private readonly nodeLocalCache = new Map<string, ClassSet>();
  private readonly open: ConnectionMap;

  constructor(public readonly universe: AnalysisUniverse, public readonly index: PolicyIndex) {
    if (!universe.indexes.includes(index)) {
      throw new Error('the connectivity of a policy set needs a universe built with it (a bug)');
    }
    const families = new Set(universe.grouping.groups.flatMap((group) => group.families));
    this.modes = universe.grouping.familySensitive ? (['IPv4', 'IPv6'] as IpFamily[]).filter((family) => families.has(family)) : ['any'];
    for (const mode of this.modes) {
      this.evaluators.set(mode, new SubjectEvaluator(universe, index, mode));
    }
    this.open = [{ classes: universe.sets.all, connections: universe.space.full }];
  }

  /** Pods without an address: they have no network, so no connection from or to them. */
  public get podsWithoutAddress(): ClusterPod[] {
    return this.universe.grouping.groups.filter((group) => group.families.length === 0).flatMap((group) => group.pods);
  }

  /**
   * The connections from one endpoint to another: a pod (`ns/name`) or an IP address (an address of
   * a pod is that pod). Between two external addresses no policy applies: every connection.
   * @throws AnalysisInputError for an unknown pod, an invalid IP, or a pod outside the universe
   */
  public connections(source: FlowEndpoint, destination: FlowEndpoint): ConnectionSet {
    const from = this.endpointClass(source, 'source');
    const to = this.endpointClass(destination, 'destination');
    if (from.pod !== undefined && from.pod === to.pod) {
      return this.selfConnections(from.index);
    }
    return this.between(from.index, to.index);
  }

  /**
   * The connections from a class to a class (for two pods of one group: two different pods; see
   * `selfConnections` for a pod to itself). Between two external classes: every connection.
   */
  public between(source: number, destination: number): ConnectionSet {
    const universe = this.universe;
    const space = universe.space;
    const sourceExternal = source >= universe.groupCount;
    const destinationExternal = destination >= universe.groupCount;
    if (sourceExternal && destinationExternal) {
      return space.full;
    }
    if (universe.isNamed(source)) {
      return space.empty; // a destination only (see `AnalysisUniverse.isNamed`)
    }
    const common = universe.familiesOf(source).filter((family) => universe.familiesOf(destination).includes(family));
    if (common.length === 0) {
      return space.empty;
    }
    if (this.nodeLocal(source, destination)) {
      return space.full;
    }
    let result = space.empty;
    for (const mode of this.modes) {
      if (mode !== 'any' && !common.includes(mode)) {
        continue;
      }
      const egress = sourceExternal ? space.full : lookup(this.egress(source, mode), destination, space.empty);
      const ingress = destinationExternal ? space.full : lookup(this.ingress(destination, mode), source, space.empty);
      result = result.union(egress.intersect(ingress));
    }
    return result;
  }

  /** A pod's connections to itself, for the pods of a group (every connection under `selfTraffic: 'allow'`). */
  public selfConnections(group: number): ConnectionSet {
    let result = this.selfCache.get(group);
    if (result === undefined) {
      const universe = this.universe;
      const families = universe.familiesOf(group);
      if (families.length === 0) {
        result = universe.space.empty;
      } else if (universe.options.selfTraffic === 'allow') {
        result = universe.space.full;
      } else {
        result = universe.space.empty;
        for (const mode of this.modes) {
          if (mode === 'any' || families.includes(mode)) {
            const egress = lookup(this.egress(group, mode), group, universe.space.empty);
            result = result.union(egress.intersect(lookup(this.ingress(group, mode), group, universe.space.empty)));
          }
        }
      }
      this.selfCache.set(group, result);
    }
    return result;
  }

  /**
   * Every destination class of a source class with its connections (pods of one group to each
   * other included; a pod to itself is `selfConnections`, so a group of one pod is not in its own
   * row). An external source's row has pod destinations only.
   */
  public rowOf(source: number): ConnectionMap {
    return this.allRows()[source];
  }

  /** The source classes grouped by identical rows, in class order of their first source; empty rows left out. */
  public blocks(): ConnectivityBlock[] {
    const rows = this.allRows();
    const byRow = new Map<ConnectionMap, number[]>();
    rows.forEach((row, source) => {
      if (row.length > 0) {
        const list = byRow.get(row);
        if (list) {
          list.push(source);
        } else {
          byRow.set(row, [source]);
        }
      }
    });
    return [...byRow].map(([row, sources]) => ({ sources, row }));
  }

  /**
   * Takes the rows of `base` (another policy set over the same universe, e.g. `diff`'s before) for
   * every source whose row cannot differ: its egress is the same, and every destination admits it
   * alike. Exact: a row is a function of the source's egress and of each destination's ingress from
   * it (plus the cluster, which is shared). Call before the rows are computed.
   */
  public reuseUnchangedRowsOf(base: Connectivity): void {
    if (base.universe !== this.universe) {
      throw new Error('rows can only be shared by results over the same universe (a bug)');
    }
    this.base = base;
  }

  /** How many rows were taken from the base of `reuseUnchangedRowsOf` (0 before the rows are computed, or without a base). */
  public get reusedRows(): number {
    return this.reused;
  }

  /** The endpoint class of an index. */
  public classAt(index: number): EndpointClass {
    return this.universe.classAt(index);
  }

  /**
   * Calls `visit` for every pod pair allowed on a port and protocol, self pairs included, sources
   * then destinations in pod order (namespace, then name): the order of the `reach --port` JSON.
   */
  public forEachAllowedPair(port: number, protocol: Protocol, visit: (source: ClusterPod, destination: ClusterPod) => void): void {
    const atom = this.universe.space.atomAt(port, protocol);
    const pods = this.universe.grouping.pods;
    const positions = new Map<ClusterPod, number>(pods.map((pod, i) => [pod, i]));
    const destinationsByRow = new Map<ConnectionMap, number[]>();
    const groups = this.universe.grouping.groups;
    pods.forEach((source, s) => {
      const group = this.universe.classOfPod(source) as number;
      const row = this.rowOf(group);
      let destinations = destinationsByRow.get(row);
      if (!destinations) {
        destinations = [];
        for (const entry of row) {
          if (entry.connections.hasAtom(atom)) {
            entry.classes.forEach((index) => {
              if (index < this.universe.groupCount) {
                for (const pod of groups[index].pods) {
                  destinations!.push(positions.get(pod) as number);
                }
              }
            });
          }
        }
        destinations.sort((a, b) => a - b);
        destinationsByRow.set(row, destinations);
      }
      const self = this.selfConnections(group).hasAtom(atom);
      let selfDone = false;
      for (const d of destinations) {
        if (d === s) {
          selfDone = true;
          if (self) visit(source, pods[d]);
          continue;
        }
        if (!selfDone && d > s && self) {
          visit(source, source);
          selfDone = true;
        }
        visit(source, pods[d]);
      }
      if (!selfDone && self) {
        visit(source, source);
      }
    });
  }

  /** Every pair allowed on a port and protocol as `["<ns>/<pod>", "<ns>/<pod>"]`, in the order of `forEachAllowedPair`. */
  public allowedPairs(port: number, protocol: Protocol): [string, string][] {
    const pairs: [string, string][] = [];
    this.forEachAllowedPair(port, protocol, (source, destination) => pairs.push([podId(source), podId(destination)]));
    return pairs;
  }

  /** Number of pod pairs allowed on a port and protocol, from group sizes, without listing them. */
  public allowedPairCount(port: number, protocol: Protocol): number {
    const atom = this.universe.space.atomAt(port, protocol);
    const groups = this.universe.grouping.groups;
    const podCount = new Map<ClassSet, number>();
    let count = 0;
    groups.forEach((group, g) => {
      for (const entry of this.rowOf(g)) {
        if (entry.connections.hasAtom(atom)) {
          let pods = podCount.get(entry.classes);
          if (pods === undefined) {
            pods = 0;
            entry.classes.forEach((index) => {
              if (index < groups.length) pods! += groups[index].pods.length;
            });
            podCount.set(entry.classes, pods);
          }
          count += group.pods.length * pods;
          if (entry.classes.has(g)) {
            count -= group.pods.length; // the self pairs, counted below
          }
        }
      }
      if (this.selfConnections(g).hasAtom(atom)) {
        count += group.pods.length;
      }
    });
    return count;
  }

  private egress(group: number, mode: FamilyMode): ConnectionMap {
    return this.evaluator(mode).evaluate(this.universe.grouping.groups[group], 'egress');
  }

  private ingress(group: number, mode: FamilyMode): ConnectionMap {
    return this.evaluator(mode).evaluate(this.universe.grouping.groups[group], 'ingress');
  }

  private evaluator(mode: FamilyMode): SubjectEvaluator {
    return this.evaluators.get(mode) as SubjectEvaluator;
  }

  /** True if one end uses the host network on the node the other runs on, and that is exempt. */
  private nodeLocal(source: number, destination: number): boolean {
    const universe = this.universe;
    if (!universe.grouping.nodeLocal || source >= universe.groupCount || destination >= universe.groupCount) {
      return false;
    }
    const a = this.nodeOf(source);
    if (a === undefined || a !== this.nodeOf(destination)) {
      return false;
    }
    const hosts = universe.groupsWith(HOST_NETWORK_KEY);
    return hosts.has(source) || hosts.has(destination);
  }

  private nodeOf(group: number): string | undefined {
    const keys = this.universe.grouping.featureKeys;
    const feature = this.universe.grouping.groups[group].features.find((id) => keys[id].startsWith('node:'));
    return feature === undefined ? undefined : keys[feature];
  }

  /** The class (and pod) of an endpoint. */
  private endpointClass(endpoint: FlowEndpoint, role: 'source' | 'destination'): { index: number; pod?: ClusterPod } {
    const resolved = resolveEndpoint(this.universe.cluster, endpoint, role);
    if (resolved.kind === 'pod') {
      const index = this.universe.classOfPod(resolved.pod);
      if (index === undefined) {
        throw new AnalysisInputError(`${role}: pod ${podId(resolved.pod)} is not part of this analysis (it was built for other pods)`);
      }
      return { index, pod: resolved.pod };
    }
    return { index: this.universe.classOfAddress(resolved.ip, resolved.dnsName) as number };
  }

  /** Every source's row, computed once (see `computeRows`). */
  private allRows(): ConnectionMap[] {
    if (!this.rows) {
      this.rows = this.computeRows();
    }
    return this.rows;
  }

  /**
   * Every source's row over one address family: what it may connect to over that family alone (the
   * union over the families both ends have is `rowOf`). A source without an address of the family
   * has an empty row. Computed afresh on each call (the rows of `rowOf` are kept; these are not).
   */
  public familyRows(family: IpFamily): ConnectionMap[] {
    const universe = this.universe;
    const mode: FamilyMode | undefined = this.modes.includes(family) ? family : this.modes.includes('any') ? 'any' : undefined;
    if (mode === undefined) {
      return new Array<ConnectionMap>(universe.sets.size).fill([]); // no pod has an address of the family
    }
    const within = universe.reachableFamilies([family]);
    return this.modeRows(mode, undefined).map((row, source) => {
      if (!universe.familiesOf(source).includes(family)) {
        return [];
      }
      return this.finishRow(source, mode === 'any' ? restrictMap(row, within) : row, within);
    });
  }

  /**
   * What a group's own policies allow in one direction, per peer class, over one address family:
   * egress towards each destination class, or ingress from each source class, before the other end
   * and the exemptions. Equal evaluations are one object.
   */
  public evaluation(group: number, direction: Direction, family: IpFamily): ConnectionMap {
    const mode: FamilyMode = this.modes.includes(family) ? family : 'any';
    const evaluator = this.evaluators.get(mode) ?? this.evaluator(this.modes[0]);
    return evaluator.evaluate(this.universe.grouping.groups[group], direction);
  }

  /** True if a policy isolates the group in that direction in a tier whose default is deny (in some layer). */
  public isolated(group: number, direction: Direction): boolean {
    return this.evaluator(this.modes[0]).isolates(this.universe.grouping.groups[group], direction);
  }

  /**
   * Egress at each source combined with ingress at each destination, per family mode (see
   * `modeRows`), united over the modes, with the exemptions.
   */
  private computeRows(): ConnectionMap[] {
    const universe = this.universe;
    const size = universe.sets.size;
    const affected = this.base ? this.affectedSources(this.base) : undefined;
    const perMode = this.modes.map((mode) => this.modeRows(mode, affected));
    const interned = new Map<string, ConnectionMap>();
    const result: ConnectionMap[] = new Array(size);
    for (let source = 0; source < size; source++) {
      if (affected && !affected[source]) {
        result[source] = (this.base as Connectivity).rowOf(source);
        this.reused++;
        continue;
      }
      let row: ConnectionMap = perMode[0][source];
      for (let m = 1; m < perMode.length; m++) {
        row = unionMaps(row, perMode[m][source]);
      }
      row = this.finishRow(source, row, undefined);
      const key = mapKey(row);
      const known = interned.get(key);
      if (known) {
        result[source] = known;
      } else {
        interned.set(key, row);
        result[source] = row;
      }
    }
    return result;
  }

  /**
   * The exemptions on a row: node-local pairs get every connection (within `reachable`, when the row
   * is about one family), and a lone pod is not in its own row — a class's row to itself is about two
   * different pods of it (a pod's connections to itself are `selfConnections`).
   */
  private finishRow(source: number, row: ConnectionMap, reachable: ClassSet | undefined): ConnectionMap {
    const universe = this.universe;
    let local = this.nodeLocalClasses(source);
    if (local !== undefined && reachable !== undefined) {
      local = local.intersect(reachable);
    }
    let result = row;
    if (local !== undefined && !local.isEmpty()) {
      result = normalizeMap([...withoutClasses(result, local), { classes: local, connections: universe.space.full }]);
    }
    if (source < universe.groupCount && universe.grouping.groups[source].pods.length === 1) {
      result = withoutClasses(result, universe.sets.of([source]));
    }
    return result;
  }

  /**
   * Every source's row in one family mode, without a loop over class pairs: destinations whose
   * ingress is open form one set; an isolated destination's admissions are transposed onto its
   * sources — small sets member by member, nearly-full sets as one default per connection set minus
   * its exceptions, other dense sets as shared sets tested per source. Sources `affected` leaves out
   * get an empty row (their rows are taken from the base).
   */
  private modeRows(mode: FamilyMode, affected: Uint8Array | undefined): ConnectionMap[] {
    const universe = this.universe;
    const space = universe.space;
    const sets = universe.sets;
    const groups = universe.grouping.groups;
    const size = sets.size;
    const evaluator = this.evaluator(mode);
    const hasMode = (group: PodGroup) => (mode === 'any' ? group.families.length > 0 : group.families.includes(mode));
    const openGroups: number[] = [];
    const open = new Uint8Array(universe.groupCount);
    const ingressOf: ConnectionMap[] = new Array(universe.groupCount);
    const admitted: Map<ConnectionSet, number[]>[] = [];
    const defaults = new Map<ConnectionSet, number[]>();
    const exceptions = new Map<number, number[]>();
    const dense = new Map<string, { classes: ClassSet; connections: ConnectionSet; destinations: number[] }>();
    for (const group of groups) {
      if (!hasMode(group)) {
        continue;
      }
      const map = evaluator.evaluate(group, 'ingress');
      ingressOf[group.index] = map;
      if (evaluator.isOpen(map)) {
        openGroups.push(group.index);
        open[group.index] = 1;
        continue;
      }
      for (const entry of map) {
        const admittedSources = entry.classes;
        if (admittedSources.form === 'list') {
          admittedSources.items.forEach((source) => {
            let bySet = admitted[source];
            if (!bySet) {
              bySet = new Map();
              admitted[source] = bySet;
            }
            const list = bySet.get(entry.connections);
            if (list) list.push(group.index);
            else bySet.set(entry.connections, [group.index]);
          });
        } else if (admittedSources.form === 'co') {
          const list = defaults.get(entry.connections);
          if (list) list.push(group.index);
          else defaults.set(entry.connections, [group.index]);
          admittedSources.items.forEach((source) => {
            const excluded = exceptions.get(source);
            if (excluded) excluded.push(group.index);
            else exceptions.set(source, [group.index]);
          });
        } else {
          const key = `${admittedSources.id},${entry.connections.id}`;
          const known = dense.get(key);
          if (known) known.destinations.push(group.index);
          else dense.set(key, { classes: admittedSources, connections: entry.connections, destinations: [group.index] });
        }
      }
    }
    const openSet = sets.of(openGroups).union(universe.allExternal);
    const defaultSets = [...defaults].map(([connections, destinations]) => ({ connections, destinations: sets.of(destinations) }));
    const denseSets = [...dense.values()].map((entry) => ({ ...entry, destinationSet: sets.of(entry.destinations) }));
    const rows: ConnectionMap[] = new Array(size);
    for (let source = 0; source < size; source++) {
      if (affected && !affected[source]) {
        rows[source] = [];
        continue;
      }
      const external = source >= universe.groupCount;
      const families = universe.familiesOf(source);
      // A class reached by a DNS name is a destination only: connections from outside come from an address.
      if ((mode === 'any' ? families.length === 0 : !families.includes(mode)) || universe.isNamed(source)) {
        rows[source] = [];
        continue;
      }
      const egress = external ? this.open : evaluator.evaluate(groups[source], 'egress');
      const reachable = this.reachableFrom(source, mode);
      if (egress.every((out) => out.classes.form === 'list')) {
        // Egress to a few destinations (the usual isolated pod): look each one's ingress up.
        const byConnections = new Map<ConnectionSet, { pods: number[]; external: number[] }>();
        for (const out of egress) {
          for (const destination of out.classes.items) {
            if (!reachable.has(destination)) {
              continue;
            }
            const outside = destination >= universe.groupCount;
            let connections = out.connections;
            if (!outside && !open[destination]) {
              connections = connections.intersect(lookup(ingressOf[destination], source, space.empty));
            }
            if (!connections.isEmpty()) {
              let lists = byConnections.get(connections);
              if (!lists) {
                lists = { pods: [], external: [] };
                byConnections.set(connections, lists);
              }
              (outside ? lists.external : lists.pods).push(destination);
            }
          }
        }
        // Already normalized: one entry per kind of class and connection set (see `normalizeMap`).
        const sorted = [...byConnections].sort(([a], [b]) => a.id - b.id);
        const part = (kind: 'pods' | 'external') => sorted.filter(([, lists]) => lists[kind].length > 0)
          .map(([connections, lists]) => ({ classes: sets.ofDistinct(lists[kind]), connections }));
        rows[source] = [...part('pods'), ...part('external')];
        continue;
      }
      const terms: ConnectionEntry[] = [{ classes: openSet, connections: space.full }];
      const excluded = exceptions.get(source);
      const excludedSet = excluded ? sets.of(excluded) : sets.empty;
      for (const { connections, destinations } of defaultSets) {
        terms.push({ classes: destinations.subtract(excludedSet), connections });
      }
      for (const entry of denseSets) {
        if (entry.classes.has(source)) {
          terms.push({ classes: entry.destinationSet, connections: entry.connections });
        }
      }
      const bySet = admitted[source];
      if (bySet) {
        for (const [connections, destinations] of bySet) {
          terms.push({ classes: sets.of(destinations), connections });
        }
      }
      const entries: ConnectionEntry[] = [];
      for (const out of egress) {
        for (const term of terms) {
          const classes = out.classes.intersect(term.classes);
          if (!classes.isEmpty()) {
            entries.push({ classes, connections: out.connections.intersect(term.connections) });
          }
        }
      }
      rows[source] = restrictMap(normalizeMap(entries), reachable);
    }
    return rows;
  }

  /**
   * The sources whose row may differ from `base`'s: those whose egress differs in some mode, and
   * those some destination admits differently (every other row is equal, see `reuseUnchangedRowsOf`).
   */
  private affectedSources(base: Connectivity): Uint8Array {
    const universe = this.universe;
    const affected = new Uint8Array(universe.sets.size);
    for (const mode of this.modes) {
      for (const group of universe.grouping.groups) {
        if (mapKey(this.egress(group.index, mode)) !== mapKey(base.egress(group.index, mode))) {
          affected[group.index] = 1;
        }
        const now = this.ingress(group.index, mode);
        const was = base.ingress(group.index, mode);
        if (mapKey(now) !== mapKey(was)) {
          for (const entry of [...subtractMaps(now, was), ...subtractMaps(was, now)]) {
            entry.classes.forEach((source) => {
              affected[source] = 1;
            });
          }
        }
      }
    }
    return affected;
  }

  /** The destinations a source can connect to in a mode (a family both ends have; no outside to outside). */
  private reachableFrom(source: number, mode: FamilyMode): ClassSet {
    const universe = this.universe;
    const external = source >= universe.groupCount;
    const families = mode === 'any' ? universe.familiesOf(source) : [mode];
    const key = `${external ? 'x' : 'g'}|${families.join('+')}`;
    let set = this.reachableCache.get(key);
    if (!set) {
      set = universe.reachableFamilies(families);
      set = external ? set.intersect(universe.allGroups) : set;
      this.reachableCache.set(key, set);
    }
    return set;
  }

  /** The classes a group reaches through the node-local exemption (undefined: none). */
  private nodeLocalClasses(source: number): ClassSet | undefined {
    const universe = this.universe;
    if (!universe.grouping.nodeLocal || source >= universe.groupCount) {
      return undefined;
    }
    const node = this.nodeOf(source);
    if (node === undefined) {
      return undefined;
    }
    const hosts = universe.groupsWith(HOST_NETWORK_KEY);
    const key = `${node}|${hosts.has(source)}|${universe.familiesOf(source).join('+')}`;
    let local = this.nodeLocalCache.get(key);
    if (!local) {
      const onNode = universe.groupsWith(node);
      local = (hosts.has(source) ? onNode : onNode.intersect(hosts)).intersect(universe.reachableFamilies(universe.familiesOf(source)));
      this.nodeLocalCache.set(key, local);
    }
    return local;
  }
}
