import { ResolvedEvaluatorOptions } from './evaluator-options';
import { PolicyIndex, selectionKey } from './policy-index';
import { ClusterModel, ClusterPod, podIp } from '../cluster/cluster-model';
import { cidrContains } from '../ip/cidr';
import { IpFamily } from '../ip/ip-address';
import { IpBlockPeer, PodSelection, PolicyRule, Protocol } from '../ir/analysis-policy';
import { matchesSelector, selectorKey } from '../ir/selector';

/** Pods that no policy can tell apart for one port and protocol: every flow treats them alike. */
export interface PodGroup {
  readonly index: number;
  readonly pods: readonly ClusterPod[];
  /** Sorted feature ids (see `PodGrouping`). */
  readonly features: readonly number[];
}

/**
 * Groups pods by what the policies can observe about them, for one port and protocol. Two pods are in
 * the same group exactly when they have the same "features":
 *
 * - selected by the same policy subjects (`S:` features, per distinct subject selection);
 * - matched by the same pod peers (`P:`, per distinct peer selection — namespace, labels, service account);
 * - inside the same ipBlocks, per address family (`C:`), when ipBlocks can match pod IPs;
 * - the same named ports resolving to this port (`N:`);
 * - the same IP families (`F:`), only when some ipBlock matches some pod;
 * - host network and node (`H`, `node:`), only when node-local traffic is exempt and matters, or
 *   when a rule names the node-relative entities `host`/`remote-node` (then pods on nodes without
 *   host-network pods share the feature `on-node`: those entities cannot tell them apart).
 *
 * Labels, namespaces or service accounts no policy looks at do not split groups, which is what lets a
 * large estate collapse into few groups. Every flow decision depends only on these features, so
 * evaluating one representative pair per group pair gives every pod pair's answer.
 */
export class PodGrouping {
  public readonly groups: readonly PodGroup[];
  /** Group index of each pod, by position in `cluster.pods`. */
  public readonly groupOf: Int32Array;
  /** Feature keys by id. */
  public readonly featureKeys: readonly string[];
  /** True if some ipBlock matches some pod address, so verdicts depend on the address family. */
  public readonly familySensitive: boolean;
  /** True if some rule names `host` or `remote-node`, whose members depend on the subject's node. */
  public readonly nodeRelative: boolean;
  private readonly featureIds = new Map<string, number>();

  constructor(cluster: ClusterModel, index: PolicyIndex, options: ResolvedEvaluatorOptions, port: number, protocol: Protocol) {
    const pods = cluster.pods;
    const features: number[][] = pods.map(() => []);
    const position = new Map<ClusterPod, number>(pods.map((pod, i) => [pod, i]));
    const namespaceCache = new Map<string, string[]>();
    const seenSelections = new Set<string>();

    const addSelection = (prefix: 'S' | 'P', selection: PodSelection) => {
      const key = `${prefix}:${selectionKey(selection)}`;
      if (seenSelections.has(key)) {
        return;
      }
      seenSelections.add(key);
      const id = this.feature(key);
      for (const pod of podsInScope(cluster, selection, namespaceCache)) {
        if (!pod.hostNetwork && matchesSelector(selection.pods, pod.labels)
          && (!selection.serviceAccounts || selection.serviceAccounts.includes(pod.serviceAccountName))) {
          features[position.get(pod) as number].push(id);
        }
      }
    };

    let cidrMatched = false;
    for (const part of index.parts) {
      addSelection('S', part.policy.subject);
      for (const rule of part.rules) {
        for (const peer of [...rule.peers ?? [], ...rule.notPeers ?? []]) {
          if (peer.kind === 'pods') {
            addSelection('P', peer.selection);
          } else if (peer.kind === 'ipBlock') {
            const key = ipBlockKey(peer);
            if (seenSelections.has(key)) {
              continue;
            }
            seenSelections.add(key);
            const matchesPods = peer.podAddresses === 'always' || (peer.podAddresses === 'option' && options.ipBlockMatchesPods);
            if (!matchesPods) {
              continue;
            }
            pods.forEach((pod, i) => {
              for (const family of FAMILIES) {
                const ip = podIp(pod, family);
                if (ip && cidrContains(peer.cidr, ip) && !peer.except.some((except) => cidrContains(except, ip))) {
                  features[i].push(this.feature(`${key}:${family}`));
                  cidrMatched = true;
                }
              }
            });
          }
        }
        for (const portMatch of rule.ports ?? []) {
          if (typeof portMatch.port !== 'string' || (portMatch.protocol !== 'ANY' && portMatch.protocol !== protocol)
            || portMatch.namedPortResolution === 'cluster') {
            continue; // a cluster-wide name means the same number whatever the destination
          }
          const key = namedPortKey(portMatch.port);
          if (seenSelections.has(key)) {
            continue;
          }
          seenSelections.add(key);
          const id = this.feature(key);
          const name = portMatch.port;
          pods.forEach((pod, i) => {
            if (pod.ports.some((candidate) => candidate.name === name && candidate.protocol === protocol && candidate.port === port)) {
              features[i].push(id);
            }
          });
        }
      }
    }

    this.familySensitive = cidrMatched;
    if (cidrMatched) {
      pods.forEach((pod, i) => {
        for (const family of FAMILIES) {
          if (podIp(pod, family)) {
            features[i].push(this.feature(familyKey(family)));
          }
        }
      });
    }

    this.nodeRelative = index.parts.some((part) => part.rules.some(isNodeRelative));
    if (options.nodeLocalTraffic === 'allow' || this.nodeRelative) {
      const hostNodes = new Set(pods.filter((pod) => pod.hostNetwork && pod.nodeName !== undefined).map((pod) => pod.nodeName as string));
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
    this.groupOf = new Int32Array(pods.length);
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
    this.groups = order.map((signature, i) => {
      const group = bySignature.get(signature) as { pods: ClusterPod[]; features: number[] };
      for (const pod of group.pods) {
        this.groupOf[position.get(pod) as number] = i;
      }
      return { index: i, pods: group.pods, features: group.features };
    });
    this.featureKeys = [...this.featureIds.keys()];
  }

  /** The id of a feature key, or undefined if no pod could have it. */
  public featureId(key: string): number | undefined {
    return this.featureIds.get(key);
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

/** Feature of host-network pods. */
export const HOST_NETWORK_KEY = 'H';

/** Feature of pods on a node that runs no host-network pod (only tracked for node-relative entities). */
export const ON_NODE_KEY = 'on-node';

/** True if the rule names an entity whose members depend on the subject pod's node. */
export function isNodeRelative(rule: PolicyRule): boolean {
  return [...rule.peers ?? [], ...rule.notPeers ?? []].some((peer) => peer.kind === 'entity' && (peer.entity === 'host' || peer.entity === 'remote-node'));
}

/** Feature key of a pod selection used as a subject (`S`) or as a peer (`P`). */
export function selectionFeatureKey(prefix: 'S' | 'P', selection: PodSelection): string {
  return `${prefix}:${selectionKey(selection)}`;
}

/** Feature key prefix of an ipBlock (append `:<family>`). */
export function ipBlockKey(peer: IpBlockPeer): string {
  return `C:${peer.cidr.text}|${[...peer.except.map((except) => except.text)].sort().join(',')}|${peer.podAddresses}`;
}

/** Feature key of a named port resolving to the matrix port. */
export function namedPortKey(name: string): string {
  return `N:${name}`;
}

/** Feature key of having an address of a family. */
export function familyKey(family: IpFamily): string {
  return `F:${family}`;
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
      cached = [...cluster.namespaces.values()].filter((ns) => matchesSelector(nsSelector, ns.labels)).map((ns) => ns.name);
      namespaceCache.set(key, cached);
    }
    namespaces = cached;
  }
  return namespaces.flatMap((name) => [...cluster.podsIn(name)]);
}
