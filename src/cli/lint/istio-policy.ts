import { KIND, LintObject, RawObject } from './lint-object';
import { LintContext } from './lint-rule';
import { asList, asObject, asString, objectsOf, specOf } from './manifest-fields';
import { perRun } from './per-run';

/** Istio's default root namespace, whose policies apply mesh-wide (`meshConfig.rootNamespace`). */
export const ISTIO_ROOT_NAMESPACE = 'istio-system';

/** Operation fields that only HTTP traffic carries (IAPI). */
export const HTTP_OPERATION_FIELDS = ['methods', 'paths', 'hosts', 'notMethods', 'notPaths', 'notHosts'];

/** Source fields that only HTTP traffic carries (JWT claims, forwarded addresses). */
export const HTTP_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals', 'remoteIpBlocks', 'notRemoteIpBlocks'];

/** Source fields read from the peer certificate: they need mTLS to ever match (IAPI). */
export const IDENTITY_SOURCE_FIELDS = ['principals', 'namespaces', 'serviceAccounts'];

/** `when` keys ztunnel can evaluate (L4); anything else is L7 (IST ambient/authorization.go). */
export const L4_CONDITION_KEYS = ['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port'];

/** An AuthorizationPolicy's action, ALLOW when omitted. */
export function authorizationAction(object: LintObject): string {
  return asString(specOf(object.raw).action) ?? 'ALLOW';
}

/** True for an AuthorizationPolicy. */
export function isAuthorizationPolicy(object: LintObject): boolean {
  return object.key === KIND.istioAuthorizationPolicy;
}

/** The rules of an AuthorizationPolicy with their indices. */
export function authorizationRules(object: LintObject): { readonly value: RawObject; readonly index: number }[] {
  return objectsOf(specOf(object.raw).rules);
}

/** The fields of a list of `{source: {...}}` / `{operation: {...}}` entries that are set. */
export function setFields(entries: unknown, wrapper: 'source' | 'operation', fields: readonly string[]): string[] {
  const found = new Set<string>();
  for (const { value } of objectsOf(entries)) {
    const inner = asObject(value[wrapper]) ?? {};
    for (const field of fields) {
      if (asList(inner[field]).length > 0) {
        found.add(field);
      }
    }
  }
  return fields.filter((field) => found.has(field));
}

/** The L7 attributes a rule uses: HTTP operation and source fields, and `when` keys beyond L4. */
export function l7Attributes(rule: RawObject): string[] {
  const conditions = objectsOf(rule.when).map(({ value }) => asString(value.key) ?? '').filter((key) => key && !L4_CONDITION_KEYS.includes(key));
  return [...setFields(rule.to, 'operation', HTTP_OPERATION_FIELDS), ...setFields(rule.from, 'source', HTTP_SOURCE_FIELDS), ...conditions.map((key) => `when ${key}`)];
}

/** True if a STRICT PeerAuthentication in the namespace or the root namespace exists among the objects of the run. */
export function strictMtlsCovers(context: LintContext, namespace: string | undefined): boolean {
  const strict = perRun(context, strictNamespaces);
  return strict.has(ISTIO_ROOT_NAMESPACE) || (namespace !== undefined && strict.has(namespace));
}

/** The namespaces with a STRICT PeerAuthentication, once per run. */
function strictNamespaces(context: LintContext): ReadonlySet<string> {
  return new Set(context.objects
    .filter((object) => object.key === KIND.istioPeerAuthentication && asString(asObject(specOf(object.raw).mtls)?.mode) === 'STRICT')
    .flatMap((object) => (object.namespace === undefined ? [] : [object.namespace])));
}
