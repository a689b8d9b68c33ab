import { policyDirections, describePorts } from '../kubernetes-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { hasField, isEmptyList, objectsOf, specOf } from '../manifest-fields';

/**
 * An explicit empty peer list (`from: []`, `to: []`, `from:` with no value) next to ports: it reads
 * as "nobody" but means every peer, external addresses included (ahmetb/kubernetes-network-policy-recipes#84,
 * kubernetes/website#34867). Without ports the rule is an allow-all, reported by k8s-allow-all-rule.
 */
export function k8sEmptyPeerList(object: LintObject): LintViolation[] {
  const policy = object.networkPolicy;
  if (!policy) {
    return [];
  }
  const spec = specOf(object.raw);
  const violations: LintViolation[] = [];
  for (const direction of policyDirections(policy).filter((d) => d.effective)) {
    for (const { value: rule, index } of objectsOf(spec[direction.direction])) {
      const ports = direction.rules[index]?.ports ?? [];
      if (hasField(rule, direction.peerField) && isEmptyList(rule[direction.peerField]) && ports.length > 0) {
        violations.push({
          path: `spec.${direction.direction}[${index}].${direction.peerField}`,
          message: `${direction.peerField} is an empty list, which means every peer (any pod, any namespace, any external address) `
            + `on ${describePorts(ports)} — not nobody`,
          fix: `to allow nobody, delete the rule; otherwise list the peers under ${direction.peerField}`,
        });
      }
    }
  }
  return violations;
}
