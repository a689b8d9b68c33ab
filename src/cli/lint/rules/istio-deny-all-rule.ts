import { authorizationAction, authorizationRules, isAuthorizationPolicy } from '../istio-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { isEmptyList } from '../manifest-fields';

/**
 * A DENY rule with no `from`, `to` or `when`: it denies every request to the selected workloads, and
 * DENY runs before ALLOW, so no ALLOW policy can open anything again. Default deny is an ALLOW
 * policy with no rules (IAPI "Empty forms"; SEMANTICS §6 Istio 5).
 */
export function istioDenyAllRule(object: LintObject): LintViolation[] {
  if (!isAuthorizationPolicy(object) || authorizationAction(object) !== 'DENY') {
    return [];
  }
  return authorizationRules(object)
    .filter(({ value }) => isEmptyList(value.from) && isEmptyList(value.to) && isEmptyList(value.when))
    .map(({ index }) => ({
      path: `spec.rules[${index}]`,
      message: 'an empty DENY rule denies every request to the selected workloads, and no ALLOW policy can open anything again (DENY is evaluated first)',
      fix: 'for a default deny that allow policies can open, use an ALLOW policy without rules (spec: {}) instead',
    }));
}
