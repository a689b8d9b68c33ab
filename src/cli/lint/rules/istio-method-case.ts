import { authorizationRules, isAuthorizationPolicy } from '../istio-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { asList, asObject, asString, at, objectsOf } from '../manifest-fields';

/**
 * An AuthorizationPolicy method with lower-case letters (`get`): Envoy compares `:method`
 * case-sensitively and HTTP methods are upper case (RFC 9110 §9.1), so it matches no request —
 * an ALLOW allows nothing, a DENY on `delete` lets DELETE through (istio/istio
 * `pilot/pkg/security/authz/matcher/header.go`: `ignore_case` false).
 */
export function istioMethodCase(object: LintObject): LintViolation[] {
  if (!isAuthorizationPolicy(object)) {
    return [];
  }
  const violations: LintViolation[] = [];
  for (const { value: rule, index } of authorizationRules(object)) {
    objectsOf(rule.to).forEach(({ value: to, index: j }) => {
      const operation = asObject(to.operation) ?? {};
      for (const field of ['methods', 'notMethods']) {
        asList(operation[field]).forEach((value, k) => {
          const method = asString(value);
          if (method !== undefined && method !== method.toUpperCase()) {
            violations.push({
              path: at(`${at(`${at('spec.rules', index)}.to`, j)}.operation.${field}`, k),
              message: `method ${JSON.stringify(method)} is compared case-sensitively with the request's, and clients send ${JSON.stringify(method.toUpperCase())}: it matches no request`,
              fix: `write ${JSON.stringify(method.toUpperCase())}`,
            });
          }
        });
      }
    });
  }
  return violations;
}
