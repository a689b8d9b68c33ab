import { Construct } from 'constructs';
import { PolicyDirection } from './policy-direction';
import { PolicyStage } from './policy-stage';
import { resolveExceptNamespaces } from './private/cluster-scope';
import { checkFlag, checkPropsObject } from './private/props';
import { InputProblem, throwIfProblems } from '../validation/input-error';
import { resolveStage } from './private/intent-scope';
import { PolicyCompiler } from '../engine/compiler';
import { ClusterIsolateStatement, DirectionModel } from '../model';

/** Properties of `ClusterDefaultDeny`. */
export interface ClusterDefaultDenyProps {
  /**
   * Namespaces to leave alone, besides `kube-system` and `calico-system`,
   * which are always left alone. List every namespace whose pods must keep
   * talking freely (ingress controllers, monitoring, the CNI's API server...).
   * @default - only kube-system and calico-system
   */
  readonly exceptNamespaces?: string[];
  /**
   * The directions to deny.
   * @default - both ingress and egress
   */
  readonly directions?: PolicyDirection[];
  /**
   * Acknowledge that denying egress without a `ClusterAllowDns` is intended,
   * so DNS lookups fail in every covered namespace. Without it, synthesis
   * fails when no `ClusterAllowDns` covers every namespace this deny covers.
   * @default false
   */
  readonly acknowledgeDnsBlocked?: boolean;
  /**
   * Enforce the policy, or only observe it (engines that cannot observe fail synthesis).
   * @default PolicyStage.ENFORCE
   */
  readonly stage?: PolicyStage;
}

const PROPS = ['exceptNamespaces', 'directions', 'acknowledgeDnsBlocked', 'stage'];

/**
 * Denies all traffic of every pod in every namespace — including namespaces
 * created later — except the namespaces listed (and always `kube-system` and
 * `calico-system`), so that only what other intents allow gets through.
 *
 * Only engines with cluster-scoped policies can express it: Calico
 * (GlobalNetworkPolicy), Cilium (CiliumClusterwideNetworkPolicy), and the
 * Kubernetes engine with `clusterNetworkPolicy` (a Baseline-tier
 * ClusterNetworkPolicy, which namespace NetworkPolicies refine; an ingress
 * deny only with its `baselineIngressFromPodsOnly` opt-in). With egress
 * denied, add a `ClusterAllowDns`, or synthesis fails.
 */
export class ClusterDefaultDeny extends Construct {
  /** The namespaces left alone (sorted; includes kube-system and calico-system). */
  public readonly exceptNamespaces: string[];

  constructor(scope: Construct, id: string, props: ClusterDefaultDenyProps = {}) {
    super(scope, id);
    const problems: InputProblem[] = [];
    const p = checkPropsObject(props, PROPS, problems, false) as ClusterDefaultDenyProps;
    this.exceptNamespaces = resolveExceptNamespaces(p.exceptNamespaces, problems);
    const acknowledged = checkFlag(p, 'acknowledgeDnsBlocked', problems);
    const directions = p.directions ?? [PolicyDirection.INGRESS, PolicyDirection.EGRESS];
    if (!Array.isArray(directions) || directions.length === 0) {
      problems.push({ what: 'directions', value: directions, expected: 'at least one of PolicyDirection.INGRESS, PolicyDirection.EGRESS', fix: 'leave `directions` out to deny both' });
    }
    for (const d of Array.isArray(directions) ? directions : []) {
      if (d !== PolicyDirection.INGRESS && d !== PolicyDirection.EGRESS) {
        problems.push({ what: 'entry of directions', value: d, expected: 'PolicyDirection.INGRESS or PolicyDirection.EGRESS', fix: 'use the PolicyDirection enum' });
      }
    }
    const stage = resolveStage(p.stage, problems);
    throwIfProblems(this.node.path, problems);

    const statement: ClusterIsolateStatement = {
      kind: 'isolate-cluster',
      origin: PolicyCompiler.origin(this, 'ClusterDefaultDeny'),
      stage,
      exceptNamespaces: Object.freeze([...this.exceptNamespaces]),
      directions: [...new Set(directions as string[] as DirectionModel[])].sort(),
    };
    PolicyCompiler.of(this).register(this, [statement], { dnsBlockedAcknowledged: acknowledged });
  }
}
