import { ResolvedEvaluatorOptions } from './evaluator-options';
import { featureCatalog } from './feature-catalog';
import {
  familyKey, HOST_NETWORK_KEY, ipBlockKey, meshKey, mtlsProfileKey, namedPortKey, namedPortName, ON_NODE_KEY, WAYPOINT_KEY,
} from './feature-keys';
import { clusterHasHbone, MeshAuthentication } from './mesh-authentication';
import { PolicyIndex } from './policy-index';
import { ClusterModel, ClusterNamespace, ClusterPod, podIp } from '../cluster/cluster-model';
import { isWaypointPod } from '../cluster/waypoint-binding';
import { cidrContains } from '../ip/cidr';
import { IpAddress, IpFamily } from '../ip/ip-address';
import { IpBlockPeer, PodSelection } from '../ir/analysis-policy';
import { matchesSelector, SelectorExpr, selectorKey } from '../ir/selector';
import { identityMatches } from '../ir/workload-identity';

/** Pods that no policy can tell apart: every flow treats them alike, on every port and protocol. */
export interface PodGroup {
  readonly index: number;
  readonly pods: readonly ClusterPod[];
  /** Sorted feature ids (see `PodGrouping`). */
  readonly features: readonly number[];
  /** The address families the group's pods have (empty: no IP, no network). */
  readonly families: readonly IpFamily[];
}

/**
 * Groups pods by what the policies can observe about them. Two pods are in the same group exactly
 * when they have the same "features":
 *
 * - selected by the same policy subjects (`S:` features, per distinct subject selection);
 * - matched by the same pod peers (`P:`, per distinct peer or subject-peer selection);
 * - inside the same ipBlocks, per address family (`C:`), when ipBlocks can match pod IPs;
 * - the same numbers for every named port a rule uses (`N:<protocol>/<name>=<numbers>`);
 * - the same address families (`F:`): a pod without an address has no network;
 * - host network and node (`H`, `node:`), only when node-local traffic is exempt and matters, or
 *   when a rule names the node-relative entities `host`/`remote-node` (then pods on nodes without
 *   host-network pods share the feature `on-node`: those entities cannot tell them apart).
 *
 * Labels, namespaces or service accounts no policy looks at do not split groups, which is what lets a
 * large estate collapse into few groups. Every decision depends only on these features, so one
 * representative pod per group decides for all of its pods.
 */
export class PodGrouping {
  public readonly groups: readonly PodGroup[];
  /** The pods grouped (every pod of the cluster, or the ones asked for), in cluster order. */
  public readonly pods: readonly ClusterPod[];
  /** Feature keys by id. */
  public readonly featureKeys: readonly string[];
  /** True if some ipBlock matches some pod address, so verdicts depend on the address family. */
  public readonly familySensitive: boolean;
  /** True if some rule names `host` or `remote-node`, whose members depend on the subject's node. */
  public readonly nodeRelative: boolean;
  /** True if node-local exemptions can apply (the option allows them and a node has host-network pods). */
  public readonly nodeLocal: boolean;
  private readonly featureIds = new Map<string, number>();
  private readonly groupByPod = new Map<ClusterPod, number>();

  /**
   * @param pods the pods to group (default: every pod of the cluster); a few pods for one question
   * (`explain`) are grouped without walking the cluster
   */
  constructor(cluster: ClusterModel, indexes: readonly PolicyIndex[], options: ResolvedEvaluatorOptions, pods: readonly ClusterPod[] = cluster.pods) {
    this.pods = pods;
    const features: number[][] = pods.map(() => []);
    const position = new Map<ClusterPod, number>(pods.map((pod, i) => [pod, i]));
    const few = pods.length < cluster.pods.length && pods.length <= 16;
    const catalogs = indexes.map(featureCatalog);
    const namespaceCache = new Map<string, string[]>();
    const seen = new Set<string>();

    if (few) {
      // A few pods: test each against the selections that can name its namespace.
      pods.forEach((pod, i) => {
        const tested = new Set<string>();
        for (const catalog of catalogs) {
          for (const { key, selection } of [...catalog.byNamespace.get(pod.namespace) ?? [], ...catalog.selectorScoped]) {
            if (!tested.has(key)) {
              tested.add(key);
              if (selectionContains(cluster, selection, pod, true)) {
                features[i].push(this.feature(key));
              }
            }
          }
        }
      });
    } else {
      for (const catalog of catalogs) {
        for (const { key, selection } of catalog.selections) {
          if (seen.has(key)) {
            continue;
          }
          seen.add(key);
          for (const pod of podsInScope(cluster, selection, namespaceCache)) {
            const i = position.get(pod);
            if (i !== undefined && selectionContains(cluster, selection, pod, false)) {
              features[i].push(this.feature(key));
            }
          }
        }
      }
    }

    let cidrMatched = false;
    // Pod addresses sorted per family, so an ipBlock finds its pods by binary search, not by
    // testing every pod (an estate has thousands of distinct CIDRs, most outside the pod network).
    const byAddress = FAMILIES.map((family) => pods.flatMap((pod, i) => {
      const ip = podIp(pod, family);
      return ip ? [{ value: ip.value, pod: i }] : [];
    }).sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)));
    const addIpBlock = (peer: IpBlockPeer) => {
      const key = ipBlockKey(peer);
      if (seen.has(key)) {
        return;
      }
      seen.add(key);
      if (!(peer.podAddresses === 'always' || (peer.podAddresses === 'option' && options.ipBlockMatchesPods))) {
        return;
      }
      const family = peer.cidr.family;
      const sorted = byAddress[FAMILIES.indexOf(family)];
      const end = peer.cidr.network + 2n ** BigInt((family === 'IPv4' ? 32 : 128) - peer.cidr.prefix);
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (sorted[mid].value < peer.cidr.network) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      for (let k = lo; k < sorted.length && sorted[k].value < end; k++) {
        const ip = podIp(pods[sorted[k].pod], family) as IpAddress;
        if (!peer.except.some((except) => cidrContains(except, ip))) {
          features[sorted[k].pod].push(this.feature(`${key}:${family}`));
          cidrMatched = true;
        }
      }
    };
    const names = new Set<string>();
    for (const catalog of catalogs) {
      catalog.ipBlocks.forEach(addIpBlock);
      catalog.names.forEach((name) => names.add(name));
    }
    // Named ports: the numbers each pod gives every name a rule uses (a cluster-wide name means the
    // same number whatever the pod, so it is not a feature).
    pods.forEach((pod, i) => {
      const numbers = new Map<string, number[]>();
      for (const port of pod.ports) {
        if (port.name === undefined) {
          continue;
        }
        const name = namedPortName(port.protocol, port.name);
        if (names.has(name)) {
          numbers.set(name, [...numbers.get(name) ?? [], port.port]);
        }
      }
      for (const [name, list] of numbers) {
        features[i].push(this.feature(namedPortKey(name, list)));
      }
      const families = FAMILIES.filter((family) => podIp(pod, family) !== undefined);
      features[i].push(this.feature(familyKey(families)));
    });
    this.familySensitive = cidrMatched;

    // The mesh: enrollment decides mTLS and whether mesh policies are enforced at all; the composed
    // PeerAuthentication modes decide which ports reject plaintext; identities what principals match.
    const auths = indexes.map((index) => MeshAuthentication.of(index));
    if (clusterHasHbone(cluster) || indexes.some((index, k) => index.layers.includes('mesh') || auths[k].present)) {
      const identities = new Map(catalogs.flatMap((catalog) => [...catalog.identities]));
      pods.forEach((pod, i) => {
        features[i].push(this.feature(meshKey(pod)));
        if (isWaypointPod(cluster, pod)) features[i].push(this.feature(WAYPOINT_KEY));
        auths.forEach((auth, k) => {
          if (auth.present && !pod.hostNetwork) features[i].push(this.feature(mtlsProfileKey(k, auth.profile(pod).key)));
        });
        if (!pod.hostNetwork) {
          for (const [key, identity] of identities) {
            if (identityMatches(identity, pod.namespace, pod.serviceAccountName)) features[i].push(this.feature(key));
          }
        }
      });
    }

    this.nodeRelative = catalogs.some((catalog) => catalog.nodeRelative);
    const hostNodes = new Set(cluster.pods.filter((pod) => pod.hostNetwork && pod.nodeName !== undefined).map((pod) => pod.nodeName as string));
    this.nodeLocal = options.nodeLocalTraffic === 'allow' && hostNodes.size > 0;
    if (this.nodeLocal || this.nodeRelative) {
      pods.forEach((pod, i) => {
        if (pod.nodeName !== undefined && hostNodes.has(pod.nodeName)) {
          features[i].push(this.feature(`node:${pod.nodeName}`));
          if (pod.hostNetwork) {
            features[i].push(this.feature(HOST_NETWORK_KEY));
          }
        } else if (pod.nodeName !== undefined && this.nodeRelative) {
          features[i].push(this.feature(ON_NODE_KEY));
        }
      });
    }

    const bySignature = new Map<string, { pods: ClusterPod[]; features: number[] }>();
    const order: string[] = [];
    pods.forEach((pod, i) => {
      const sorted = features[i].sort((a, b) => a - b);
      const signature = sorted.join(',');
      let group = bySignature.get(signature);
      if (!group) {
        group = { pods: [], features: sorted };
        bySignature.set(signature, group);
        order.push(signature);
      }
      group.pods.push(pod);
    });
    this.groups = order.map((signature, index) => {
      const group = bySignature.get(signature) as { pods: ClusterPod[]; features: number[] };
      for (const pod of group.pods) {
        this.groupByPod.set(pod, index);
      }
      const families = FAMILIES.filter((family) => podIp(group.pods[0], family) !== undefined);
      return { index, pods: group.pods, features: group.features, families };
    });
    this.featureKeys = [...this.featureIds.keys()];
  }

  /** The id of a feature key, or undefined if no grouped pod has it. */
  public featureId(key: string): number | undefined {
    return this.featureIds.get(key);
  }

  /** The group of a grouped pod, or undefined. */
  public groupOf(pod: ClusterPod): number | undefined {
    return this.groupByPod.get(pod);
  }

  private feature(key: string): number {
    let id = this.featureIds.get(key);
    if (id === undefined) {
      id = this.featureIds.size;
      this.featureIds.set(key, id);
    }
    return id;
  }
}

const FAMILIES: readonly IpFamily[] = ['IPv4', 'IPv6'];

/** True if the selection contains the pod (host-network pods never; see `selectionMatchesPod`). */
function selectionContains(cluster: ClusterModel, selection: PodSelection, pod: ClusterPod, checkNamespace: boolean): boolean {
  if (pod.hostNetwork) {
    return false;
  }
  if (checkNamespace) {
    const scope = selection.namespaces;
    if (scope.kind === 'names' ? !scope.names.includes(pod.namespace) : !matchesNamespace(cluster, scope.selector, pod.namespace)) {
      return false;
    }
  }
  return matchesSelector(selection.pods, pod.labels)
    && (!selection.serviceAccounts || selection.serviceAccounts.includes(pod.serviceAccountName));
}

function matchesNamespace(cluster: ClusterModel, selector: SelectorExpr, namespace: string): boolean {
  const ns = cluster.namespaces.get(namespace);
  return ns !== undefined && matchesSelector(selector, ns.labels);
}

function podsInScope(cluster: ClusterModel, selection: PodSelection, namespaceCache: Map<string, string[]>): ClusterPod[] {
  let namespaces: readonly string[];
  if (selection.namespaces.kind === 'names') {
    namespaces = [...new Set(selection.namespaces.names)];
  } else {
    const nsSelector = selection.namespaces.selector;
    const key = selectorKey(nsSelector);
    let cached = namespaceCache.get(key);
    if (!cached) {
      cached = candidateNamespaces(cluster, nsSelector).filter((ns) => matchesSelector(nsSelector, ns.labels)).map((ns) => ns.name);
      namespaceCache.set(key, cached);
    }
    namespaces = cached;
  }
  const pods: ClusterPod[] = [];
  for (const name of namespaces) {
    for (const pod of cluster.podsIn(name)) {
      pods.push(pod);
    }
  }
  return pods;
}

const labelIndexes = new WeakMap<ClusterModel, Map<string, ClusterNamespace[]>>();

/**
 * The namespaces a selector can match: when it requires a label to have one of some values (an `in`
 * term, alone or in an `and`), only the namespaces with such a label — found in an index, not by
 * testing every namespace (an estate names thousands of namespaces by `kubernetes.io/metadata.name`).
 */
function candidateNamespaces(cluster: ClusterModel, selector: SelectorExpr): readonly ClusterNamespace[] {
  const required = selector.op === 'in' ? selector : selector.op === 'and' ? selector.terms.find((term) => term.op === 'in') : undefined;
  if (required === undefined || required.op !== 'in') {
    return [...cluster.namespaces.values()];
  }
  let index = labelIndexes.get(cluster);
  if (!index) {
    index = new Map();
    for (const ns of cluster.namespaces.values()) {
      for (const [label, value] of Object.entries(ns.labels)) {
        const key = `${label}=${value}`;
        const list = index.get(key);
        if (list) list.push(ns);
        else index.set(key, [ns]);
      }
    }
    labelIndexes.set(cluster, index);
  }
  return [...new Set(required.values)].flatMap((value) => index!.get(`${required.key}=${value}`) ?? []);
}
