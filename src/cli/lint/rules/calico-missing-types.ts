import { isCalicoPolicy } from '../calico-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { isEmptyList, specOf } from '../manifest-fields';

/**
 * A Calico policy without `types`: Calico derives them from the rules (Egress only when there are
 * only egress rules), unlike Kubernetes, so the same-looking policy isolates different directions
 * on the two APIs (SEMANTICS §3 "types default differs from K8s").
 */
export function calicoMissingTypes(object: LintObject): LintViolation[] {
  if (!isCalicoPolicy(object)) {
    return [];
  }
  const spec = specOf(object.raw);
  if (!isEmptyList(spec.types)) {
    return [];
  }
  const ingress = !isEmptyList(spec.ingress);
  const egress = !isEmptyList(spec.egress);
  const types = egress && !ingress ? ['Egress'] : ingress && egress ? ['Ingress', 'Egress'] : ['Ingress'];
  return [{
    path: 'spec.types',
    message: `types is not set, so Calico derives [${types.join(', ')}] from the rules: `
      + (egress && !ingress ? 'the policy leaves ingress open, where a Kubernetes policy with the same rules would isolate it'
        : !egress ? 'a default deny of egress written this way does nothing' : 'both directions are isolated only because both have rules'),
    fix: `state the directions: types: [${types.join(', ')}] if that is what you meant`,
  }];
}
