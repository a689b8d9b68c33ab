import { isCalicoPolicy } from '../calico-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { specOf } from '../manifest-fields';

/**
 * A Calico policy without `order` runs after every ordered policy of its tier — including all
 * Kubernetes NetworkPolicies, which Calico places at order 1000 — so its Deny rules cannot override
 * their allows (SEMANTICS §3; projectcalico/calico#9292, #5940).
 */
export function calicoMissingOrder(object: LintObject): LintViolation[] {
  if (!isCalicoPolicy(object)) {
    return [];
  }
  const order = specOf(object.raw).order;
  if (order !== undefined && order !== null) {
    return [];
  }
  return [{
    path: 'spec.order',
    message: 'order is not set, so the policy runs after every ordered policy of its tier, Kubernetes NetworkPolicies (order 1000) included: '
      + 'their allows win over its Deny rules',
    fix: 'set spec.order explicitly (lower runs first; below 1000 to take precedence over Kubernetes NetworkPolicies), and spec.tier',
  }];
}
