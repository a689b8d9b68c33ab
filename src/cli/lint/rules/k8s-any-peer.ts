import { describePorts, policyDirections } from '../kubernetes-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { hasField, objectsOf, specOf } from '../manifest-fields';

/**
 * A rule with ports but without `from`/`to`: every peer may connect on those ports, including
 * addresses outside the cluster. Sometimes meant (a public endpoint), often an oversight in a
 * zero-trust namespace (K8S-TYPES "Empty vs. missing").
 */
export function k8sAnyPeer(object: LintObject): LintViolation[] {
  const policy = object.networkPolicy;
  if (!policy) {
    return [];
  }
  const spec = specOf(object.raw);
  const violations: LintViolation[] = [];
  for (const direction of policyDirections(policy).filter((d) => d.effective)) {
    for (const { value: rule, index } of objectsOf(spec[direction.direction])) {
      const ports = direction.rules[index]?.ports ?? [];
      if (!hasField(rule, direction.peerField) && ports.length > 0) {
        const who = direction.direction === 'ingress' ? 'every source' : 'every destination';
        violations.push({
          path: `spec.${direction.direction}[${index}]`,
          message: `${direction.direction}[${index}] has no ${direction.peerField}: ${who} (any pod, any namespace, any external address) is allowed on ${describePorts(ports)}`,
          fix: `name the peers under ${direction.peerField} (podSelector, namespaceSelector or ipBlock); if every peer is intended (a public endpoint), keep the rule and record why`,
        });
      }
    }
  }
  return violations;
}
