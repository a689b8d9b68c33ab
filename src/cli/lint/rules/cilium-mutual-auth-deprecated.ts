import { CILIUM_RULE_LISTS, ciliumRules } from '../cilium-policy';
import { KIND, LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { asObject, at, objectsOf } from '../manifest-fields';

/**
 * `authentication.mode` on a Cilium rule: mutual authentication authenticates identities without
 * encrypting, is deprecated as of Cilium 1.20 and slated for removal (cilium/cilium#47132).
 */
export function ciliumMutualAuthDeprecated(object: LintObject): LintViolation[] {
  if (object.key !== KIND.ciliumNetworkPolicy && object.key !== KIND.ciliumClusterwideNetworkPolicy) {
    return [];
  }
  const violations: LintViolation[] = [];
  for (const { rule, path } of ciliumRules(object)) {
    for (const list of CILIUM_RULE_LISTS) {
      for (const { value, index } of objectsOf(rule[list])) {
        if (asObject(value.authentication) !== undefined) {
          violations.push({
            path: `${at(`${path}.${list}`, index)}.authentication`,
            message: 'Cilium mutual authentication is deprecated (1.20) and will be removed; it authenticates identities but does not encrypt',
            fix: 'remove authentication; use a service mesh (Istio STRICT mTLS) for workload identity, and WireGuard/IPsec for encryption',
          });
        }
      }
    }
  }
  return violations;
}
