import { selectionKey } from './policy-index';
import { ClusterPod } from '../cluster/cluster-model';
import { IpFamily } from '../ip/ip-address';
import { IdentityCondition, IpBlockPeer, PodSelection, PolicyRule, Protocol } from '../ir/analysis-policy';

// The keys of the features pods are grouped by (see `PodGrouping`).

/** Feature of host-network pods. */
export const HOST_NETWORK_KEY = 'H';

/** Feature of pods on a node that runs no host-network pod (only tracked for node-relative entities). */
export const ON_NODE_KEY = 'on-node';

/** True if the rule names an entity whose members depend on the subject pod's node. */
export function isNodeRelative(rule: PolicyRule): boolean {
  return [...rule.peers ?? [], ...rule.subjectPeers ?? [], ...rule.notPeers ?? [], ...rule.notSubjectPeers ?? []]
    .some((peer) => peer.kind === 'entity' && (peer.entity === 'host' || peer.entity === 'remote-node'));
}

/** Feature key of a pod selection used as a subject (`S`) or as a peer (`P`). */
export function selectionFeatureKey(prefix: 'S' | 'P', selection: PodSelection): string {
  return `${prefix}:${selectionKey(selection)}`;
}

/** Feature key prefix of an ipBlock (append `:<family>`). */
export function ipBlockKey(peer: IpBlockPeer): string {
  return `C:${peer.cidr.text}|${[...peer.except.map((except) => except.text)].sort().join(',')}|${peer.podAddresses}`;
}

/** `<protocol>/<name>`: a named port of one protocol. */
export function namedPortName(protocol: Protocol, name: string): string {
  return `${protocol}/${name}`;
}

/** Feature key of the numbers a named port resolves to on a pod. */
export function namedPortKey(name: string, numbers: readonly number[]): string {
  return `N:${name}=${[...new Set(numbers)].sort((a, b) => a - b).join(',')}`;
}

/** The numbers of a named-port feature key, or undefined if the key is not one of `name`. */
export function namedPortNumbersOf(key: string, name: string): number[] | undefined {
  const prefix = `N:${name}=`;
  return key.startsWith(prefix) ? key.slice(prefix.length).split(',').map(Number) : undefined;
}

/** Feature key of having exactly these address families. */
export function familyKey(families: readonly IpFamily[]): string {
  return `F:${families.join('+')}`;
}


/**
 * Feature key of a pod's place in the mesh (`M:sidecar`, `M:sidecar+hbone`, `M:ambient`, `M:none`,
 * or `M:unknown` when the cluster model does not say).
 */
export function meshKey(pod: ClusterPod): string {
  return `M:${pod.mesh === undefined ? 'unknown' : pod.mesh.enrollment}${pod.mesh?.hbone ? '+hbone' : ''}`;
}

/**
 * Feature of the pods of a waypoint (`cluster/waypoint-binding.ts` `isWaypointPod`): istiod never
 * attaches a selector policy to them (`pilot/pkg/model/policyattachment.go` `ShouldAttachPolicy`).
 */
export const WAYPOINT_KEY = 'W:waypoint';

/** Feature key of a composed PeerAuthentication profile of the policy set numbered `index`. */
export function mtlsProfileKey(index: number, profile: string): string {
  return `A:${index}:${profile}`;
}

/** Feature key of the pods whose identity satisfies an identity condition. */
export function identityKey(identity: IdentityCondition): string {
  return `I:${identity.trustDomain}|${JSON.stringify(identity.all)}`;
}
