import { canonicalJson } from './manifest-fields';
import {
  ClusterModel, ClusterPod, LabelSelectorManifest, matchesSelector, NetworkPolicyApiManifest, NetworkPolicyApiPeer, NetworkPolicyApiPort,
  NetworkPolicyApiRule, networkContains, selectorFromLabelSelector,
} from '../../analysis';

/** One rule of a network-policy-api policy, with where it is. */
export interface NetworkPolicyApiRuleAt {
  readonly direction: 'ingress' | 'egress';
  readonly index: number;
  readonly path: string;
  readonly rule: NetworkPolicyApiRule;
}

/** Every rule of a policy, ingress first, in the order written. */
export function rulesOf(policy: NetworkPolicyApiManifest): NetworkPolicyApiRuleAt[] {
  return (['ingress', 'egress'] as const).flatMap((direction) => policy[direction].map((rule, index) => ({
    direction, index, path: `spec.${direction}[${index}]`, rule,
  })));
}

/** `rule "name"` or `rule ingress[0]`, for messages. */
export function describeRule(r: NetworkPolicyApiRuleAt): string {
  return r.rule.name ? `rule "${r.rule.name}" (${r.direction}[${r.index}])` : `rule ${r.direction}[${r.index}]`;
}

function isEverything(s: LabelSelectorManifest): boolean {
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

function sameSelector(a: LabelSelectorManifest, b: LabelSelectorManifest): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** True if every pod `later`'s subject selects is selected by `earlier`'s (decided on the selectors as written). */
export function subjectCovers(earlier: NetworkPolicyApiManifest['subject'], later: NetworkPolicyApiManifest['subject']): boolean {
  if (earlier.kind === 'namespaces' && isEverything(earlier.namespaces)) return true;
  if (earlier.kind === 'namespaces') {
    return sameSelector(earlier.namespaces, later.kind === 'namespaces' ? later.namespaces : later.namespaceSelector);
  }
  return later.kind === 'pods' && sameSelector(earlier.namespaceSelector, later.namespaceSelector)
    && (isEverything(earlier.podSelector) || sameSelector(earlier.podSelector, later.podSelector));
}

/** True if `earlier` matches every endpoint `later` matches. */
function peerCovers(earlier: NetworkPolicyApiPeer, later: NetworkPolicyApiPeer): boolean {
  switch (earlier.kind) {
    case 'namespaces':
      if (later.kind === 'namespaces') return isEverything(earlier.namespaces) || sameSelector(earlier.namespaces, later.namespaces);
      return later.kind === 'pods' && (isEverything(earlier.namespaces) || sameSelector(earlier.namespaces, later.namespaceSelector));
    case 'pods':
      return later.kind === 'pods' && sameSelector(earlier.namespaceSelector, later.namespaceSelector)
        && (isEverything(earlier.podSelector) || sameSelector(earlier.podSelector, later.podSelector));
    case 'networks':
      return later.kind === 'networks' && later.networks.every((n) => earlier.networks.some((e) => networkContains(e, n)));
    case 'nodes':
      return later.kind === 'nodes' && (isEverything(earlier.nodes) || sameSelector(earlier.nodes, later.nodes));
    case 'domainNames':
      return later.kind === 'domainNames' && later.domainNames.every((d) => earlier.domainNames.includes(d));
  }
}

function portCovers(earlier: NetworkPolicyApiPort, later: NetworkPolicyApiPort): boolean {
  if (earlier.kind === 'named' || later.kind === 'named') return earlier.kind === 'named' && later.kind === 'named' && earlier.name === later.name;
  if (earlier.protocol !== later.protocol) return false;
  const [e0, e1] = [earlier.port ?? 1, earlier.endPort ?? earlier.port ?? 65535];
  const [l0, l1] = [later.port ?? 1, later.endPort ?? later.port ?? 65535];
  return e0 <= l0 && l1 <= e1;
}

/** True if `earlier` (same direction) matches every connection `later` matches, for the same subject. */
export function ruleCovers(earlier: NetworkPolicyApiRule, later: NetworkPolicyApiRule): boolean {
  const peers = later.peers.every((l) => earlier.peers.some((e) => peerCovers(e, l)));
  const ports = earlier.ports === undefined || (later.ports !== undefined && later.ports.every((l) => earlier.ports!.some((e) => portCovers(e, l))));
  return peers && ports;
}

/** The pods of the cluster model a subject selects (host-network pods never are). */
export function subjectPods(cluster: ClusterModel, subject: NetworkPolicyApiManifest['subject']): ClusterPod[] {
  const namespaces = selectorFromLabelSelector(...labels(subject.kind === 'namespaces' ? subject.namespaces : subject.namespaceSelector));
  const pods = subject.kind === 'pods' ? selectorFromLabelSelector(...labels(subject.podSelector)) : undefined;
  return cluster.pods.filter((pod) => {
    const ns = cluster.namespaces.get(pod.namespace);
    return !pod.hostNetwork && ns !== undefined && matchesSelector(namespaces, ns.labels) && (!pods || matchesSelector(pods, pod.labels));
  });
}

function labels(s: LabelSelectorManifest): Parameters<typeof selectorFromLabelSelector> {
  return [s.matchLabels, s.matchExpressions];
}

/** `ClusterNetworkPolicy x` and where it stands, e.g. `(Admin tier, priority 10)`. */
export function describeStanding(policy: NetworkPolicyApiManifest): string {
  return `${policy.tier} tier${policy.priority === undefined ? '' : `, priority ${policy.priority}`}`;
}
