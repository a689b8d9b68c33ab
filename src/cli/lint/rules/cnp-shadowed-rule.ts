import { KIND, LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';
import { describeRule, describeStanding, rulesOf, ruleCovers, subjectCovers } from '../network-policy-api-policy';

const KINDS: readonly string[] = [KIND.clusterNetworkPolicy, KIND.adminNetworkPolicy, KIND.baselineAdminNetworkPolicy];

/**
 * A rule that can never decide: an earlier rule of the same policy, or a rule of a policy of the same
 * tier with a lower priority number (over the same or more pods), matches every connection it matches,
 * and the first match decides (network-policy-api ClusterNetworkPolicySpec `priority`, `ingress`,
 * `egress`). Decided on the selectors as written: a rule reported is always shadowed; one not reported
 * may still be.
 */
export function cnpShadowedRule(object: LintObject, context: LintContext): LintViolation[] {
  const policy = object.networkPolicyApi;
  if (!policy) return [];
  const violations: LintViolation[] = [];
  const earlierPolicies = context.objects.filter((o) => o !== object && o.networkPolicyApi && KINDS.includes(o.key)
    && o.networkPolicyApi.tier === policy.tier && o.networkPolicyApi.priority !== undefined && policy.priority !== undefined
    && o.networkPolicyApi.priority < policy.priority && subjectCovers(o.networkPolicyApi.subject, policy.subject));
  for (const later of rulesOf(policy)) {
    const own = rulesOf(policy).find((e) => e.direction === later.direction && e.index < later.index && ruleCovers(e.rule, later.rule));
    const other = own ? undefined : earlierPolicies.flatMap((o) => rulesOf(o.networkPolicyApi!)
      .filter((e) => e.direction === later.direction && ruleCovers(e.rule, later.rule))
      .map((e) => ({ object: o, rule: e })))[0];
    if (!own && !other) continue;
    const by = own ? `${describeRule(own)} above it` : `${describeRule(other!.rule)} of ${other!.object.kind} ${other!.object.name} (${describeStanding(other!.object.networkPolicyApi!)}), which runs first`;
    const action = own ? own.rule.action : other!.rule.rule.action;
    violations.push({
      path: later.path,
      message: `${describeRule(later)} (${later.rule.action}) never decides: ${by} matches every connection it matches and decides them ${action === later.rule.action ? 'the same way' : `with ${action}`}`,
      fix: action === later.rule.action ? 'remove the redundant rule' : 'move the rule above the broader one (or give its policy a lower priority number), or narrow the broader rule',
    });
  }
  return violations;
}
