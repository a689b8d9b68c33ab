import { matchesSelector, selectorFromLabelSelector } from '../../../analysis';
import { policyDirections } from '../kubernetes-policy';
import { LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';
import { describeRule, rulesOf, subjectPods } from '../network-policy-api-policy';

/**
 * A Pass rule hands connections to the NetworkPolicies of the pods (network-policy-api Pass: "passes
 * evaluation to the next tier"); where no NetworkPolicy selects the pods in that direction, they go on
 * to the Baseline tier or are simply allowed, which is rarely what a delegation meant. With `--cluster`,
 * checked pod by pod; without, reported when the input has no NetworkPolicy of that direction at all.
 */
export function cnpPassWithoutNetworkPolicy(object: LintObject, context: LintContext): LintViolation[] {
  const policy = object.networkPolicyApi;
  if (!policy) return [];
  const networkPolicies = context.objects.flatMap((o) => (o.networkPolicy ? [o.networkPolicy] : []));
  const violations: LintViolation[] = [];
  for (const r of rulesOf(policy).filter((x) => x.rule.action === 'Pass')) {
    const deciding = networkPolicies.flatMap((np) => policyDirections(np).filter((d) => d.direction === r.direction && d.effective).map(() => np));
    let undecided: string[];
    if (context.cluster) {
      undecided = subjectPods(context.cluster, policy.subject)
        .filter((pod) => !deciding.some((np) => np.namespace === pod.namespace
          && matchesSelector(selectorFromLabelSelector(np.spec.podSelector.matchLabels, np.spec.podSelector.matchExpressions), pod.labels)))
        .map((pod) => `${pod.namespace}/${pod.name}`);
    } else {
      undecided = deciding.length === 0 ? ['(every pod: the input has none)'] : [];
    }
    if (undecided.length === 0) continue;
    const shown = undecided.length > 3 ? `${undecided.slice(0, 3).join(', ')} and ${undecided.length - 3} more` : undecided.join(', ');
    violations.push({
      path: `${r.path}.action`,
      message: `${describeRule(r)} passes ${r.direction} to the NetworkPolicies of its pods, but no NetworkPolicy selects ${shown} for ${r.direction}: those connections go on to the Baseline tier, or are allowed when nothing there decides`,
      fix: 'add the NetworkPolicies the rule delegates to (at least a default deny per namespace), or decide the traffic in the Admin tier with Accept or Deny',
    });
  }
  return violations;
}
