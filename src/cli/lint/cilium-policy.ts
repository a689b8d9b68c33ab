import { LintObject, RawObject } from './lint-object';
import {
  asList, asObject, asString, at, canonicalJson, hasField, isEmptyLabelSelector, isEmptyList, objectsOf,
} from './manifest-fields';
import type { PodScope } from './pod-scope';

/** The label Cilium gives every pod for its namespace, with the source prefixes a selector may use. */
export const CILIUM_NAMESPACE_KEYS = ['k8s:io.kubernetes.pod.namespace', 'io.kubernetes.pod.namespace', 'any:io.kubernetes.pod.namespace'];

/** The rule lists of a Cilium rule: allow and deny, per direction. */
export const CILIUM_RULE_LISTS = ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const;

/** The rules of a Cilium policy: `spec` and every entry of `specs`, with their paths. */
export function ciliumRules(object: LintObject): { readonly rule: RawObject; readonly path: string }[] {
  const rules: { rule: RawObject; path: string }[] = [];
  const spec = asObject(object.raw.spec);
  if (spec) {
    rules.push({ rule: spec, path: 'spec' });
  }
  objectsOf(object.raw.specs).forEach(({ value, index }) => rules.push({ rule: value, path: at('specs', index) }));
  return rules;
}

/** A Cilium endpoint selector without its namespace label (a CNP is scoped to its namespace anyway). */
export function ciliumScope(selector: unknown): PodScope {
  const object = asObject(selector) ?? {};
  const labels = { ...(asObject(object.matchLabels) ?? {}) };
  for (const key of CILIUM_NAMESPACE_KEYS) {
    delete labels[key];
  }
  const stripped = { matchLabels: labels, matchExpressions: asList(object.matchExpressions) };
  return { all: isEmptyLabelSelector(stripped), key: `cilium:${canonicalJson(stripped)}` };
}

/** A CNP's namespace, or the namespace a CCNP's endpoint selector names, or undefined (cluster-wide). */
export function ciliumNamespace(object: LintObject, rule: RawObject): string | undefined {
  if (object.namespace !== undefined) {
    return object.namespace;
  }
  const labels = asObject(asObject(rule.endpointSelector)?.matchLabels) ?? {};
  return CILIUM_NAMESPACE_KEYS.map((key) => asString(labels[key])).find((value) => value !== undefined);
}

/** The peer fields of Cilium rules (L3). */
const CILIUM_PEER_FIELDS = [
  'toEndpoints', 'toEntities', 'toCIDR', 'toCIDRSet', 'toFQDNs', 'toServices', 'toGroups', 'toNodes', 'toRequires',
  'fromEndpoints', 'fromEntities', 'fromCIDR', 'fromCIDRSet', 'fromGroups', 'fromNodes', 'fromRequires',
];

/**
 * True for a rule with no peer and no port (`{}`, or only empty lists): upstream's default-deny
 * fixture, which matches nothing (SEMANTICS §2 "Empty rule lists"; open question 1 for old versions).
 */
export function isEmptyCiliumRule(rule: RawObject): boolean {
  return CILIUM_PEER_FIELDS.every((field) => isEmptyList(rule[field])) && isEmptyList(rule.toPorts) && isEmptyList(rule.icmps);
}

/**
 * True if a peer field is written as an empty list (`toEndpoints: []`): Cilium then matches no peer,
 * whatever else the rule says — except an empty `toFQDNs`, which Cilium does not check.
 */
export function hasEmptyPeerField(rule: RawObject): boolean {
  return CILIUM_PEER_FIELDS.some((field) => field !== 'toFQDNs' && hasField(rule, field) && isEmptyList(rule[field]));
}

/** True if an egress rule may reach outside the policy's own namespace (or any peer). */
export function ciliumRemotePeer(object: LintObject, rule: RawObject): boolean {
  const l3 = ['toEndpoints', 'toEntities', 'toCIDR', 'toCIDRSet', 'toFQDNs', 'toServices', 'toGroups', 'toNodes'].filter((field) => !isEmptyList(rule[field]));
  if (l3.length === 0 || l3.some((field) => field !== 'toEndpoints') || object.namespace === undefined) {
    return true;
  }
  return objectsOf(rule.toEndpoints).some(({ value }) => {
    const labels = asObject(value.matchLabels) ?? {};
    const expressions = objectsOf(value.matchExpressions).map((entry) => asString(entry.value.key));
    return CILIUM_NAMESPACE_KEYS.some((key) => (labels[key] !== undefined && labels[key] !== object.namespace) || expressions.includes(key));
  });
}

