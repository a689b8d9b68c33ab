import { evaluateFlow } from './evaluate-flow';
import { EvaluatorOptions, resolveEvaluatorOptions, ResolvedEvaluatorOptions } from './evaluator-options';
import { PolicyIndex } from './policy-index';
import { computeMatrix, ReachabilityMatrix } from './reachability-matrix';
import { Verdict } from './verdict';
import { ClusterModel } from '../cluster/cluster-model';
import { AnalysisPolicy, Protocol } from '../ir/analysis-policy';
import { Flow } from '../ir/flow';

/**
 * Answers reachability questions about one cluster model and one set of policies. Indexes the
 * policies once; reuse one analyzer for many flows or matrices.
 */
export class ReachabilityAnalyzer {
  public readonly options: ResolvedEvaluatorOptions;
  private readonly index: PolicyIndex;

  /**
   * @param cluster the namespaces and pods
   * @param policies policies of any dialect, translated into the analysis IR (unenforced ones are ignored)
   * @param options implementation-defined behaviour; see `EvaluatorOptions` for the defaults
   * @throws AnalysisInputError if two policies define the same tier differently
   */
  constructor(public readonly cluster: ClusterModel, policies: readonly AnalysisPolicy[], options: EvaluatorOptions = {}) {
    this.options = resolveEvaluatorOptions(options);
    this.index = new PolicyIndex(policies);
  }

  /**
   * Decides a flow and explains why: per direction (egress at the source, ingress at the
   * destination), whether the pod is isolated, which policies select it, which rules allowed it
   * (all of them) or why it was denied.
   * @throws AnalysisInputError for an unknown pod, an invalid IP, port or protocol
   */
  public evaluate(flow: Flow): Verdict {
    return evaluateFlow({ cluster: this.cluster, index: this.index, options: this.options }, flow);
  }

  /**
   * The full pod-to-pod matrix for one port and protocol, self pairs included, computed per group
   * of pods no policy can tell apart. Flows carry no HTTP request and no mTLS.
   */
  public matrix(port: number, protocol: Protocol): ReachabilityMatrix {
    return computeMatrix(this.cluster, this.index, this.options, port, protocol);
  }
}

/**
 * Decides one flow against a cluster model and policies. For many flows, build a
 * `ReachabilityAnalyzer` once instead.
 */
export function evaluate(cluster: ClusterModel, policies: readonly AnalysisPolicy[], flow: Flow, options: EvaluatorOptions = {}): Verdict {
  return new ReachabilityAnalyzer(cluster, policies, options).evaluate(flow);
}

/**
 * The allowed (source pod, destination pod) pairs on one port and protocol, self pairs included,
 * computed per group of indistinguishable pods so it scales with distinct policy roles, not pods.
 */
export function matrix(
  cluster: ClusterModel,
  policies: readonly AnalysisPolicy[],
  port: number,
  protocol: Protocol,
  options: EvaluatorOptions = {},
): ReachabilityMatrix {
  return new ReachabilityAnalyzer(cluster, policies, options).matrix(port, protocol);
}
