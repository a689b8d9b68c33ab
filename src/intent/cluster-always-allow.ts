import { Construct } from 'constructs';
import { ClusterRuleProps } from './cluster-rule-props';
import { registerClusterRule } from './private/cluster-rule';

/**
 * A cluster-wide exception that always holds: allows the connections it
 * matches whatever namespace policies (and cluster-wide default denies) say,
 * e.g. monitoring scraping every namespace. Among cluster-wide rules the
 * lowest `priority` number matches first, so a `ClusterDeny` with a lower
 * number still denies.
 *
 * It isolates nothing: pods it applies to are not denied anything else. Like
 * every cluster-wide rule it decides one direction at the pods it applies to;
 * when the peers' own egress (or ingress) is denied too, allow it there as well.
 * Renders as a ClusterNetworkPolicy `Accept` rule in the Admin tier, a Calico
 * GlobalNetworkPolicy `Allow` rule in the `kube-admin` tier, or a Cilium
 * clusterwide allow rule that does not enable default deny.
 * @see https://network-policy-api.sigs.k8s.io/api-overview/
 */
export class ClusterAlwaysAllow extends Construct {
  /** The admin priority of the rule. */
  public readonly priority: number;

  constructor(scope: Construct, id: string, props: ClusterRuleProps) {
    super(scope, id);
    this.priority = registerClusterRule(this, 'ClusterAlwaysAllow', 'allow', props).priority;
  }
}
