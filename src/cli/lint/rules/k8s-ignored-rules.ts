import { policyDirections } from '../kubernetes-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';

/** Rules of a direction `policyTypes` leaves out: the API server keeps them, but they never apply (K8S-TYPES). */
export function k8sIgnoredRules(object: LintObject): LintViolation[] {
  const policy = object.networkPolicy;
  if (!policy) {
    return [];
  }
  return policyDirections(policy)
    .filter((direction) => !direction.effective && direction.rules.length > 0)
    .map((direction) => ({
      path: `spec.${direction.direction}`,
      message: `spec.${direction.direction} has ${direction.rules.length} rule${direction.rules.length === 1 ? '' : 's'}, but policyTypes does not list ${direction.type}: `
        + `they are ignored and the policy neither isolates nor allows ${direction.direction} traffic`,
      fix: `add ${direction.type} to policyTypes, or delete the rules`,
    }));
}
