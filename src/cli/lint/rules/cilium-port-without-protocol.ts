import { CILIUM_RULE_LISTS, ciliumRules } from '../cilium-policy';
import { KIND, LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { at, objectsOf } from '../manifest-fields';

/**
 * A Cilium port without `protocol`: Cilium reads it as ANY (TCP, UDP and SCTP), unlike the TCP
 * default of Kubernetes, so the rule allows (or denies) more than it seems to (CIL-L4, CIL-API).
 */
export function ciliumPortWithoutProtocol(object: LintObject): LintViolation[] {
  if (object.key !== KIND.ciliumNetworkPolicy && object.key !== KIND.ciliumClusterwideNetworkPolicy) {
    return [];
  }
  const violations: LintViolation[] = [];
  for (const { rule, path } of ciliumRules(object)) {
    for (const list of CILIUM_RULE_LISTS) {
      for (const { value: entry, index } of objectsOf(rule[list])) {
        for (const { value: portRule, index: portRuleIndex } of objectsOf(entry.toPorts)) {
          for (const { value: port, index: portIndex } of objectsOf(portRule.ports)) {
            if (port.protocol === undefined || port.protocol === null) {
              violations.push({
                path: `${at(`${at(`${at(`${path}.${list}`, index)}.toPorts`, portRuleIndex)}.ports`, portIndex)}.protocol`,
                message: `port ${String(port.port ?? '(any)')} has no protocol, which Cilium reads as ANY: TCP, UDP and SCTP, not TCP as in Kubernetes`,
                fix: 'write the protocol (TCP, UDP or SCTP); use ANY only on purpose',
              });
            }
          }
        }
      }
    }
  }
  return violations;
}
