import { LabelExpression } from './label-expression';
import { Peer } from './peer';
import { PolicyDirection } from './policy-direction';
import { PolicyStage } from './policy-stage';
import { Port } from './port';

/**
 * Properties of the cluster-wide admin rules: `ClusterDeny`,
 * `ClusterAlwaysAllow` and `ClusterDelegateToNamespaces`.
 *
 * The rule applies to the pods matching `podLabels` / `podExpressions` in
 * every namespace (present or future) that matches `namespaceLabels` /
 * `namespaceExpressions` and is not in `exceptNamespaces`.
 */
export interface ClusterRuleProps {
  /**
   * Where the rule stands among the cluster-wide rules: 0-1000, lower numbers
   * match first. Two rules with the same priority and different effects in the
   * same direction are an error, because implementations may evaluate them in
   * either order.
   */
  readonly priority: number;
  /** The connections it decides, seen from the pods it applies to. */
  readonly direction: PolicyDirection;
  /**
   * The other end of the connections. Never empty: say `[Peer.anyone()]` to
   * mean everyone. Pod peers must name their namespace (a cluster-wide rule has
   * no namespace of its own): `Peer.namespace()`, `Peer.pods({ namespace |
   * namespaceLabels | allNamespaces })`, or a Workload with a namespace.
   */
  readonly peers: Peer[];
  /**
   * The destination ports. Never empty: say `[Port.allTraffic()]` to mean
   * every port of every protocol.
   */
  readonly ports: Port[];
  /**
   * Namespaces to leave alone, besides `kube-system` and `calico-system`,
   * which are always left alone.
   * @default - only kube-system and calico-system
   */
  readonly exceptNamespaces?: string[];
  /**
   * Labels a namespace must carry for the rule to apply to its pods.
   * @default - every namespace (except `exceptNamespaces`)
   */
  readonly namespaceLabels?: { [key: string]: string };
  /**
   * Set-based requirements on the namespaces' labels.
   * @default - none
   */
  readonly namespaceExpressions?: LabelExpression[];
  /**
   * Labels of the pods the rule applies to, in the covered namespaces.
   * @default - every pod of the covered namespaces
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * Set-based requirements on the pods' labels.
   * @default - none
   */
  readonly podExpressions?: LabelExpression[];
  /**
   * Enforce the rule, or only observe it (engines that cannot observe fail synthesis).
   * @default PolicyStage.ENFORCE
   */
  readonly stage?: PolicyStage;
}
