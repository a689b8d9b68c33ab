import { effectivePolicyTypes } from '../kubernetes-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { isEmptyList, specOf } from '../manifest-fields';

/**
 * `policyTypes` omitted: the API server defaults it to Ingress, plus Egress only when `spec.egress`
 * has rules — so an "egress-only" policy also isolates ingress, and an egress deny-all does nothing
 * (K8S-TYPES; SEMANTICS §1).
 */
export function k8sMissingPolicyTypes(object: LintObject): LintViolation[] {
  const policy = object.networkPolicy;
  if (!policy || !isEmptyList(specOf(object.raw).policyTypes)) {
    return [];
  }
  const types = effectivePolicyTypes(policy);
  const hasIngressRules = (policy.spec.ingress ?? []).length > 0;
  const hasEgressRules = (policy.spec.egress ?? []).length > 0;
  const effect = hasEgressRules && !hasIngressRules
    ? 'besides restricting egress, it isolates the selected pods for ingress and, having no ingress rules, denies all their incoming traffic'
    : !hasEgressRules
      ? 'it never restricts egress: a deny-all-egress policy written without policyTypes does nothing'
      : 'both directions are isolated only because spec.egress happens to have rules';
  return [{
    path: 'spec.policyTypes',
    message: `policyTypes is omitted, so it defaults to [${types.join(', ')}]: ${effect}`,
    fix: `state the directions the policy governs: policyTypes: [${types.join(', ')}] if that is what you meant`,
  }];
}
