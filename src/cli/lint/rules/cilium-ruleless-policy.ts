import { CILIUM_RULE_LISTS, ciliumRules } from '../cilium-policy';
import { KIND, LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { isEmptyList } from '../manifest-fields';

/**
 * A Cilium rule with none of ingress, ingressDeny, egress, egressDeny (or only empty lists, or only
 * `enableDefaultDeny`): the API server accepts it, Cilium's validation rejects it with
 * `Valid=False`, and nothing is enforced — a fail-open trap (CIL-API; cilium/cilium#35558).
 */
export function ciliumRulelessPolicy(object: LintObject): LintViolation[] {
  if (object.key !== KIND.ciliumNetworkPolicy && object.key !== KIND.ciliumClusterwideNetworkPolicy) {
    return [];
  }
  const fix = 'add the rules the policy is for; a default deny is `ingress: [{}]` / `egress: [{}]` (or a Kubernetes default-deny NetworkPolicy); '
    + 'in CI, read .status.conditions of applied policies';
  const rules = ciliumRules(object);
  if (rules.length === 0) {
    return [{ path: 'spec', message: 'the policy has neither spec nor specs: Cilium marks it Valid=False and enforces nothing', fix }];
  }
  return rules
    .filter(({ rule }) => CILIUM_RULE_LISTS.every((list) => isEmptyList(rule[list])))
    .map(({ path }) => ({
      path,
      message: `${path} has none of ${CILIUM_RULE_LISTS.join(', ')} (or only empty lists): the API server accepts it, `
        + 'but Cilium marks the policy Valid=False and enforces nothing — not even a default deny',
      fix,
    }));
}
