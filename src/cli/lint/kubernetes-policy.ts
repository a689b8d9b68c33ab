import {
  describeSelector, LabelSelectorManifest, NetworkPolicyManifest, NetworkPolicyPeerManifest, NetworkPolicyPortManifest, selectorFromLabelSelector,
} from '../../analysis';

/** One direction of a NetworkPolicy: its rules, the peer field name and the path of its list. */
export interface NetworkPolicyDirection {
  readonly direction: 'ingress' | 'egress';
  readonly type: 'Ingress' | 'Egress';
  readonly peerField: 'from' | 'to';
  /** Whether the direction is in the effective policyTypes (its rules apply and its pods are isolated). */
  readonly effective: boolean;
  readonly rules: readonly { readonly peers: readonly NetworkPolicyPeerManifest[]; readonly ports: readonly NetworkPolicyPortManifest[] }[];
}

/** `policyTypes` as the API server defaults it: as written, or Ingress plus Egress when there are egress rules. */
export function effectivePolicyTypes(policy: NetworkPolicyManifest): readonly ('Ingress' | 'Egress')[] {
  const declared = policy.spec.policyTypes ?? [];
  if (declared.length > 0) {
    return declared;
  }
  return (policy.spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** Both directions of a policy, ingress first. */
export function policyDirections(policy: NetworkPolicyManifest): NetworkPolicyDirection[] {
  const types = effectivePolicyTypes(policy);
  return [
    {
      direction: 'ingress',
      type: 'Ingress',
      peerField: 'from',
      effective: types.includes('Ingress'),
      rules: (policy.spec.ingress ?? []).map((rule) => ({ peers: rule.from ?? [], ports: rule.ports ?? [] })),
    },
    {
      direction: 'egress',
      type: 'Egress',
      peerField: 'to',
      effective: types.includes('Egress'),
      rules: (policy.spec.egress ?? []).map((rule) => ({ peers: rule.to ?? [], ports: rule.ports ?? [] })),
    },
  ];
}

/** `{app=web}`, `{}` for the empty selector. */
export function describeLabelSelector(selector: LabelSelectorManifest): string {
  const expr = selectorFromLabelSelector(selector.matchLabels, selector.matchExpressions);
  return expr.op === 'all' ? '{}' : `{${describeSelector(expr)}}`;
}

/** `8080/TCP, 53/UDP, 8000-9000/TCP, all TCP ports`, or `every port` for an empty list. */
export function describePorts(ports: readonly NetworkPolicyPortManifest[]): string {
  if (ports.length === 0) {
    return 'every port';
  }
  return ports.map((port) => {
    const protocol = port.protocol ?? 'TCP';
    if (port.port === undefined) {
      return `all ${protocol} ports`;
    }
    return port.endPort === undefined ? `${port.port}/${protocol}` : `${port.port}-${port.endPort}/${protocol}`;
  }).join(', ');
}
