import { CnpImplementationProfile } from './cnp-profile';
import { Capability, CapabilityTable, exact } from '../capability';
import { cniMtlsRows } from '../mtls-capabilities';

/** How cluster-wide statements render as ClusterNetworkPolicy (resolved and validated by `Engine.kubernetes()`). */
export interface CnpDialectOptions {
  readonly profile: CnpImplementationProfile;
  /** The user's declaration (or the profile's default) that the implementation's support is on. */
  readonly enabled: boolean;
  /** The user declared that the implementation reads v1beta1. */
  readonly readsV1beta1: boolean;
  readonly apiVersion: 'v1alpha2' | 'v1beta1';
  /** The user opted into a Baseline ingress deny that covers connections from pods only. */
  readonly baselineIngressFromPodsOnly: boolean;
}

/** Options of the Kubernetes NetworkPolicy dialect. */
export interface KubernetesDialectOptions {
  /** Label key that carries each pod's service-account name, when the user opted into that approximation. */
  readonly serviceAccountLabel?: string;
  /** Render cluster-wide statements as ClusterNetworkPolicy; undefined = they are unsupported. */
  readonly clusterNetworkPolicy?: CnpDialectOptions;
}

const CNP_FIX = 'render them as ClusterNetworkPolicy with Engine.kubernetes({ clusterNetworkPolicy: { implementation: ClusterNetworkPolicyImplementation.calico() } }) (naming the implementation your cluster runs), or use Engine.calico() (GlobalNetworkPolicy) or Engine.cilium() (CiliumClusterwideNetworkPolicy)';

/** The rows of the cluster-wide features: ClusterNetworkPolicy when configured, else unsupported. */
function clusterRows(cnp: CnpDialectOptions | undefined): Pick<CapabilityTable, 'subject.all-namespaces' | 'admin.deny' | 'admin.allow' | 'admin.delegate'> {
  if (!cnp) {
    const none = (reason: string): Capability => ({ level: 'unsupported', reason, fix: CNP_FIX });
    return {
      'subject.all-namespaces': none('NetworkPolicy is namespaced: no object covers every namespace, and namespaces created later would get nothing'),
      'admin.deny': none('NetworkPolicy only allows; it has no deny rule and no precedence over other policies'),
      'admin.allow': none('NetworkPolicy has no precedence: an allowance cannot hold against another namespace\'s default deny'),
      'admin.delegate': none('NetworkPolicy has no tiers to delegate between'),
    };
  }
  const p = cnp.profile;
  const api = `policy.networking.k8s.io/${cnp.apiVersion} ClusterNetworkPolicy, enforced by ${p.name}`;
  const lacking = (what: string): Capability => ({
    level: 'unsupported',
    reason: `${p.name} does not implement ${what} (${p.source})`,
    fix: 'choose an implementation that does, or use Engine.calico() or Engine.cilium()',
  });
  return {
    'subject.all-namespaces': p.adminTier || p.baselineTier ? exact(`${api}: subject namespaces NotIn the exceptions`) : lacking('ClusterNetworkPolicy tiers'),
    'admin.deny': p.adminTier ? exact(`${api}: a Deny rule in the Admin tier at the intent's priority`) : lacking('the Admin tier'),
    'admin.allow': p.adminTier ? exact(`${api}: an Accept rule in the Admin tier at the intent's priority`) : lacking('the Admin tier'),
    'admin.delegate': p.pass ? exact(`${api}: a Pass rule in the Admin tier at the intent's priority`) : lacking('the Pass action'),
  };
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
    ...clusterRows(options.clusterNetworkPolicy),
  };
}
