import { Construct } from 'constructs';
import { ClusterRuleProps } from './cluster-rule-props';
import { registerClusterRule } from './private/cluster-rule';

/**
 * A cluster-wide guardrail: denies the connections it matches before any
 * namespace policy is consulted, so no namespace owner can allow them (e.g.
 * tenants' egress to the cloud metadata service). Among cluster-wide rules
 * the lowest `priority` number matches first: an earlier `ClusterAlwaysAllow`
 * or `ClusterDelegateToNamespaces` can still make an exception.
 *
 * It isolates nothing: connections it does not match are decided as before.
 * Renders as a ClusterNetworkPolicy `Deny` rule in the Admin tier
 * (`Engine.kubernetes({ clusterNetworkPolicy })`), a Calico
 * GlobalNetworkPolicy `Deny` rule in the `kube-admin` tier, or a Cilium
 * clusterwide deny rule.
 * @see https://network-policy-api.sigs.k8s.io/api-overview/
 */
export class ClusterDeny extends Construct {
  /** The admin priority of the rule. */
  public readonly priority: number;

  constructor(scope: Construct, id: string, props: ClusterRuleProps) {
    super(scope, id);
    this.priority = registerClusterRule(this, 'ClusterDeny', 'deny', props).priority;
  }
}
