import { ciliumRules } from '../cilium-policy';
import { KIND, LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { asObject, asString, at, isEmptyList, objectsOf } from '../manifest-fields';

/**
 * HTTP (or Kafka) rules on a port rule whose ports are not all `protocol: TCP` (an omitted protocol
 * is ANY): Cilium's validation rejects the policy, which is then not enforced (CIL-API; SEMANTICS §6 Cilium 7).
 */
export function ciliumL7RequiresTcp(object: LintObject): LintViolation[] {
  if (object.key !== KIND.ciliumNetworkPolicy && object.key !== KIND.ciliumClusterwideNetworkPolicy) {
    return [];
  }
  const violations: LintViolation[] = [];
  for (const { rule, path } of ciliumRules(object)) {
    for (const list of ['ingress', 'egress'] as const) {
      for (const { value: entry, index } of objectsOf(rule[list])) {
        for (const { value: portRule, index: portRuleIndex } of objectsOf(entry.toPorts)) {
          const l7 = asObject(portRule.rules);
          if (!l7 || (isEmptyList(l7.http) && isEmptyList(l7.kafka))) {
            continue;
          }
          const offending = objectsOf(portRule.ports).filter(({ value }) => (asString(value.protocol) ?? 'ANY').toUpperCase() !== 'TCP');
          if (offending.length > 0) {
            violations.push({
              path: `${at(`${at(`${path}.${list}`, index)}.toPorts`, portRuleIndex)}.ports`,
              message: `L7 rules need protocol TCP on every port of their port rule, but ${offending.map(({ value }) => `port ${String(value.port ?? '(any)')} has `
                + `${value.protocol === undefined ? 'no protocol (ANY)' : `protocol ${String(value.protocol)}`}`).join(', ')}: Cilium rejects the policy and enforces none of it`,
              fix: 'set protocol: TCP on every port of a port rule that has HTTP or Kafka rules',
            });
          }
        }
      }
    }
  }
  return violations;
}
