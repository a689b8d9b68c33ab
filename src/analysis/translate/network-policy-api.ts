import { calicoRuleSelector, NetworkSetContext, NetworkSetNeedsNamespace, networkSetsMatching, NO_NETWORK_SETS } from './calico-network-sets';
import { CalicoPolicyNeedsCluster } from './calico-policy';
import { CalicoSelectorNode } from '../../dialects/calico/selector-ast';
import { parseCidr } from '../ip/cidr';
import {
  AnalysisPolicy, DirectionalRules, PeerMatch, PodSelection, PolicyRule, PortMatch, RuleAction,
} from '../ir/analysis-policy';
import { ADMIN_TIER, BASELINE_TIER } from '../ir/network-policy-api-tiers';
import { SELECT_ALL, selectorFromLabelSelector, SelectorExpr } from '../ir/selector';
import { LabelSelectorManifest } from '../parse/kubernetes-network-policy';
import {
  NetworkPolicyApiAction, NetworkPolicyApiManifest, NetworkPolicyApiPeer, NetworkPolicyApiPort, NetworkPolicyApiRule,
} from '../parse/network-policy-api';

/** A field the analysis cannot decide, with where it is; the reader turns it into a ManifestError. */
export class UndecidableNetworkPolicyApiPeer extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(problem);
    this.name = 'UndecidableNetworkPolicyApiPeer';
  }
}

const ACTIONS: Record<NetworkPolicyApiAction, RuleAction> = { Accept: 'allow', Deny: 'deny', Pass: 'pass' };

/**
 * Translates a validated ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy into
 * the analysis IR, per network-policy-api (apis/v1alpha2/clusternetworkpolicy_types.go, apis/v1alpha1):
 *
 * - the Admin tier (`tier: Admin`, AdminNetworkPolicy) before NetworkPolicies, the Baseline tier
 *   (`tier: Baseline`, BaselineAdminNetworkPolicy) after them; inside a tier by ascending priority
 *   (`order`), rules top-down; Accept (v1alpha1 Allow) and Deny decide, Pass skips the rest of the
 *   tier, no match goes on to the next tier;
 * - nothing is isolated: the rules "should be read as-is" (site-src/api-overview.md), and a
 *   direction without rules is not touched;
 * - subjects and peers select pods by namespace labels AND pod labels (host-network pods are never
 *   selected); `networks` match every address in the block, pod and node addresses included ("cluster-
 *   internal traffic will be checked against the rule as well");
 * - ports: none = every port of every protocol; a number or an inclusive range of one protocol; a
 *   named port matches the destination pod's container port of that name, whatever its protocol.
 *
 * `nodes` peers (node labels) and `domainNames` peers (DNS answers) depend on objects the cluster model
 * does not have, so they are refused rather than guessed.
 *
 * @throws UndecidableNetworkPolicyApiPeer for a `nodes` or `domainNames` peer
 */
export function translateNetworkPolicyApi(m: NetworkPolicyApiManifest, networkSets: NetworkSetContext = NO_NETWORK_SETS): AnalysisPolicy {
  const tier = m.tier === 'Admin' ? ADMIN_TIER : BASELINE_TIER;
  const where = `${m.tier} tier${m.priority === undefined ? '' : `, priority ${m.priority}`}`;
  const directional = (direction: 'ingress' | 'egress', rules: readonly NetworkPolicyApiRule[]): DirectionalRules | undefined => (rules.length === 0
    ? undefined
    : { isolates: false, rules: rules.map((r, i) => translateRule(r, `spec.${direction}[${i}]`, direction, i, where, networkSets)) });
  const ingress = directional('ingress', m.ingress);
  const egress = directional('egress', m.egress);
  return {
    ref: { kind: m.kind, name: m.name },
    ...(m.source ? { source: m.source } : {}),
    layer: 'network',
    tier,
    ...(m.priority === undefined ? {} : { order: m.priority }),
    enforced: true,
    subject: m.subject.kind === 'namespaces'
      ? { namespaces: { kind: 'selector', selector: selector(m.subject.namespaces) }, pods: SELECT_ALL }
      : pods(m.subject.namespaceSelector, m.subject.podSelector),
    ...(ingress ? { ingress } : {}),
    ...(egress ? { egress } : {}),
  };
}

function translateRule(r: NetworkPolicyApiRule, path: string, direction: 'ingress' | 'egress', index: number, where: string,
  networkSets: NetworkSetContext): PolicyRule {
  const peerField = direction === 'ingress' ? 'from' : 'to';
  const name = r.name ? ` "${r.name}"` : '';
  return {
    // The rule label names the rule, its action and where it stands, for every explanation.
    label: `${direction}[${index}]${name} (${r.action}, ${where})`,
    action: ACTIONS[r.action],
    peers: r.peers.flatMap((p, j) => peerMatches(p, `${path}.${peerField}[${j}]`, networkSets)),
    ...(r.ports ? { ports: r.ports.map(portMatch) } : {}),
  };
}

function peerMatches(p: NetworkPolicyApiPeer, path: string, networkSets: NetworkSetContext): PeerMatch[] {
  switch (p.kind) {
    case 'namespaces':
      return [
        { kind: 'pods', selection: { namespaces: { kind: 'selector', selector: selector(p.namespaces) }, pods: SELECT_ALL } },
        ...calicoNetworkSetPeers(p.namespaces, `${path}.namespaces`, networkSets),
      ];
    case 'pods':
      return [{ kind: 'pods', selection: pods(p.namespaceSelector, p.podSelector) }];
    case 'networks':
      return p.networks.map((n) => ({ kind: 'ipBlock', cidr: parseCidr(n), except: [], podAddresses: 'always' }));
    case 'nodes':
      throw new UndecidableNetworkPolicyApiPeer(`${path}.nodes`, 'a nodes peer selects node addresses by the Nodes\' labels, and the cluster model has no Node objects, so which addresses it matches cannot be decided');
    case 'domainNames':
      throw new UndecidableNetworkPolicyApiPeer(`${path}.domainNames`, 'a domainNames peer matches the addresses DNS answers for the names at run time, which the cluster model cannot know');
  }
}

/**
 * The addresses of the Calico network sets a `namespaces` peer also matches where Calico enforces the
 * policy (network sets exist only there). libcalico-go converts the peer into a rule with only a
 * namespaceSelector (k8s/conversion/clusternetworkpolicy.go: no `projectcalico.org/orchestrator ==
 * 'k8s'` term, unlike a `pods` peer), whose IP set holds the nets of the NetworkSets in the matched
 * namespaces — and of GlobalNetworkSets when the selector only negates (`NotIn`, `DoesNotExist`).
 */
function calicoNetworkSetPeers(s: LabelSelectorManifest, path: string, networkSets: NetworkSetContext): PeerMatch[] {
  if (networkSets.sets.length === 0) return [];
  const rule = calicoRuleSelector({ namespaceSelector: labelSelectorAsCalico(s) }, undefined)!;
  let sets;
  try {
    sets = networkSetsMatching(rule, networkSets, path);
  } catch (e) {
    if (e instanceof NetworkSetNeedsNamespace) throw new CalicoPolicyNeedsCluster(path, e.problem);
    throw e;
  }
  const seen = new Set<string>();
  return sets.flatMap((set) => set.nets).filter((cidr) => !seen.has(cidr.text) && seen.add(cidr.text))
    .map((cidr): PeerMatch => ({ kind: 'ipBlock', cidr, except: [], podAddresses: 'always' }));
}

/** A Kubernetes label selector as libcalico-go's `k8sSelectorToCalico` writes it for namespaces (empty: `all()`). */
function labelSelectorAsCalico(s: LabelSelectorManifest): CalicoSelectorNode {
  const terms: CalicoSelectorNode[] = [];
  for (const key of Object.keys(s.matchLabels ?? {}).sort()) terms.push({ op: 'eq', key, value: s.matchLabels![key] });
  for (const e of s.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In': terms.push({ op: 'in', key: e.key, values: [...(e.values ?? [])] }); break;
      case 'NotIn': terms.push({ op: 'notIn', key: e.key, values: [...(e.values ?? [])] }); break;
      case 'Exists': terms.push({ op: 'has', key: e.key }); break;
      case 'DoesNotExist': terms.push({ op: 'not', term: { op: 'has', key: e.key } }); break;
    }
  }
  return terms.length === 0 ? { op: 'all' } : terms.length === 1 ? terms[0] : { op: 'and', terms };
}

function portMatch(p: NetworkPolicyApiPort): PortMatch {
  if (p.kind === 'named') return { protocol: 'ANY', port: p.name };
  return { protocol: p.protocol, ...(p.port === undefined ? {} : { port: p.port }), ...(p.endPort === undefined ? {} : { endPort: p.endPort }) };
}

function pods(namespaceSelector: LabelSelectorManifest, podSelector: LabelSelectorManifest): PodSelection {
  return { namespaces: { kind: 'selector', selector: selector(namespaceSelector) }, pods: selector(podSelector) };
}

function selector(s: LabelSelectorManifest): SelectorExpr {
  return selectorFromLabelSelector(s.matchLabels, s.matchExpressions);
}
