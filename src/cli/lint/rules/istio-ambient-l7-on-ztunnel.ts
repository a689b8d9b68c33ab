import {
  authorizationAction, authorizationRules, isAuthorizationPolicy, l7Attributes,
} from '../istio-policy';
import { LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';
import { isEmptyList, specOf } from '../manifest-fields';

const AMBIENT_LABEL = 'istio.io/dataplane-mode';

/**
 * L7 attributes in an AuthorizationPolicy enforced by ztunnel (no `targetRefs`) in an ambient
 * namespace (needs `--cluster` for the namespace labels): ztunnel only sees L4, so an ALLOW rule with
 * L7 attributes is dropped (the workload denies what it meant to allow) and a DENY loses them (it
 * denies more, or nothing at all) (IST ambient/authorization.go; istio/istio#61126; SEMANTICS §6 Istio 3).
 */
export function istioAmbientL7OnZtunnel(object: LintObject, context: LintContext): LintViolation[] {
  const cluster = context.cluster;
  if (!isAuthorizationPolicy(object) || !cluster || object.namespace === undefined || !isEmptyList(specOf(object.raw).targetRefs)) {
    return [];
  }
  const namespace = cluster.namespaces.get(object.namespace);
  if (!namespace || namespace.labels[AMBIENT_LABEL] !== 'ambient') {
    return [];
  }
  const action = authorizationAction(object);
  if (action !== 'ALLOW' && action !== 'DENY') {
    return [];
  }
  const violations: LintViolation[] = [];
  for (const { value: rule, index } of authorizationRules(object)) {
    const attributes = l7Attributes(rule);
    if (attributes.length === 0) {
      continue;
    }
    const effect = action === 'ALLOW'
      ? 'ztunnel drops the whole rule, so the traffic it meant to allow is denied'
      : 'ztunnel strips them, so the deny applies to all matching L4 traffic — or, with nothing L4 left, not at all';
    violations.push({
      path: `spec.rules[${index}]`,
      message: `namespace ${object.namespace} is ambient (${AMBIENT_LABEL}=ambient) and this policy has no targetRefs, `
        + `so ztunnel enforces it; it cannot see ${attributes.join(', ')}: ${effect}`,
      fix: 'deploy a waypoint for the workload and attach the L7 policy to it with targetRefs (kind Service or Gateway); keep ztunnel policies to L4 fields',
    });
  }
  return violations;
}
