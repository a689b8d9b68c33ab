import { authorizationAction, authorizationRules, isAuthorizationPolicy } from '../istio-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { isEmptyList } from '../manifest-fields';

/**
 * An ALLOW rule with no `from`, `to` or `when` (`rules: [{}]`): it matches every request, so the
 * policy allows everything to the selected workloads — the opposite of `spec: {}`, which allows
 * nothing (IAPI "Empty forms"; SEMANTICS §6 Istio 5).
 */
export function istioAllowAllRule(object: LintObject): LintViolation[] {
  if (!isAuthorizationPolicy(object) || authorizationAction(object) !== 'ALLOW') {
    return [];
  }
  return authorizationRules(object)
    .filter(({ value }) => isEmptyList(value.from) && isEmptyList(value.to) && isEmptyList(value.when))
    .map(({ index }) => ({
      path: `spec.rules[${index}]`,
      message: 'an empty ALLOW rule matches every request: the policy allows all traffic to the selected workloads',
      fix: 'name the sources (from), operations (to) or conditions (when) to allow; for a default deny use an ALLOW policy without rules (spec: {})',
    }));
}
