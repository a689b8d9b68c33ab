import { describePorts, policyDirections } from '../kubernetes-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';

/**
 * `endPort` ranges: a network plugin without endPort support accepts the policy and enforces only
 * `port`, silently narrowing the rule (kubernetes/kubernetes#110868 release note; cilium/cilium#28684).
 */
export function k8sEndPort(object: LintObject): LintViolation[] {
  const policy = object.networkPolicy;
  if (!policy) {
    return [];
  }
  const violations: LintViolation[] = [];
  for (const direction of policyDirections(policy).filter((d) => d.effective)) {
    direction.rules.forEach((rule, i) => {
      rule.ports.forEach((port, j) => {
        if (port.endPort !== undefined) {
          violations.push({
            path: `spec.${direction.direction}[${i}].ports[${j}].endPort`,
            message: `the port range ${describePorts([port])} needs endPort support in the network plugin; a plugin without it enforces only port ${port.port}`,
            fix: 'check that every cluster this policy runs on supports endPort (Kubernetes 1.25+ and a plugin that implements it), or list the ports one by one',
          });
        }
      });
    });
  }
  return violations;
}
