import { HttpRulesOptions } from './http-rules';
import { ObservedConnections } from './observed-connections';
import { renderRecommendedApp } from './recommend-app';
import { recommendationPlan } from './recommend-plan';
import { GeneratedTests, generateTests } from './recommend-tests';
import { recommend, Recommendation, RecommendOptions } from './recommendation';
import { proveRecommendation, RecommendationProof } from './recommendation-proof';
import { AnalysisInputError, ClusterModel, EvaluatorOptions } from '../../analysis';
import { synthesizedPolicies } from '../../analysis/intent/synthesized-policies';
import { buildIntents } from '../build-intents';
import { ImportPlan, PlanEngineKind } from '../import-plan';
import { AppFile } from '../render-app';

/** Everything `recommend` needs besides the flows. */
export interface RunRecommendOptions extends RecommendOptions {
  readonly engine: PlanEngineKind;
  /** The cluster's pod CIDRs (needed when an outside address is allowed). @default - none declared */
  readonly podCidrs?: readonly string[];
  /** The cluster's Service CIDRs (needed with `podCidrs`). @default - none declared */
  readonly serviceCidrs?: readonly string[];
  /** The flow file as named on the command line. */
  readonly flowFile: string;
  /** @default 500 */
  readonly maxAllowTests?: number;
  /** @default 20 */
  readonly denySamples?: number;
  /** The module the generated files import the library from. @default 'cdk8s-zero-trust' */
  readonly library?: string;
  /** The version of cdk8s-zero-trust the generated package.json depends on. @default '*' */
  readonly libraryVersion?: string;
  /** The analyzer's options for the proof. @default - the analyzer's defaults */
  readonly evaluator?: EvaluatorOptions;
  /**
   * Declares that Cilium's agent normalizes HTTP paths (`http-normalize-path`, its default): with the
   * cilium engine, the ports whose observed records are all HTTP requests get HTTP rules.
   * @default false - HTTP requests are allowed at L4, with a note
   */
  readonly ciliumHttpNormalizePath?: boolean;
  /** How HTTP rules are written (cilium with `ciliumHttpNormalizePath` only). @default - exact paths, at most DEFAULT_MAX_HTTP_RULES per port */
  readonly http?: HttpRulesOptions;
  /** Told each step as it starts (for progress on large inputs). @default - nothing is told */
  readonly progress?: (step: string) => void;
}

/** Why an engine gets no HTTP rules from recommend (the note's hint). */
const HTTP_HINTS: Record<PlanEngineKind, string> = {
  kubernetes: 'NetworkPolicy has no HTTP rules; --engine cilium with --cilium-http-normalize-path writes them',
  calico: 'the calico engine enforces HTTP rules only with application layer policy (Istio sidecars), which recommend does not declare; '
    + '--engine cilium with --cilium-http-normalize-path writes them',
  cilium: 'pass --cilium-http-normalize-path (Cilium\'s default http-normalize-path=true, declared) to have them written as HTTP rules',
};

/** What `runRecommend` produced: the recommendation, its plan, the proof, the tests and the files. */
export interface RecommendRun {
  readonly recommendation: Recommendation;
  readonly plan: ImportPlan;
  readonly proof: RecommendationProof;
  /** How many policies the app synthesized (as the analyzer reads them). */
  readonly policyCount: number;
  readonly tests: GeneratedTests;
  readonly files: readonly AppFile[];
}

/** The recommended app does not synthesize (a guardrail or capability check refused it): the message says why. */
export class RecommendSynthesisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecommendSynthesisError';
  }
}

/**
 * From observed connections to a proven app: the recommendation at workload granularity, its
 * import plan, the plan built in process (`buildIntents`) and synthesized, the proof on the cluster
 * model (every observed allowed flow is allowed; what else the grouping allows), the generated
 * tests, and the files to write. Nothing is written here.
 *
 * @throws AnalysisInputError for input the recommendation refuses (nothing to allow, unseparable
 * workloads, outside addresses without the cluster's CIDRs)
 * @throws RecommendSynthesisError when the app does not synthesize
 */
export function runRecommend(cluster: ClusterModel, observed: ObservedConnections, options: RunRecommendOptions): RecommendRun {
  const httpRules = options.engine === 'cilium' && options.ciliumHttpNormalizePath === true;
  if (options.ciliumHttpNormalizePath && options.engine !== 'cilium') {
    throw new AnalysisInputError(`--cilium-http-normalize-path declares a setting of Cilium's agent; it applies to --engine cilium only, not ${options.engine}`);
  }
  if (!httpRules && (options.http?.pathPrefixDepth !== undefined || options.http?.overMaxAtL4)) {
    throw new AnalysisInputError(`${options.http?.pathPrefixDepth !== undefined ? '--http-path-prefix-depth' : '--http-l4-over-max'} shapes HTTP rules, which recommend writes `
      + 'only for --engine cilium with --cilium-http-normalize-path; leave it out, or choose that engine');
  }
  const recommendation = recommend(cluster, observed, {
    ...options,
    ...(httpRules ? { httpRules: options.http ?? {} } : { httpRulesHint: HTTP_HINTS[options.engine] }),
  });
  if (recommendation.allowances.length === 0) {
    const left = [...recommendation.ignored.map(i => i.count), recommendation.denied.reduce((n, c) => n + c.count, 0)].reduce((a, b) => a + b, 0);
    throw new AnalysisInputError(`${options.flowFile}: no flow to allow (${observed.flowRecords} flow records, ${left} left out`
      + `${recommendation.ignored[0] ? `, e.g. line ${recommendation.ignored[0].line}: ${recommendation.ignored[0].reason}` : ''}); `
      + 'recommend needs flows a record says were allowed between pods of the cluster file, or a pod and an outside address');
  }
  const outside = recommendation.allowances.flatMap(a => [a.source, a.destination]).filter(e => e.kind === 'cidr');
  const hasTarget = options.podCidrs !== undefined || options.serviceCidrs !== undefined;
  if (outside.length > 0 && !hasTarget) {
    throw new AnalysisInputError(`the observed flows reach outside addresses (${[...new Set(outside.map(e => (e as { cidr: string }).cidr))].slice(0, 3).join(', ')}), `
      + 'which the app allows as CIDR blocks; an engine renders a CIDR only for a cluster whose ranges are declared: '
      + 'pass --pod-cidr and --service-cidr (docs/TARGET-PROFILE.md, "CIDR peers and cluster addresses")');
  }
  const hasHttp = recommendation.allowances.some(a => a.ports.some(p => p.http));
  const plan = recommendationPlan(recommendation, {
    engine: options.engine,
    flowFile: options.flowFile,
    ...(hasTarget || hasHttp ? {
      target: {
        podCidrs: [...(options.podCidrs ?? [])],
        serviceCidrs: [...(options.serviceCidrs ?? [])],
        // Declared in the app as on the command line: the rules' paths mean what they say only with it.
        ...(hasHttp ? { ciliumHttpNormalizePath: true } : {}),
      },
    } : {}),
  });
  const progress = options.progress ?? (() => undefined);
  progress(`building and synthesizing ${plan.intents.length} intents over ${plan.workloads.length} workloads for Engine.${options.engine}()`);
  let policies;
  try {
    policies = synthesizedPolicies(buildIntents(plan));
  } catch (e) {
    if (e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError)) {
      throw new RecommendSynthesisError(`the recommended app does not synthesize on ${options.engine}: ${e.message.split('\n').filter(l => l.trim()).join(' ')}`);
    }
    throw e;
  }
  progress(`proving: auditing the observed flows against the ${policies.length} synthesized policies`);
  const proof = proveRecommendation(cluster, recommendation, policies, options.evaluator);
  progress('generating main.test.ts');
  const tests = generateTests(cluster, recommendation, proof.analyzer, {
    flowFile: options.flowFile,
    ...(options.maxAllowTests !== undefined ? { maxAllowed: options.maxAllowTests } : {}),
    ...(options.denySamples !== undefined ? { deniedSamples: options.denySamples } : {}),
  });
  const files = renderRecommendedApp(plan, {
    flowFile: options.flowFile,
    tests: tests.text,
    ...(options.library ? { library: options.library } : {}),
    ...(options.libraryVersion ? { libraryVersion: options.libraryVersion } : {}),
  });
  return { recommendation, plan, proof, policyCount: policies.length, tests, files };
}
