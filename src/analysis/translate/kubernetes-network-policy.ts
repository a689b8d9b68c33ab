import { parseCidr } from '../ip/cidr';
import {
  AnalysisPolicy, DirectionalRules, KUBERNETES_TIER, PeerMatch, PolicyRule, PolicyTier, PortMatch,
} from '../ir/analysis-policy';
import { SELECT_ALL, selectorFromLabelSelector, SelectorExpr } from '../ir/selector';
import {
  LabelSelectorManifest, NetworkPolicyManifest, NetworkPolicyPeerManifest, NetworkPolicyPortManifest,
} from '../parse/kubernetes-network-policy';

/** Where translated NetworkPolicies sit in the evaluation order. */
export interface NetworkPolicyTranslationOptions {
  /**
   * The tier to place the policy in. Engines that merge NetworkPolicies with their own policies put
   * them in their tier (Calico: `default`, order 1000; Cilium: its allow tier).
   * @default KUBERNETES_TIER - a tier of its own with default action deny
   */
  readonly tier?: PolicyTier;
  /** @default - unordered (Kubernetes policies have no order) */
  readonly order?: number;
}

/**
 * Translates a validated NetworkPolicy into the analysis IR, per Kubernetes semantics:
 *
 * - effective `policyTypes`: as written, or — when omitted or empty — Ingress always plus Egress if the
 *   policy has egress rules. A direction outside the effective types is not governed by the policy at all
 *   (its rules are ignored), and every direction inside isolates the selected pods;
 * - every rule is an `allow`; a missing or empty `from`/`to` means every peer, a missing or empty
 *   `ports` every port of every protocol, a `{}` port entry every TCP port;
 * - a peer with only `podSelector` selects in the policy's namespace, only `namespaceSelector` all pods
 *   of matching namespaces, both in one peer the intersection; separate peers are alternatives;
 * - `ipBlock` CIDRs are masked (host bits dropped); whether they match pod IPs is an evaluator option.
 */
export function translateNetworkPolicy(manifest: NetworkPolicyManifest, options: NetworkPolicyTranslationOptions = {}): AnalysisPolicy {
  const spec = manifest.spec;
  const ingressRules = spec.ingress ?? [];
  const egressRules = spec.egress ?? [];
  const declared = spec.policyTypes ?? [];
  const types = declared.length > 0 ? declared : egressRules.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];

  const ingress: DirectionalRules | undefined = types.includes('Ingress')
    ? { isolates: true, rules: ingressRules.map((rule, i) => translateRule(manifest.namespace, `ingress[${i}]`, rule.from, rule.ports)) }
    : undefined;
  const egress: DirectionalRules | undefined = types.includes('Egress')
    ? { isolates: true, rules: egressRules.map((rule, i) => translateRule(manifest.namespace, `egress[${i}]`, rule.to, rule.ports)) }
    : undefined;

  return {
    ref: { kind: 'NetworkPolicy', namespace: manifest.namespace, name: manifest.name },
    ...(manifest.source ? { source: manifest.source } : {}),
    layer: 'network',
    tier: options.tier ?? KUBERNETES_TIER,
    ...(options.order === undefined ? {} : { order: options.order }),
    enforced: true,
    subject: { namespaces: { kind: 'names', names: [manifest.namespace] }, pods: selector(spec.podSelector) },
    ...(ingress ? { ingress } : {}),
    ...(egress ? { egress } : {}),
  };
}

function translateRule(
  namespace: string,
  label: string,
  peers: readonly NetworkPolicyPeerManifest[] | undefined,
  ports: readonly NetworkPolicyPortManifest[] | undefined,
): PolicyRule {
  return {
    label,
    action: 'allow',
    ...(peers && peers.length > 0 ? { peers: peers.map((peer) => translatePeer(namespace, peer)) } : {}),
    ...(ports && ports.length > 0 ? { ports: ports.map(translatePort) } : {}),
  };
}

function translatePeer(namespace: string, peer: NetworkPolicyPeerManifest): PeerMatch {
  if (peer.ipBlock) {
    return {
      kind: 'ipBlock',
      cidr: parseCidr(peer.ipBlock.cidr),
      except: (peer.ipBlock.except ?? []).map(parseCidr),
      podAddresses: 'option',
    };
  }
  const pods = peer.podSelector ? selector(peer.podSelector) : SELECT_ALL;
  return {
    kind: 'pods',
    selection: {
      namespaces: peer.namespaceSelector
        ? { kind: 'selector', selector: selector(peer.namespaceSelector) }
        : { kind: 'names', names: [namespace] },
      pods,
    },
  };
}

function translatePort(port: NetworkPolicyPortManifest): PortMatch {
  return {
    protocol: port.protocol ?? 'TCP',
    ...(port.port === undefined ? {} : { port: port.port }),
    ...(port.endPort === undefined ? {} : { endPort: port.endPort }),
  };
}

function selector(manifest: LabelSelectorManifest): SelectorExpr {
  return selectorFromLabelSelector(manifest.matchLabels, manifest.matchExpressions);
}
