import { authorizationRules, isAuthorizationPolicy } from '../istio-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { asList, asObject, asString, at, objectsOf } from '../manifest-fields';

/** Fields compiled by `StringMatcherWithPrefix` / `HeaderMatcher`: one `*` at the start or the end is a wildcard, any other `*` a literal. */
const OPERATION_FIELDS = ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'];
const SOURCE_FIELDS = ['principals', 'notPrincipals'];

/**
 * A `*` in an AuthorizationPolicy value that Istio takes literally: only `*` itself, a leading
 * `*` (suffix) or a trailing `*` (prefix) are patterns, checked in that order, so
 * `cluster.local/ns/*\/sa/web`, `/api/*\/users` and `*admin*` (the suffix `admin*`) match
 * nothing a client sends — an ALLOW then allows nothing, a DENY denies nothing (istio/istio
 * `pilot/pkg/security/authz/matcher/string.go`, `header.go`; SEMANTICS §4, §6 Istio 6).
 * `namespaces`, where every `*` is a wildcard, and paths with `{*}`/`{**}` templates are left alone.
 */
export function istioLiteralWildcard(object: LintObject): LintViolation[] {
  if (!isAuthorizationPolicy(object)) {
    return [];
  }
  const violations: LintViolation[] = [];
  for (const { value: rule, index } of authorizationRules(object)) {
    const base = at('spec.rules', index);
    const check = (path: string, value: unknown) => {
      const text = asString(value);
      if (text === undefined || text.includes('{*}') || text.includes('{**}') || !hasLiteralStar(text)) {
        return;
      }
      violations.push({
        path,
        message: `${JSON.stringify(text)} has a "*" Istio takes literally (only a single leading or trailing "*" is a wildcard): `
          + 'it matches no value a client sends',
        fix: 'use one wildcard at the start (suffix) or the end (prefix); for a path segment use the template {*} (Istio 1.22+); '
          + 'for a namespace in a principal use namespaces: [...] or cluster.local/ns/<namespace>/sa/*',
      });
    };
    objectsOf(rule.to).forEach(({ value: to, index: j }) => {
      const operation = asObject(to.operation) ?? {};
      for (const field of OPERATION_FIELDS) {
        asList(operation[field]).forEach((value, k) => check(at(`${at(`${base}.to`, j)}.operation.${field}`, k), value));
      }
    });
    objectsOf(rule.from).forEach(({ value: from, index: j }) => {
      const source = asObject(from.source) ?? {};
      for (const field of SOURCE_FIELDS) {
        asList(source[field]).forEach((value, k) => check(at(`${at(`${base}.from`, j)}.source.${field}`, k), value));
      }
    });
  }
  return violations;
}

/** True if a `*` of the value is not the pattern itself, nor the one leading or trailing wildcard. */
function hasLiteralStar(value: string): boolean {
  if (value === '*') {
    return false;
  }
  const pattern = value.startsWith('*') ? value.slice(1) : value.endsWith('*') ? value.slice(0, -1) : value;
  return pattern.includes('*');
}
