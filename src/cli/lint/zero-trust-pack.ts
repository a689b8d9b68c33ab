import { LintRule } from './lint-rule';
import { calicoGlobalSelectsAll } from './rules/calico-global-selects-all';
import { calicoHttpRequiresAlp } from './rules/calico-http-requires-alp';
import { calicoMissingOrder } from './rules/calico-missing-order';
import { calicoMissingTypes } from './rules/calico-missing-types';
import { cidrHostBits } from './rules/cidr-host-bits';
import { ciliumClusterwideSelectsAll } from './rules/cilium-clusterwide-selects-all';
import { ciliumDenyOnlyIsolates } from './rules/cilium-deny-only-isolates';
import { ciliumFqdnWithoutDnsProxy } from './rules/cilium-fqdn-without-dns-proxy';
import { ciliumL7RequiresTcp } from './rules/cilium-l7-requires-tcp';
import { ciliumMutualAuthDeprecated } from './rules/cilium-mutual-auth-deprecated';
import { ciliumPortWithoutProtocol } from './rules/cilium-port-without-protocol';
import { ciliumRulelessPolicy } from './rules/cilium-ruleless-policy';
import { cnpImplementationLacks } from './rules/cnp-implementation-lacks';
import { cnpPassWithoutNetworkPolicy } from './rules/cnp-pass-without-network-policy';
import { cnpShadowedRule } from './rules/cnp-shadowed-rule';
import { cnpSubjectSelectsNothing } from './rules/cnp-subject-selects-nothing';
import { dnsUdpOnly } from './rules/dns-udp-only';
import { dnsWholeNamespace } from './rules/dns-whole-namespace';
import { egressDenyWithoutDns } from './rules/egress-deny-without-dns';
import { halfOpenFlow } from './rules/half-open-flow';
import { istioAllowAllRule } from './rules/istio-allow-all-rule';
import { istioAmbientL7OnZtunnel } from './rules/istio-ambient-l7-on-ztunnel';
import { istioDenyAllRule } from './rules/istio-deny-all-rule';
import { istioDenyHttpWithoutPorts } from './rules/istio-deny-http-without-ports';
import { istioDenyIdentityWithoutStrictMtls } from './rules/istio-deny-identity-without-strict-mtls';
import { istioDuplicatePeerAuthentication } from './rules/istio-duplicate-peer-authentication';
import { istioLiteralWildcard } from './rules/istio-literal-wildcard';
import { istioMethodCase } from './rules/istio-method-case';
import { istioStrictMtls } from './rules/istio-strict-mtls';
import { k8sAllNamespacesPeer } from './rules/k8s-all-namespaces-peer';
import { k8sAllowAllRule } from './rules/k8s-allow-all-rule';
import { k8sAnyPeer } from './rules/k8s-any-peer';
import { k8sEmptyPeerList } from './rules/k8s-empty-peer-list';
import { k8sEndPort } from './rules/k8s-end-port';
import { k8sIgnoredRules } from './rules/k8s-ignored-rules';
import { k8sIpBlockOverlapsPods } from './rules/k8s-ip-block-overlaps-pods';
import { k8sMissingPolicyTypes } from './rules/k8s-missing-policy-types';
import { k8sSplitPeers } from './rules/k8s-split-peers';
import { manifestInvalid } from './rules/manifest-invalid';
import { noEnforcingCni } from './rules/no-enforcing-cni';

/**
 * The footguns of SEMANTICS.md §6 and the seed's failure cases that can be seen in manifests,
 * as one pack (cdk-nag style: the rules are pure functions; the pack gives them ids, severities,
 * summaries and sources). Errors are flows opened or closed against the author's evident intent;
 * warnings are portability traps and implicit defaults.
 */
export const ZERO_TRUST_PACK: readonly LintRule[] = [
  // Any object
  {
    id: 'manifest-invalid',
    severity: 'error',
    check: manifestInvalid,
    readsInvalidObjects: true,
    summary: 'an object its API server rejects (invalid field, no name, defined twice) applies nothing',
    sources: 'K8S-TYPES validation; libcalico-go validation',
  },
  // Kubernetes NetworkPolicy
  { id: 'k8s-allow-all-rule', severity: 'error', check: k8sAllowAllRule, summary: 'a rule without peers and ports allows all traffic', sources: 'K8S-TYPES; SEMANTICS §1 "Empty vs. missing", §6 K8s 3' },
  { id: 'k8s-empty-peer-list', severity: 'error', check: k8sEmptyPeerList, summary: '`from: []` / `to: []` means every peer, not nobody', sources: 'SEMANTICS §6 K8s 3; ahmetb/kubernetes-network-policy-recipes#84; kubernetes/website#34867' },
  { id: 'k8s-split-peers', severity: 'warning', check: k8sSplitPeers, summary: 'a pod-only and a namespace-only peer in one list are OR, not AND', sources: 'K8S-DOC; SEMANTICS §6 K8s 1; kubernetes/kubernetes#50451' },
  { id: 'k8s-missing-policy-types', severity: 'warning', check: k8sMissingPolicyTypes, summary: 'omitted policyTypes default to Ingress (+ Egress only with egress rules)', sources: 'K8S-TYPES; SEMANTICS §1, §6 K8s 2' },
  { id: 'k8s-ignored-rules', severity: 'warning', check: k8sIgnoredRules, summary: 'rules of a direction policyTypes leaves out never apply', sources: 'K8S-TYPES' },
  { id: 'k8s-any-peer', severity: 'warning', check: k8sAnyPeer, summary: 'a rule with ports but no from/to admits every peer, external ones included', sources: 'K8S-TYPES; SEMANTICS §1 "Empty vs. missing"' },
  { id: 'k8s-end-port', severity: 'warning', check: k8sEndPort, summary: 'endPort ranges are silently narrowed by plugins without support', sources: 'SEMANTICS §6 K8s 6; kubernetes/kubernetes#110868; cilium/cilium#28684' },
  { id: 'k8s-all-namespaces-peer', severity: 'warning', check: k8sAllNamespacesPeer, summary: 'namespaceSelector: {} alone is every pod of every namespace, not this one', sources: 'K8S-TYPES; SEMANTICS §1 "Peers"' },
  { id: 'k8s-ip-block-overlaps-pods', severity: 'warning', check: k8sIpBlockOverlapsPods, summary: 'an ipBlock containing pod IPs behaves differently per plugin (needs --cluster)', sources: 'SEMANTICS §6 K8s 5; projectcalico/calico#6634; cilium/cilium#9209' },
  // Any CNI dialect
  { id: 'cidr-host-bits', severity: 'error', check: cidrHostBits, summary: 'a CIDR with host bits set (10.0.0.1/8) is the whole block', sources: 'K8S-TYPES ipBlock; SEMANTICS §1 "ipBlock"' },
  { id: 'dns-whole-namespace', severity: 'warning', check: dnsWholeNamespace, summary: 'DNS allowed to every pod of a namespace instead of the DNS pods', sources: 'seed allow-dns; SEMANTICS §6 K8s 4' },
  {
    id: 'half-open-flow',
    severity: 'error',
    check: halfOpenFlow,
    summary: 'an allowance the other end denies: ingress allowed, the source\'s egress isolated and not allowing it, or the reverse (needs --cluster)',
    sources: 'K8S-DOC "both ends"; seed production set',
  },
  {
    id: 'no-enforcing-cni',
    severity: 'error',
    check: noEnforcingCni,
    summary: 'no pod of a network plugin that enforces the policies runs in the cluster (needs --cluster)',
    sources: 'K8S-DOC prerequisites; seed "CNI plugin not installed"',
  },
  { id: 'egress-deny-without-dns', severity: 'error', check: egressDenyWithoutDns, summary: 'egress default deny without a DNS (UDP 53) allowance for the same pods', sources: 'seed case 1; SEMANTICS §6 K8s 4; kubernetes/website#38267' },
  { id: 'dns-udp-only', severity: 'warning', check: dnsUdpOnly, summary: 'DNS allowed on UDP 53 without TCP 53', sources: 'SEMANTICS §1, §6 Calico 3; projectcalico/calico#8224' },
  // Cilium
  { id: 'cilium-ruleless-policy', severity: 'error', check: ciliumRulelessPolicy, summary: 'a rule-less Cilium policy is Valid=False and enforces nothing', sources: 'CIL-API; SEMANTICS §6 Cilium 4; cilium/cilium#35558' },
  { id: 'cilium-fqdn-without-dns-proxy', severity: 'error', check: ciliumFqdnWithoutDnsProxy, summary: 'toFQDNs without a DNS L7 rule allows nothing', sources: 'CIL-L7; SEMANTICS §6 Cilium 1; cilium/cilium#11767' },
  { id: 'cilium-l7-requires-tcp', severity: 'error', check: ciliumL7RequiresTcp, summary: 'HTTP/Kafka rules on ports that are not TCP make the policy invalid', sources: 'CIL-API; SEMANTICS §2 "L7 HTTP", §6 Cilium 7' },
  { id: 'cilium-port-without-protocol', severity: 'warning', check: ciliumPortWithoutProtocol, summary: 'an omitted protocol is ANY in Cilium, not TCP', sources: 'CIL-L4; SEMANTICS §6 Cilium 7' },
  { id: 'cilium-deny-only-isolates', severity: 'warning', check: ciliumDenyOnlyIsolates, summary: 'a deny-only policy also default-denies the selected endpoints', sources: 'CIL-DENY; SEMANTICS §6 Cilium 5; cilium/cilium#20914' },
  { id: 'cilium-clusterwide-selects-all', severity: 'warning', check: ciliumClusterwideSelectsAll, summary: 'an empty CCNP endpointSelector reaches kube-system', sources: 'SEMANTICS §6 Cilium 3; cilium/cilium#13883' },
  { id: 'cilium-mutual-auth-deprecated', severity: 'warning', check: ciliumMutualAuthDeprecated, summary: 'Cilium mutual authentication is deprecated', sources: 'SEMANTICS §6 Cilium 8; cilium/cilium#47132' },
  // Calico
  { id: 'calico-global-selects-all', severity: 'error', check: calicoGlobalSelectsAll, summary: 'a GlobalNetworkPolicy selecting all() captures system namespaces and hosts', sources: 'SEMANTICS §3 "Default deny", §6 Calico 2; projectcalico/calico PR #4050' },
  { id: 'calico-missing-order', severity: 'warning', check: calicoMissingOrder, summary: 'a Calico policy without order runs after Kubernetes policies', sources: 'SEMANTICS §3, §6 Calico 1; projectcalico/calico#9292' },
  { id: 'calico-missing-types', severity: 'warning', check: calicoMissingTypes, summary: 'Calico derives omitted types differently from Kubernetes', sources: 'SEMANTICS §3, §6 Calico 5' },
  { id: 'calico-http-requires-alp', severity: 'warning', check: calicoHttpRequiresAlp, summary: 'Calico HTTP matches need Application Layer Policy', sources: 'TDOC app-layer-policy; SEMANTICS §6 Calico 8' },
  // network-policy-api ClusterNetworkPolicy (and v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy)
  { id: 'cnp-implementation-lacks', severity: 'error', check: cnpImplementationLacks, summary: 'a field the chosen implementation ignores or turns into "deny all" (needs --implementation)', sources: 'docs/dialects/kubernetes.md implementation profiles' },
  { id: 'cnp-shadowed-rule', severity: 'warning', check: cnpShadowedRule, summary: 'a rule an earlier rule or a higher-priority policy always decides first', sources: 'network-policy-api ClusterNetworkPolicySpec priority, ingress, egress' },
  { id: 'cnp-pass-without-network-policy', severity: 'warning', check: cnpPassWithoutNetworkPolicy, summary: 'a Pass rule for pods no NetworkPolicy selects: the traffic goes on to Baseline or is allowed', sources: 'network-policy-api ClusterNetworkPolicyRuleActionPass, Tier' },
  { id: 'cnp-subject-selects-nothing', severity: 'warning', check: cnpSubjectSelectsNothing, summary: 'a subject that selects no pod of the cluster (needs --cluster)', sources: 'network-policy-api ClusterNetworkPolicySubject' },
  // Istio
  { id: 'istio-allow-all-rule', severity: 'error', check: istioAllowAllRule, summary: 'an empty ALLOW rule allows everything', sources: 'IAPI; SEMANTICS §4 "Empty forms", §6 Istio 5' },
  { id: 'istio-deny-http-without-ports', severity: 'error', check: istioDenyHttpWithoutPorts, summary: 'a DENY with HTTP fields and no ports denies all TCP', sources: 'IAPI; SEMANTICS §6 Istio 1' },
  { id: 'istio-deny-identity-without-strict-mtls', severity: 'error', check: istioDenyIdentityWithoutStrictMtls, summary: 'a DENY on identities is bypassed by plaintext without STRICT mTLS', sources: 'ISTIO-SECURITY-2021-003; SEMANTICS §6 Istio 2' },
  { id: 'istio-ambient-l7-on-ztunnel', severity: 'error', check: istioAmbientL7OnZtunnel, summary: 'L7 attributes in a ztunnel-enforced policy in an ambient namespace (needs --cluster)', sources: 'IST ambient/authorization.go; SEMANTICS §6 Istio 3; istio/istio#61126' },
  { id: 'istio-literal-wildcard', severity: 'error', check: istioLiteralWildcard, summary: 'a "*" Istio takes literally (not a lone leading or trailing one) matches nothing', sources: 'IST matcher/string.go, header.go; SEMANTICS §6 Istio 6' },
  { id: 'istio-method-case', severity: 'error', check: istioMethodCase, summary: 'a method in lower case matches no request (compared case-sensitively)', sources: 'IST matcher/header.go; RFC 9110 §9.1' },
  {
    id: 'istio-duplicate-peer-authentication',
    severity: 'error',
    check: istioDuplicatePeerAuthentication,
    summary: 'two namespace-wide PeerAuthentications in one namespace: istiod applies only the oldest',
    sources: 'IST pilot/pkg/model/authentication.go; SEMANTICS §4 "PeerAuthentication"',
  },
  { id: 'istio-deny-all-rule', severity: 'warning', check: istioDenyAllRule, summary: 'an empty DENY rule denies everything and cannot be opened by ALLOW', sources: 'IAPI; SEMANTICS §4 "Empty forms", §6 Istio 5' },
  {
    id: 'istio-strict-mtls',
    severity: 'warning',
    check: istioStrictMtls,
    summary: 'STRICT mTLS rejects clients a NetworkPolicy lets in (addresses, or with --cluster namespaces outside the mesh)',
    sources: 'seed case 2; IAPI; SEMANTICS §6 Istio 8',
  },
];
