import { ClassSet, ClassSetTable } from './class-set';
import { PortRange } from './connection-set';
import { ConnectionSpace } from './connection-space';
import { DnsNameClass, DnsNameClasses } from './dns-name-classes';
import { ResolvedEvaluatorOptions } from './evaluator-options';
import { ExternalAddressClasses, ExternalClass } from './external-classes';
import { featureCatalog } from './feature-catalog';
import { clusterHasHbone, MeshAuthentication } from './mesh-authentication';
import { PodGroup, PodGrouping } from './pod-grouping';
import { PolicyIndex } from './policy-index';
import { checkHttpConditions } from './request-classes';
import { HBONE_PORT } from '../../dialects/istio/options';
import { ClusterModel, ClusterPod } from '../cluster/cluster-model';
import { Cidr } from '../ip/cidr';
import { IpAddress, IpFamily } from '../ip/ip-address';
import { DnsNamePeer, IpBlockPeer } from '../ir/analysis-policy';

/**
 * An endpoint class: a group of pods, or a class of external addresses — reached without a DNS name
 * the input's patterns match, or (`name`) by a name of a DNS-name class (a destination only).
 */
export type EndpointClass =
  | { readonly kind: 'pods'; readonly index: number; readonly group: PodGroup }
  | { readonly kind: 'external'; readonly index: number; readonly external: ExternalClass; readonly name?: DnsNameClass };

/** What a universe is built for, besides the policy sets. */
export interface UniverseScope {
  /** Only these pods are grouped (a question about a few endpoints); default every pod. */
  readonly pods?: readonly ClusterPod[];
  /** Port ranges the atoms must keep whole, so a question about them is a set of atoms (`--port`). */
  readonly ports?: readonly PortRange[];
}

/**
 * What results are sets over: the endpoint classes (pod groups, then external address classes,
 * numbered 0..size-1) and the connection atoms. Built from one or more policy sets over one cluster:
 * `diff` builds one universe from both sides, so that the two results compare class by class and
 * atom by atom.
 */
export class AnalysisUniverse {
  /** The connection atoms of policy sets over a cluster (see `ConnectionSpace`). */
  public static spaceOf(cluster: ClusterModel, indexes: readonly PolicyIndex[], ports?: readonly PortRange[]): ConnectionSpace {
    // An HTTP condition the request classes cannot be derived from is an error naming its rule.
    for (const part of indexes.flatMap((index) => index.parts)) {
      part.rules.forEach((rule, i) => rule.http && checkHttpConditions(rule.http, part.ruleRefs[i]));
    }
    // PeerAuthentication's portLevelMtls ports decide mTLS per TCP port: atoms keep them whole.
    const mtlsPorts: PortRange[] = indexes.flatMap((index) => MeshAuthentication.of(index).ports.map((port) => ({ protocol: 'TCP' as const, from: port, to: port })));
    // A pod that accepts HBONE makes the CNI see TCP 15008 for meshed clients: the atoms keep it whole.
    const hbone: PortRange[] = clusterHasHbone(cluster) ? [{ protocol: 'TCP', from: HBONE_PORT, to: HBONE_PORT }] : [];
    const rules = indexes.flatMap((index) => index.parts.flatMap((part) => part.rules));
    return ConnectionSpace.forRules(cluster, rules, [...ports ?? [], ...mtlsPorts, ...hbone]);
  }

  /** The DNS-name classes of policy sets (see `DnsNameClasses`). */
  public static namesOf(indexes: readonly PolicyIndex[]): DnsNameClasses {
    return DnsNameClasses.derive(indexes.flatMap((index) => featureCatalog(index).dnsNames.map((peer) => peer.pattern)));
  }

  /** The external address classes of policy sets over a cluster (see `ExternalAddressClasses`). */
  public static externalOf(cluster: ClusterModel, indexes: readonly PolicyIndex[]): ExternalAddressClasses {
    const cidrs: Cidr[] = [];
    for (const index of indexes) {
      for (const peer of featureCatalog(index).ipBlocks) {
        cidrs.push(peer.cidr, ...peer.except);
      }
    }
    return ExternalAddressClasses.build(cidrs, cluster.pods.flatMap((pod) => pod.ips));
  }

  public readonly grouping: PodGrouping;
  public readonly space: ConnectionSpace;
  public readonly external: ExternalAddressClasses;
  /**
   * The DNS-name classes. External class `i` (index `groupCount + i`) is address class
   * `i % addressCount` reached by a name of name class `floor(i / addressCount)`, 0 = without a name
   * any pattern matches; so without patterns the external classes are the address classes.
   */
  public readonly names: DnsNameClasses;
  /** Number of external address classes. */
  public readonly addressCount: number;
  /** Sets of endpoint classes. */
  public readonly sets: ClassSetTable;
  /** Number of pod groups; external class `i` has index `groupCount + i`. */
  public readonly groupCount: number;
  /** Every pod group. */
  public readonly allGroups: ClassSet;
  /** Every external class (the entity `world`). */
  public readonly allExternal: ClassSet;
  private readonly featureSets = new Map<string, ClassSet>();
  private readonly familySets = new Map<string, ClassSet>();
  private readonly blockSets = new Map<string, ClassSet>();
  private byFeature: number[][] | undefined;

  /**
   * @param indexes the policy sets the results will be computed for (their rules fix the atoms,
   * the address classes and the groups)
   * @param scope narrower questions: a few pods, port ranges to keep whole in the atoms
   */
  constructor(
    public readonly cluster: ClusterModel,
    public readonly indexes: readonly PolicyIndex[],
    public readonly options: ResolvedEvaluatorOptions,
    scope: UniverseScope = {},
    /** @internal parts that do not depend on the scope's pods, shared by universes of the same policy sets */
    shared: { readonly space?: ConnectionSpace; readonly external?: ExternalAddressClasses; readonly names?: DnsNameClasses } = {},
  ) {
    this.grouping = new PodGrouping(cluster, indexes, options, scope.pods);
    this.space = shared.space && !scope.ports?.length ? shared.space : AnalysisUniverse.spaceOf(cluster, indexes, scope.ports);
    this.external = shared.external ?? AnalysisUniverse.externalOf(cluster, indexes);
    this.names = shared.names ?? AnalysisUniverse.namesOf(indexes);
    this.groupCount = this.grouping.groups.length;
    this.addressCount = this.external.classes.length;
    this.sets = new ClassSetTable(this.groupCount + this.addressCount * (1 + this.names.classes.length), this.groupCount);
    this.allGroups = this.sets.lower;
    this.allExternal = this.sets.upper;
  }

  /** The endpoint class of an index. */
  public classAt(index: number): EndpointClass {
    if (index < this.groupCount) {
      return { kind: 'pods', index, group: this.grouping.groups[index] };
    }
    const offset = index - this.groupCount;
    const name = Math.floor(offset / this.addressCount);
    const external = this.external.classes[offset % this.addressCount];
    return name === 0 ? { kind: 'external', index, external } : { kind: 'external', index, external, name: this.names.classes[name - 1] };
  }

  /** True for a class of addresses reached by a DNS name: a destination only (a flow comes from an address, not a name). */
  public isNamed(index: number): boolean {
    return index >= this.groupCount + this.addressCount;
  }

  /** The class of a grouped pod. */
  public classOfPod(pod: ClusterPod): number | undefined {
    return this.grouping.groupOf(pod);
  }

  /**
   * The class of an address outside the cluster model (undefined for a pod address), reached by the
   * DNS name `dnsName` (canonical) when given.
   */
  public classOfAddress(ip: IpAddress, dnsName?: string): number | undefined {
    const external = this.external.classOf(ip);
    const name = dnsName === undefined ? 0 : this.names.classOf(dnsName);
    return external === undefined ? undefined : this.groupCount + name * this.addressCount + external;
  }

  /** The pod groups having a feature (see `PodGrouping`). */
  public groupsWith(key: string): ClassSet {
    let set = this.featureSets.get(key);
    if (!set) {
      const id = this.grouping.featureId(key);
      set = id === undefined ? this.sets.empty : this.sets.ofDistinct(this.groupsByFeature()[id]);
      this.featureSets.set(key, set);
    }
    return set;
  }

  private groupsByFeature(): number[][] {
    if (!this.byFeature) {
      const lists: number[][] = this.grouping.featureKeys.map(() => []);
      for (const group of this.grouping.groups) {
        for (const feature of group.features) {
          lists[feature].push(group.index);
        }
      }
      this.byFeature = lists;
    }
    return this.byFeature;
  }

  /** The external classes an ipBlock contains (pods are matched through `C:` features). */
  public externalIn(peer: IpBlockPeer): ClassSet {
    const key = `${peer.cidr.text}|${peer.except.map((cidr) => cidr.text).join(',')}`;
    let set = this.blockSets.get(key);
    if (!set) {
      set = this.sets.empty;
      for (const [start, end] of this.external.rangesWithin(peer.cidr, peer.except)) {
        for (let name = 0; name <= this.names.classes.length; name++) {
          const base = this.groupCount + name * this.addressCount;
          set = set.union(this.sets.range(base + start, base + end));
        }
      }
      this.blockSets.set(key, set);
    }
    return set;
  }

  /** The external classes reached by a name the peer's pattern matches (every address class). */
  public namedIn(peer: DnsNamePeer): ClassSet {
    const key = `dns|${peer.pattern.regex}`;
    let set = this.blockSets.get(key);
    if (!set) {
      set = this.sets.empty;
      for (const name of this.names.classesMatching(peer.pattern)) {
        const base = this.groupCount + name * this.addressCount;
        set = set.union(this.sets.range(base, base + this.addressCount));
      }
      this.blockSets.set(key, set);
    }
    return set;
  }

  /**
   * The classes a source of these families can connect to: pod groups sharing a family with it and
   * external classes of its families (a connection needs an address family both ends have).
   */
  public reachableFamilies(families: readonly IpFamily[]): ClassSet {
    const key = families.join('+');
    let set = this.familySets.get(key);
    if (!set) {
      const groups = this.grouping.groups.filter((group) => group.families.some((family) => families.includes(family))).map((group) => group.index);
      set = this.sets.of(groups);
      for (const family of families) {
        const [start, end] = this.external.familyRange(family);
        for (let name = 0; name <= this.names.classes.length; name++) {
          const base = this.groupCount + name * this.addressCount;
          set = set.union(this.sets.range(base + start, base + end));
        }
      }
      this.familySets.set(key, set);
    }
    return set;
  }

  /** The families of a class: a group's, or the one of an external class. */
  public familiesOf(index: number): readonly IpFamily[] {
    return index < this.groupCount ? this.grouping.groups[index].families
      : [this.external.classes[(index - this.groupCount) % this.addressCount].family];
  }
}
