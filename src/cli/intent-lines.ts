import { AnalysisPolicy, DirectionVerdict, formatIntentRef, formatPolicyRef, formatRuleRef, IntentRef, Verdict } from '../analysis';

/** The intents the policies name, by rule reference and by policy reference (as verdicts name them). */
export interface IntentIndex {
  /** Whether any policy or rule names an intent. */
  readonly any: boolean;
  /** The intent behind a rule: its own, else its policy's. */
  rule(ruleRef: string): IntentRef | undefined;
  /** The intent a policy names. */
  policy(policyRef: string): IntentRef | undefined;
}

const INDEXES = new WeakMap<readonly AnalysisPolicy[], IntentIndex>();

/** The intent index of a policy set, built once per set. */
export function intentIndex(policies: readonly AnalysisPolicy[]): IntentIndex {
  let index = INDEXES.get(policies);
  if (!index) {
    const rules = new Map<string, IntentRef>();
    const byPolicy = new Map<string, IntentRef>();
    for (const p of policies) {
      const ref = formatPolicyRef(p.ref);
      if (p.intent && !byPolicy.has(ref)) byPolicy.set(ref, p.intent);
      for (const r of [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])]) {
        const intent = r.intent ?? p.intent;
        if (intent) rules.set(formatRuleRef(p.ref, r.label), intent);
      }
    }
    index = {
      rule: (ruleRef) => rules.get(ruleRef),
      policy: (policyRef) => byPolicy.get(policyRef),
      any: rules.size > 0 || byPolicy.size > 0,
    };
    INDEXES.set(policies, index);
  }
  return index;
}

/**
 * For each step of a verdict, the intent behind what decided it: the intents of the rules that
 * allowed or denied the flow, or, for a default deny, of the policies that isolate the endpoint.
 * Empty when the manifests name no intent at all (hand-written policies).
 */
export function intentLines(verdict: Verdict, policies: readonly AnalysisPolicy[]): string[] {
  const index = intentIndex(policies);
  if (!index.any) return [];
  const layers = new Set(verdict.steps.map((step) => step.layer));
  const lines: string[] = [];
  for (const step of verdict.steps) {
    const what = stepIntents(step, index);
    if (what) lines.push(`  ${layers.size > 1 ? `[${step.layer}] ` : ''}${step.direction} at ${step.endpoint}: ${what}`);
  }
  return lines.length ? ['', 'intents:', ...lines] : [];
}

function stepIntents(step: DirectionVerdict, index: IntentIndex): string | undefined {
  const rule = (ref: string) => named(index.rule(ref), ref);
  if (step.allowedBy.length) return `allowed by ${step.allowedBy.map(rule).join(', ')}`;
  if (step.deniedBy.length) return `denied by ${step.deniedBy.map(rule).join(', ')}`;
  if (!step.allowed && step.isolatedBy.length) {
    return `isolated by ${step.isolatedBy.map((ref) => named(index.policy(ref), ref)).join(', ')}, and no rule allowed the flow`;
  }
  return undefined;
}

/** `AllowFrom prod/web (NetworkPolicy prod/web-ingress ingress[0])`, or the reference and that it names no intent. */
function named(intent: IntentRef | undefined, ref: string): string {
  return intent ? `${formatIntentRef(intent)} (${ref})` : `${ref} (names no intent)`;
}
