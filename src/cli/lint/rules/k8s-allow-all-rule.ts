import { policyDirections } from '../kubernetes-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';

/**
 * A rule with no peers and no ports (`ingress: [{}]`, `- from: []`): it allows all traffic in its
 * direction, from anywhere, on every port, which cancels the isolation of the selected pods
 * (K8S-TYPES "Empty vs. missing"; SEMANTICS §6 K8s 3).
 */
export function k8sAllowAllRule(object: LintObject): LintViolation[] {
  const policy = object.networkPolicy;
  if (!policy) {
    return [];
  }
  const violations: LintViolation[] = [];
  for (const direction of policyDirections(policy).filter((d) => d.effective)) {
    direction.rules.forEach((rule, i) => {
      if (rule.peers.length === 0 && rule.ports.length === 0) {
        const side = direction.direction === 'ingress' ? 'from any source' : 'to any destination';
        violations.push({
          path: `spec.${direction.direction}[${i}]`,
          message: `${direction.direction}[${i}] has no ${direction.peerField} and no ports: it allows all ${direction.direction} traffic ${side} `
            + '(any pod, any namespace, any address outside the cluster) on every port',
          fix: `list the allowed peers under ${direction.peerField} and the ports under ports; to allow nothing, delete the rule and keep ${direction.type} in policyTypes`,
        });
      }
    });
  }
  return violations;
}
