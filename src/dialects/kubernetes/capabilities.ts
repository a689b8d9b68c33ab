import { CapabilityTable, exact } from '../capability';
import { cniMtlsRows } from '../mtls-capabilities';

/** Options of the Kubernetes NetworkPolicy dialect. */
export interface KubernetesDialectOptions {
  /** Label key that carries each pod's service-account name, when the user opted into that approximation. */
  readonly serviceAccountLabel?: string;
}

/** The capability table of networking.k8s.io/v1 NetworkPolicy. */
export function kubernetesCapabilities(options: KubernetesDialectOptions): CapabilityTable {
  const sa = {
    level: 'approximate' as const,
    reason: 'NetworkPolicy selects pods by labels only; a service account is an identity, not a label',
    exactly: 'if exactly the pods with these labels run as the account, declare it on the workload (Workload.select({...}, { serviceAccount: \'<account>\', exclusiveServiceAccount: true })): NetworkPolicy then selects them by their labels; '
      + 'else use an engine that selects service accounts exactly, Engine.cilium() or Engine.calico()',
    optIn: {
      option: 'Engine.kubernetes({ serviceAccountLabel })',
      enabled: options.serviceAccountLabel !== undefined,
      widening: 'any pod that carries the label with the service account\'s name matches, whatever account it really runs as',
    },
  };
  return {
    ...cniMtlsRows('Engine.kubernetes()'),
    'isolate.ingress': exact('podSelector + policyTypes [Ingress] with no rules'),
    'isolate.egress': exact('podSelector + policyTypes [Egress] with no rules'),
    'allow.ingress': exact('ingress rule'),
    'allow.egress': exact('egress rule'),
    'allow.source-half': exact('egress rule on the intersection of the source pods with each isolated pod set'),
    'subject.service-account': sa,
    'peer.pods-same-namespace': exact('podSelector'),
    'peer.pods-other-namespace': exact('namespaceSelector on kubernetes.io/metadata.name AND podSelector in one peer'),
    'peer.namespace-labels': exact('namespaceSelector (AND podSelector in one peer)'),
    'peer.all-namespaces': exact('namespaceSelector: {}'),
    'peer.service-account': sa,
    'peer.cidr': exact('ipBlock with except; whether it also matches pod IPs depends on the CNI'),
    'peer.anyone': exact('namespaceSelector: {} plus ipBlock 0.0.0.0/0 and ::/0, spelled out'),
    'port.number': exact('port'),
    'port.range': exact('port + endPort (Kubernetes >= 1.25; the CNI must support endPort)'),
    'port.named': exact('named port'),
    'port.named-egress': exact('named port, resolved by the CNI against the destination pods'),
    'port.all-of-protocol': exact('protocol without port'),
    'port.all-traffic': exact('rule without ports'),
    'protocol.sctp': exact('protocol: SCTP'),
    'allow.http': {
      level: 'unsupported',
      reason: 'NetworkPolicy is L3/L4 only; an L4-only fallback would allow every request on the port',
      fix: 'use Engine.cilium() or an Istio engine for HTTP rules, or drop `http` to allow the whole port',
    },
    'peer.fqdn': {
      level: 'unsupported',
      reason: 'NetworkPolicy has no DNS-name peers',
      fix: 'use an engine that can enforce DNS names: Engine.cilium() (toFQDNs through its DNS proxy) or Calico Enterprise (domains); or use EgressToCidr with the service\'s address ranges',
    },
    'peer.kube-apiserver': {
      level: 'unsupported',
      reason: 'NetworkPolicy has no identity for the API server, and its addresses differ per cluster',
      fix: 'pass the API server endpoint addresses: Peer.kubeApiServer(["<address>/32"]) (see `kubectl get endpoints kubernetes -n default`), or use Engine.cilium()',
    },
    'peer.kube-apiserver-cidrs': exact('ipBlock for each API server address you gave'),
    'peer.node-local-dns': exact('ipBlock for the link-local address (the cache runs on the host network)'),
    'stage.audit': {
      level: 'unsupported',
      reason: 'NetworkPolicy has no audit or staged mode: it is always enforced',
      fix: 'use Engine.calico() (staged policies) or an Istio engine (dry-run), or set stage: PolicyStage.ENFORCE',
    },
    'subject.all-namespaces': {
      level: 'unsupported',
      reason: 'NetworkPolicy is namespaced: no object covers every namespace, and namespaces created later would get nothing',
      fix: 'add a DefaultDeny / AllowDns per namespace, or use Engine.calico() (GlobalNetworkPolicy)',
    },
  };
}
