import { Construct } from 'constructs';
import { ClusterRuleProps } from './cluster-rule-props';
import { registerClusterRule } from './private/cluster-rule';

/**
 * Hands the connections it matches to the namespaces: later cluster-wide
 * rules (higher `priority` numbers) are skipped for them, and the namespace
 * policies decide — or, for pods no namespace policy selects, the cluster-wide
 * default deny, if any. Use it to carve out traffic a broader `ClusterDeny`
 * or `ClusterAlwaysAllow` would otherwise decide (e.g. traffic inside a
 * tenant's own namespaces).
 *
 * Renders as a ClusterNetworkPolicy `Pass` rule in the Admin tier or a Calico
 * GlobalNetworkPolicy `Pass` rule in the `kube-admin` tier. Cilium's own
 * policies have no pass action: the Cilium engine refuses it.
 * @see https://network-policy-api.sigs.k8s.io/api-overview/
 */
export class ClusterDelegateToNamespaces extends Construct {
  /** The admin priority of the rule. */
  public readonly priority: number;

  constructor(scope: Construct, id: string, props: ClusterRuleProps) {
    super(scope, id);
    this.priority = registerClusterRule(this, 'ClusterDelegateToNamespaces', 'delegate', props).priority;
  }
}
