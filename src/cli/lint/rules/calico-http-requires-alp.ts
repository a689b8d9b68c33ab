import { isCalicoPolicy } from '../calico-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { asObject, objectsOf, specOf } from '../manifest-fields';

/**
 * An `http` match on a Calico rule: enforced only by Application Layer Policy (Felix policy sync,
 * Dikastes, Istio sidecars on the selected pods), on ingress Allow rules (TDOC app-layer-policy;
 * SEMANTICS §6 Calico 8).
 */
export function calicoHttpRequiresAlp(object: LintObject): LintViolation[] {
  if (!isCalicoPolicy(object)) {
    return [];
  }
  const spec = specOf(object.raw);
  const violations: LintViolation[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    for (const { value, index } of objectsOf(spec[direction])) {
      if (asObject(value.http) !== undefined) {
        violations.push({
          path: `spec.${direction}[${index}].http`,
          message: 'HTTP matches are enforced only where Calico Application Layer Policy runs (Dikastes with Istio sidecars on the selected pods); '
            + 'check that every selected pod has it',
          fix: 'enable Application Layer Policy and inject sidecars into the selected pods, or enforce the HTTP rule in Istio (AuthorizationPolicy) instead',
        });
      }
    }
  }
  return violations;
}
