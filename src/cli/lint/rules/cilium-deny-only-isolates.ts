import { ciliumRules } from '../cilium-policy';
import { KIND, LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { asObject, isEmptyList } from '../manifest-fields';

/**
 * A Cilium rule with deny rules but no allow rules for a direction, and no `enableDefaultDeny`
 * for it: the deny still switches the selected endpoints to default deny, so everything not allowed
 * elsewhere is dropped too (CIL-DENY; cilium/cilium#20914).
 */
export function ciliumDenyOnlyIsolates(object: LintObject): LintViolation[] {
  if (object.key !== KIND.ciliumNetworkPolicy && object.key !== KIND.ciliumClusterwideNetworkPolicy) {
    return [];
  }
  const violations: LintViolation[] = [];
  for (const { rule, path } of ciliumRules(object)) {
    for (const direction of ['ingress', 'egress'] as const) {
      const setting = asObject(rule.enableDefaultDeny)?.[direction];
      if (!isEmptyList(rule[`${direction}Deny`]) && isEmptyList(rule[direction]) && setting === undefined) {
        violations.push({
          path: `${path}.${direction}Deny`,
          message: `a policy with only ${direction}Deny rules still puts the selected endpoints in default deny for ${direction}: `
            + `all ${direction} traffic that no other policy allows is dropped, not only what the deny names`,
          fix: `set enableDefaultDeny: {${direction}: false} if the policy should only deny, or {${direction}: true} to make the default deny explicit`,
        });
      }
    }
  }
  return violations;
}
