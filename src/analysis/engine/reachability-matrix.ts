import { Connectivity } from './connectivity';
import { PodGroup } from './pod-grouping';
import { ClusterPod, podId } from '../cluster/cluster-model';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { Protocol } from '../ir/analysis-policy';

/**
 * Which pods can open a connection to which, on one port and protocol: a view of the exact
 * `Connectivity` (nothing is computed per port).
 */
export class ReachabilityMatrix {
  /** Every pod, sorted by namespace then name: the order of `allowedPairs`. */
  public readonly pods: readonly ClusterPod[];
  private readonly byId: Map<string, ClusterPod>;

  constructor(private readonly connectivity: Connectivity, public readonly port: number, public readonly protocol: Protocol) {
    connectivity.universe.space.atomAt(port, protocol); // validates both
    this.pods = connectivity.universe.grouping.pods;
    this.byId = new Map(this.pods.map((pod) => [podId(pod), pod]));
  }

  /** The pod groups the connectivity was computed for. */
  public get groups(): readonly PodGroup[] {
    return this.connectivity.universe.grouping.groups;
  }

  /** True if the source pod can connect to the destination pod (`ns/name` or the pod itself). */
  public isAllowed(source: ClusterPod | string, destination: ClusterPod | string): boolean {
    const from = this.podOf(source);
    const to = this.podOf(destination);
    return this.connectivity.connections({ kind: 'pod', namespace: from.namespace, name: from.name }, { kind: 'pod', namespace: to.namespace, name: to.name })
      .contains(this.port, this.protocol);
  }

  /** Calls `visit` for every allowed (source, destination) pair, self pairs included, in pod order. */
  public forEachAllowedPair(visit: (source: ClusterPod, destination: ClusterPod) => void): void {
    this.connectivity.forEachAllowedPair(this.port, this.protocol, visit);
  }

  /** Every allowed pair as `["<ns>/<pod>", "<ns>/<pod>"]`, sources then destinations in pod order. */
  public allowedPairs(): [string, string][] {
    return this.connectivity.allowedPairs(this.port, this.protocol);
  }

  /** Number of allowed pairs, computed from group sizes without listing them. */
  public allowedPairCount(): number {
    return this.connectivity.allowedPairCount(this.port, this.protocol);
  }

  private podOf(pod: ClusterPod | string): ClusterPod {
    const id = typeof pod === 'string' ? pod : podId(pod);
    const found = this.byId.get(id);
    if (found === undefined) {
      throw new AnalysisInputError(`unknown pod ${id}; the matrix covers the pods of its cluster model`);
    }
    return found;
  }
}
