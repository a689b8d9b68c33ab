import { CapabilityTable, exact } from '../capability';
import { cniMtlsRows } from '../mtls-capabilities';

/** Options of the Cilium dialect. */
export interface CiliumDialectOptions {
  /** The user opted into allowing NodeLocal DNSCache through Cilium's `host` entity. */
  readonly nodeLocalDnsViaHost?: boolean;
}

/** The capability table of cilium.io/v2 CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (Cilium 1.16+, schema of the 1.19 line). */
export function ciliumCapabilities(options: CiliumDialectOptions): CapabilityTable {
  return {
    ...cniMtlsRows('Engine.cilium()'),
    'isolate.ingress': exact('CiliumNetworkPolicy with `ingress: [{}]` (one rule that allows nothing, as Cilium itself translates a default-deny NetworkPolicy) and enableDefaultDeny.ingress: true'),
    'isolate.egress': exact('CiliumNetworkPolicy with `egress: [{}]` and enableDefaultDeny.egress: true'),
    'allow.ingress': exact('ingress rule'),
    'allow.egress': exact('egress rule'),
    'allow.source-half': exact('egress rule on the intersection of the source pods with each isolated pod set'),
    'subject.service-account': exact('endpointSelector on io.cilium.k8s.policy.serviceaccount, the label Cilium derives from the pod\'s service account'),
    'peer.pods-same-namespace': exact('fromEndpoints/toEndpoints with k8s:io.kubernetes.pod.namespace'),
    'peer.pods-other-namespace': exact('fromEndpoints/toEndpoints with k8s:io.kubernetes.pod.namespace of the other namespace'),
    'peer.namespace-labels': exact('CiliumClusterwideNetworkPolicy (namespace-label peers are documented for clusterwide policies only) with io.cilium.k8s.namespace.labels.* selectors; its endpointSelector names the subject\'s namespace'),
    'peer.all-namespaces': exact('selector with k8s:io.kubernetes.pod.namespace Exists'),
    'peer.service-account': exact('io.cilium.k8s.policy.serviceaccount label (identity derived from the pod\'s service account)'),
    'peer.cidr': exact('toCIDRSet/fromCIDRSet with except; Cilium matches CIDRs only against addresses without a cluster identity, so a CIDR never matches pods, nodes or the API server (the model means CIDRs for addresses outside the cluster)'),
    'peer.anyone': exact('the `all` entity: pods, the world, and node traffic (host, remote-node), Cilium Ingress and unmanaged pods — what an omitted `from` means in Kubernetes'),
    'port.number': exact('toPorts port with explicit protocol'),
    'port.range': exact('toPorts port + endPort (Cilium >= 1.16)'),
    'port.named': exact('named port, resolved against the subject pod\'s own container ports'),
    'port.named-egress': {
      level: 'unsupported',
      reason: 'Cilium 1.19 resolves a port name on egress against the named ports of EVERY pod in the cluster, not the destination pods: a name defined once elsewhere also opens that number towards pods that do not define it, and a name defined twice allows nothing (cilium/cilium#30003, fixed after 1.19)',
      fix: 'use the port number (Port.tcp(8080)) instead of Port.named()',
    },
    'port.all-of-protocol': exact('port "0" with the protocol'),
    'port.all-traffic': exact('rule without toPorts'),
    'protocol.sctp': exact('protocol: SCTP (the agent needs SCTP support enabled, otherwise SCTP is dropped)'),
    'allow.http': exact('toPorts rules.http with full-match RE2 regexes for method and path (Envoy L7 proxy)'),
    'peer.fqdn': exact('toFQDNs matchName/matchPattern, with the DNS proxy rule on the same pods\' DNS allowance'),
    'peer.kube-apiserver': exact('the kube-apiserver entity'),
    'peer.kube-apiserver-cidrs': exact('the kube-apiserver entity, plus the CIDRs you gave (for an API server Cilium does not label)'),
    'peer.node-local-dns': {
      level: 'approximate',
      reason: 'Cilium gives the NodeLocal DNSCache link-local address the `host` identity when the address existed when the agent started, and none otherwise (cilium/cilium#18644), so the address alone is not matched reliably',
      exactly: 'Engine.kubernetes() and Engine.calico() allow the cache\'s address itself (ipBlock, nets)',
      optIn: {
        option: 'Engine.cilium({ nodeLocalDnsViaHost: true })',
        enabled: options.nodeLocalDnsViaHost === true,
        widening: 'the DNS ports of every address of the pod\'s own node (the `host` entity) are allowed, not only the cache\'s address',
      },
    },
    'subject.all-namespaces': exact('CiliumClusterwideNetworkPolicy selecting pods whose namespace label exists and is not one of the exceptions (covers namespaces created later)'),
    'admin.deny': exact('CiliumClusterwideNetworkPolicy ingressDeny / egressDeny rules with enableDefaultDeny false: a Cilium deny wins over every allow, so an allowance with a lower priority number that could match the same connections is refused'),
    'admin.allow': exact('CiliumClusterwideNetworkPolicy allow rules with enableDefaultDeny false: allows are a union, so namespace policies cannot take them away'),
    'admin.delegate': {
      level: 'unsupported',
      reason: 'Cilium\'s own policies have no pass action or priorities (CIL-DENY: deny wins, allows are a union), so a rule cannot skip later cluster-wide rules',
      fix: 'use the Kubernetes engine with ClusterNetworkPolicy (Engine.kubernetes({ clusterNetworkPolicy: { implementation: ClusterNetworkPolicyImplementation.cilium({ enabled: true }) } }) on Cilium 1.20) or Engine.calico(), or narrow the later rules instead of delegating',
    },
    'stage.audit': {
      level: 'unsupported',
      reason: 'Cilium has no per-policy audit mode (policy audit mode is an agent- or endpoint-wide switch)',
      fix: 'use Engine.calico() (staged policies) or an Istio engine (dry-run), or set stage: PolicyStage.ENFORCE',
    },
  };
}
