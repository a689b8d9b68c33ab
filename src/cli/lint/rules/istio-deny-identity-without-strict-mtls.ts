import {
  authorizationAction, authorizationRules, IDENTITY_SOURCE_FIELDS, isAuthorizationPolicy, ISTIO_ROOT_NAMESPACE, setFields, strictMtlsCovers,
} from '../istio-policy';
import { LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';

/**
 * A DENY on peer identities (principals, namespaces, serviceAccounts) without STRICT mTLS for the
 * namespace: a plaintext request carries no identity, so the deny never fires for it — a client can
 * bypass it by not using mTLS (ISTIO-SECURITY-2021-003; SEMANTICS §6 Istio 2). Compliant when a
 * STRICT PeerAuthentication in the namespace or the root namespace is linted with it.
 */
export function istioDenyIdentityWithoutStrictMtls(object: LintObject, context: LintContext): LintViolation[] {
  if (!isAuthorizationPolicy(object) || authorizationAction(object) !== 'DENY' || strictMtlsCovers(context, object.namespace)) {
    return [];
  }
  const violations: LintViolation[] = [];
  for (const { value: rule, index } of authorizationRules(object)) {
    const fields = setFields(rule.from, 'source', IDENTITY_SOURCE_FIELDS);
    if (fields.length > 0) {
      violations.push({
        path: `spec.rules[${index}].from`,
        message: `the deny matches ${fields.join(', ')}, which come from the client certificate: a plaintext request has no identity and is not denied, `
          + `and no STRICT PeerAuthentication in ${object.namespace ?? 'its namespace'} or ${ISTIO_ROOT_NAMESPACE} forces mTLS`,
        fix: 'add a PeerAuthentication with mtls.mode STRICT for the namespace (migrate through PERMISSIVE first), or deny with notPrincipals so plaintext is denied too',
      });
    }
  }
  return violations;
}
