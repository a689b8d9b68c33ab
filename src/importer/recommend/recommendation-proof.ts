import { Recommendation } from './recommendation';
import {
  AnalysisPolicy, AuditedFlow, AuditResult, ClusterModel, EvaluatorOptions, FlowAudit, podId, ReachabilityAnalyzer, UnusedAllowance,
} from '../../analysis';

/** What the proof of a recommended app found. */
export interface RecommendationProof {
  /** The exact engine over the app's synthesized policies, on the cluster model. */
  readonly analyzer: ReachabilityAnalyzer;
  /** The observed flows the recommendation allows, audited against the app: every one is allowed. */
  readonly audit: AuditResult;
  /**
   * What the app allows beyond the observed flows at an isolated end (per pair of endpoint classes
   * of the exact engine): the other pods of an observed workload, ports observed between other
   * pods of the two workloads. Empty when each workload's pods were all observed on every port.
   */
  readonly beyondObserved: readonly UnusedAllowance[];
  /** Observed flows a policy denied that the app denies too. */
  readonly deniedStillDenied: readonly AuditedFlow[];
  /** Observed flows a policy denied that the app allows (through the workload grouping). */
  readonly deniedNowAllowed: readonly AuditedFlow[];
}

/** The proof failed: the recommended app does not allow an observed flow it was made from (a bug). */
export class RecommendationProofError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecommendationProofError';
  }
}

/**
 * Proves a recommended app on the cluster model: the observed flows it was made from are audited
 * against the app's synthesized policies with the exact engine (`FlowAudit`, as `audit` does), and
 * each must be allowed; the allowances no observed flow used are what the workload grouping allows
 * beyond the capture, kept where an end is a pod of an isolated namespace (elsewhere the app
 * restricts nothing). Observed denials are audited too, to say which the app keeps denied.
 *
 * @throws RecommendationProofError when an observed flow is not allowed, or cannot be mapped
 */
export function proveRecommendation(cluster: ClusterModel, r: Recommendation, policies: readonly AnalysisPolicy[],
  options: EvaluatorOptions = {}): RecommendationProof {
  const analyzer = new ReachabilityAnalyzer(cluster, policies, options);
  const audit = new FlowAudit(analyzer, { unused: true, maxDistinctFlows: Number.MAX_SAFE_INTEGER });
  for (const a of r.allowances) for (const c of a.observed) audit.flow(c.flow, c.count, c.line);
  const result = audit.finish();
  const notAllowed = result.flows.filter(f => !f.allowed);
  if (notAllowed.length > 0 || result.unmapped.length > 0) {
    const first = notAllowed[0];
    throw new RecommendationProofError(first
      ? `the recommended app denies the observed flow ${first.source} -> ${first.destination} ${first.protocol} ${first.port} (line ${first.line}): ${first.reason}`
      : `the audit of the recommended app could not map an observed flow (line ${result.unmapped[0].line}): ${result.unmapped[0].reason}`);
  }
  // Kept where an end is a pod of an isolated namespace; host-network pods left out of the lists: their
  // traffic is the node's, which the evaluator exempts or leaves to the engines (docs/ANALYSIS.md), not the app's.
  const isolated = new Set(r.isolatedNamespaces);
  const hostNetwork = new Set(cluster.pods.filter(p => p.hostNetwork).map(podId));
  const isolatedPod = (label: string) => label.includes('/') && isolated.has(label.split('/')[0]) && !hostNetwork.has(label);
  const beyondObserved = (result.unused ?? []).flatMap((u) => {
    const source = u.source.filter(l => !hostNetwork.has(l));
    const destination = u.destination.filter(l => !hostNetwork.has(l));
    if (source.length === 0 || destination.length === 0 || !(source.some(isolatedPod) || destination.some(isolatedPod))) return [];
    return [{ ...u, source, destination }];
  });

  const deniedAudit = new FlowAudit(analyzer, { unused: false, maxDistinctFlows: Number.MAX_SAFE_INTEGER });
  for (const c of r.denied) deniedAudit.flow(c.flow, c.count, c.line);
  const denied = deniedAudit.finish();
  return {
    analyzer,
    audit: result,
    beyondObserved,
    deniedStillDenied: denied.flows.filter(f => !f.allowed),
    deniedNowAllowed: denied.flows.filter(f => f.allowed),
  };
}
