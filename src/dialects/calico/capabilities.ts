import { CapabilityTable, exact } from '../capability';
import { cniMtlsRows } from '../mtls-capabilities';

/** Options of the Calico dialect (resolved and validated by `Engine.calico()`). */
export interface CalicoDialectOptions {
  /** The tier every policy goes to. */
  readonly tier: string;
  /** The `order` of every policy inside its tier. */
  readonly order: number;
  /** Render L7 `http` rules (Calico application layer policy with Istio sidecars). */
  readonly applicationLayerPolicy: boolean;
  /** The cluster runs Calico Enterprise / Cloud: `destination.domains` exists. */
  readonly enterprise: boolean;
}

/** What Calico's application layer policy needs, for messages and docs. */
export const ALP_REQUIREMENTS = 'Calico application layer policy (Felix policySyncPathPrefix set, the Dikastes sidecar injected) and an Istio sidecar in every destination pod; '
  + 'Calico enforces `http` on ingress Allow rules only, and a pod without the sidecar gets the L4 part only (every request on the port)';

/** The capability table of projectcalico.org/v3 NetworkPolicy / GlobalNetworkPolicy. */
export function calicoCapabilities(options: CalicoDialectOptions): CapabilityTable {
  return {
    'isolate.ingress': exact('NetworkPolicy selecting the pods with types [Ingress] and no rules: the end-of-tier Deny isolates them'),
    'isolate.egress': exact('NetworkPolicy selecting the pods with types [Egress] and no rules: the end-of-tier Deny isolates them'),
    'allow.ingress': exact('ingress Allow rule'),
    'allow.egress': exact('egress Allow rule'),
    'allow.source-half': exact('egress Allow rule on the intersection of the source pods with each isolated pod set'),
    'subject.service-account': exact('serviceAccountSelector on projectcalico.org/name'),
    'peer.pods-same-namespace': exact('selector (scoped to the policy\'s namespace)'),
    'peer.pods-other-namespace': exact('namespaceSelector on projectcalico.org/name AND selector'),
    'peer.namespace-labels': exact('namespaceSelector on the namespace labels AND selector'),
    'peer.all-namespaces': exact('namespaceSelector all() AND selector'),
    'peer.service-account': exact('serviceAccounts.names (plus the namespace selector)'),
    'peer.cidr': exact('nets / notNets; Calico also matches pod IPs inside the block'),
    'peer.anyone': exact('a rule without source (ingress) or destination (egress) entity: every packet'),
    'port.number': exact('destination.ports with an explicit protocol'),
    'port.range': exact('destination.ports "start:end" with an explicit protocol'),
    'port.named': exact('named destination port, resolved on the selected pods'),
    'port.named-egress': exact('named destination port, resolved on the destination pods the rule selects'),
    'port.all-of-protocol': exact('protocol without ports'),
    'port.all-traffic': exact('rule without protocol and ports'),
    'protocol.sctp': exact('protocol: SCTP'),
    'allow.http': options.applicationLayerPolicy
      ? exact(`ingress Allow rules with http.methods / http.paths (exact or prefix), protocol TCP; requires ${ALP_REQUIREMENTS}`)
      : {
        level: 'unsupported',
        reason: `Calico enforces \`http\` rules only with ${ALP_REQUIREMENTS}`,
        fix: 'if the cluster runs that, declare it with Engine.calico({ applicationLayerPolicy: true }); otherwise use Engine.cilium() or an Istio engine for HTTP rules, or drop `http` to allow the whole port',
      },
    'peer.fqdn': options.enterprise
      ? exact('destination.domains (Calico Enterprise / Cloud, egress Allow rules); exact names only, wildcards are refused')
      : {
        level: 'unsupported',
        reason: 'Calico Open Source has no DNS-name rules; destination.domains exists only in Calico Enterprise and Calico Cloud, and an Open Source API server silently prunes it, which would allow the ports to every destination',
        fix: 'if the cluster runs Calico Enterprise or Calico Cloud, declare it with Engine.calico({ enterprise: true }); otherwise use Engine.cilium() (toFQDNs), or EgressToCidr with the service\'s address ranges',
      },
    'peer.kube-apiserver': {
      level: 'unsupported',
      reason: 'Calico has no identity for the API server, and its addresses differ per cluster',
      fix: 'pass the API server endpoint addresses: Peer.kubeApiServer(["<address>/32"]) (see `kubectl get endpoints kubernetes -n default`), or use Engine.cilium()',
    },
    'peer.kube-apiserver-cidrs': exact('nets with the API server addresses you gave (one rule per IP family)'),
    'peer.node-local-dns': exact('nets with the link-local address (the cache runs on the host network)'),
    'stage.audit': exact('StagedNetworkPolicy / StagedGlobalNetworkPolicy (stagedAction Set): reported by Calico, never enforced'),
    ...cniMtlsRows('Engine.calico()'),
    'subject.all-namespaces': exact('GlobalNetworkPolicy: namespaceSelector projectcalico.org/name not in {the exceptions}, selector on Kubernetes pods only (never host endpoints)'),
    'admin.deny': exact('GlobalNetworkPolicy in the kube-admin tier (order 1000, default action Pass; Calico also hosts ClusterNetworkPolicy Admin objects there) with order = the priority and Deny rules'),
    'admin.allow': exact('GlobalNetworkPolicy in the kube-admin tier with order = the priority and Allow rules: it decides before the tiers that hold namespace policies'),
    'admin.delegate': exact('GlobalNetworkPolicy in the kube-admin tier with order = the priority and Pass rules: the connection skips the rest of the tier'),
  };
}
