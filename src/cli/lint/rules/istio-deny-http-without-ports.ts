import { authorizationAction, authorizationRules, HTTP_OPERATION_FIELDS, isAuthorizationPolicy } from '../istio-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { asList, asObject, objectsOf } from '../manifest-fields';

/**
 * A DENY operation with HTTP fields (methods, paths, hosts) and no `ports`: on plain TCP the HTTP
 * attributes are missing, which a DENY counts as a match, so the rule denies every TCP connection
 * to the workload, on every port (IAPI; SEMANTICS §6 Istio 1).
 */
export function istioDenyHttpWithoutPorts(object: LintObject): LintViolation[] {
  if (!isAuthorizationPolicy(object) || authorizationAction(object) !== 'DENY') {
    return [];
  }
  const violations: LintViolation[] = [];
  for (const { value: rule, index } of authorizationRules(object)) {
    for (const { value: to, index: toIndex } of objectsOf(rule.to)) {
      const operation = asObject(to.operation) ?? {};
      const http = HTTP_OPERATION_FIELDS.filter((field) => asList(operation[field]).length > 0);
      if (http.length > 0 && asList(operation.ports).length === 0 && asList(operation.notPorts).length === 0) {
        violations.push({
          path: `spec.rules[${index}].to[${toIndex}].operation`,
          message: `a DENY operation with ${http.join(', ')} but no ports also matches every non-HTTP (TCP) connection, `
            + 'where those attributes are missing: it denies all TCP traffic to the selected workloads, on every port',
          fix: 'add ports: [the HTTP port] to the operation so the deny only applies where HTTP is spoken',
        });
      }
    }
  }
  return violations;
}
