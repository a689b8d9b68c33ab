import { StringMatch } from '../ir/string-match';
import { PLACEHOLDER_TRUST_DOMAIN } from '../ir/workload-identity';

/**
 * Istio's string fields compiled into Envoy matchers exactly as istiod compiles them
 * (istio/istio @ 86c9f01fd735, SEMANTICS.md [IST]), so that the analyzer evaluates what the proxy
 * evaluates. Every function mirrors one istiod function, named in its TSDoc; a value Istio or
 * Envoy would refuse, or whose meaning depends on something the analyzer does not know, returns
 * a `problem` instead of a matcher.
 */

/** A matcher, or why there is none. */
export type MatcherResult = { readonly match: StringMatch } | { readonly problem: string };

/**
 * `pilot/pkg/security/authz/matcher/string.go` `StringMatcherWithPrefix(v, "")`: `*` is a regex
 * `.+` (any non-empty value), `*abc` a suffix, `abc*` a prefix, anything else exact — checked in
 * that order, so a `*` anywhere else, or a second one, is a literal character (`*a*` is the suffix `a*`).
 */
export function istioStringMatch(value: string): StringMatch {
  if (value === '*') {
    return { kind: 'regex', value: '.+' };
  }
  if (value.startsWith('*')) {
    return { kind: 'suffix', value: value.slice(1) };
  }
  if (value.endsWith('*')) {
    return { kind: 'prefix', value: value.slice(0, -1) };
  }
  return { kind: 'exact', value };
}

/**
 * `matcher/header.go` `HeaderMatcher` (methods, on `:method`): `*` is a presence match (any
 * method), `*abc` a suffix, `abc*` a prefix, anything else exact; case-sensitive.
 */
export function istioHeaderMatch(value: string): StringMatch {
  if (value === '*') {
    return { kind: 'present' };
  }
  if (value.startsWith('*')) {
    return { kind: 'suffix', value: value.slice(1) };
  }
  if (value.endsWith('*')) {
    return { kind: 'prefix', value: value.slice(0, -1) };
  }
  return { kind: 'exact', value };
}

/**
 * `model/generator.go` `pathGenerator`: a path with a `{*}` or `{**}` operator is an Envoy URI
 * template (`pathTemplateRegex`); any other path is `istioStringMatch`. Both are compared with the
 * URL path (query string and fragment removed) by the caller.
 */
export function istioPathMatch(value: string): MatcherResult {
  if (value.includes(MATCH_ONE) || value.includes(MATCH_ANY)) {
    return pathTemplateRegex(value);
  }
  if (value.includes('{') || value.includes('}')) {
    return { problem: `path ${JSON.stringify(value)} contains "{" or "}" outside a {*} or {**} template operator, which Istio refuses` };
  }
  return { match: istioStringMatch(value) };
}

/**
 * `model/generator.go` `srcNamespaceGenerator`: every `*` becomes `.*` in the regex
 * `.*\/ns\/<namespace>\/.*`, matched against the whole SPIFFE ID — so `*` may also span `/`
 * (`*a` matches every identity, whose `/sa/` ends in `a/`). Evaluated on the pod's SPIFFE ID as is;
 * the answer is the same for every trust domain except one literally named `ns`.
 */
export function istioNamespaceMatch(value: string): StringMatch {
  return { kind: 'regex', value: `.*/ns/${value.split('*').map(quoteMeta).join('.*')}/.*` };
}

/**
 * `model/generator.go` `serviceAccountRegex`: `<account>` (in the policy's namespace) or
 * `<namespace>/<account>`, the regex `spiffe://.+/ns/<ns>/(.+/|)sa/<account>(/.+)?` — any trust domain.
 */
export function istioServiceAccountMatch(policyNamespace: string, value: string): StringMatch {
  const slash = value.indexOf('/');
  const [namespace, account] = slash < 0 ? [policyNamespace, value] : [value.slice(0, slash), value.slice(slash + 1)];
  return { kind: 'regex', value: `spiffe://.+/ns/${quoteMeta(namespace)}/(.+/|)sa/${quoteMeta(account)}(/.+)?` };
}

/**
 * `model/generator.go` `srcPrincipalGenerator` after `trustdomain/bundle.go`
 * `ReplaceTrustDomainAliases`: a principal `<td>/ns/<ns>/sa/<sa>` (five `/`-separated parts)
 * whose trust domain is `cluster.local` or matches the mesh's is rewritten to the mesh's trust
 * domain; then `StringMatcherWithPrefix(v, "spiffe://")`: `*` is `.+`, `*abc` the regex
 * `spiffe://.*abc`, `abc*` the prefix `spiffe://abc`, anything else exact `spiffe://abc`.
 *
 * With `trustDomain` (the mesh's `meshConfig.trustDomain`, assumed without aliases), that is all,
 * and the pods' SPIFFE IDs use it. Without it, the analyzer evaluates a principal only when the
 * answer is the same for every trust domain: `*`, suffixes that stop before the trust domain
 * (a `*` followed by `/ns/prod/sa/web`, or by `sa/web`), five-part principals in `cluster.local`
 * (rewritten, so they mean the mesh's own), and exact values that can match no SPIFFE ID of the
 * model. Any other principal names a trust domain — it matches only if the mesh's is that one —
 * and is a problem.
 */
export function istioPrincipalMatch(value: string, trustDomain?: string): MatcherResult {
  if (trustDomain !== undefined) {
    return { match: principalMatcher(migrateTrustDomain(value, trustDomain)) };
  }
  const parts = value.split('/');
  if (value === '*' || (value.startsWith('*') && !(parts.length === 5 && parts[0] !== '*'))) {
    // A suffix reaches into the trust domain only with five parts whose first is not `*`.
    return { match: principalMatcher(value) };
  }
  if (parts.length === 5) {
    if (parts[0] !== ISTIO_LOCAL_TRUST_DOMAIN) {
      return { problem: trustDomainProblem(value, `names the trust domain ${JSON.stringify(parts[0])}`) };
    }
    return { match: principalMatcher(migrateTrustDomain(value, PLACEHOLDER_TRUST_DOMAIN)) };
  }
  if (value.endsWith('*') && !value.startsWith('/')) {
    return { problem: trustDomainProblem(value, 'is a prefix that starts in the trust domain and is not rewritten (only five-part principals are)') };
  }
  return { match: principalMatcher(value) }; // a prefix starting with "/", or an exact value without five parts: no SPIFFE ID matches
}

/** `StringMatcherWithPrefix(v, "spiffe://")` (`matcher/string.go`). */
function principalMatcher(value: string): StringMatch {
  if (value === '*') {
    return { kind: 'regex', value: '.+' };
  }
  if (value.startsWith('*')) {
    return { kind: 'regex', value: `spiffe://.*${quoteMeta(value.slice(1))}` };
  }
  if (value.endsWith('*')) {
    return { kind: 'prefix', value: `spiffe://${value.slice(0, -1)}` };
  }
  return { kind: 'exact', value: `spiffe://${value}` };
}

/**
 * `trustdomain/bundle.go` `ReplaceTrustDomainAliases` for the bundle `[trustDomain]`: a five-part
 * principal whose trust domain is not `*` and is `cluster.local` or matches the mesh's
 * (`stringMatch`: equal, or a prefix or suffix pattern either way) gets the mesh's trust domain —
 * unless its own is a suffix pattern the mesh's matches, which is kept as it is.
 */
export function migrateTrustDomain(principal: string, trustDomain: string): string {
  const parts = principal.split('/');
  if (parts.length !== 5 || parts[0] === '*') {
    return principal;
  }
  const own = parts[0];
  const related = own === trustDomain || prefixPattern(own, trustDomain) || prefixPattern(trustDomain, own)
    || suffixPattern(own, trustDomain) || suffixPattern(trustDomain, own);
  if (!related && own !== ISTIO_LOCAL_TRUST_DOMAIN) {
    return principal;
  }
  return suffixPattern(trustDomain, own) ? principal : [trustDomain, ...parts.slice(1)].join('/');
}

/** `trustdomain/util.go` `prefixMatch(a, pattern)`. */
function prefixPattern(a: string, pattern: string): boolean {
  return pattern.endsWith('*') && a.startsWith(pattern.slice(0, -1));
}

/** `trustdomain/util.go` `suffixMatch(a, pattern)`. */
function suffixPattern(a: string, pattern: string): boolean {
  return pattern.startsWith('*') && a.endsWith(pattern.slice(1));
}

/** The trust domain istiod treats as "the mesh's own" in principals (`constants.DefaultClusterLocalDomain`). */
export const ISTIO_LOCAL_TRUST_DOMAIN = 'cluster.local';

const MATCH_ONE = '{*}';
const MATCH_ANY = '{**}';
/** `pkg/config/security/security.go` `validLiteral` (RFC 3986 pchar). */
const ISTIO_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;
/** Envoy's `kLiteral` (`source/extensions/path/uri_template_lib/uri_template_internal.cc`): Istio's without `=`. */
const ENVOY_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@]+$/;
const ENVOY_LITERAL_CLASS = "a-zA-Z0-9\\-._~%!$&'()+,;:@";

/**
 * A path with `{*}` / `{**}` as the RE2 regex Envoy's URI-template matcher runs on the URL path:
 * Istio validates it (`CheckValidPathTemplate`: each segment is `{*}`, `{**}` or a literal, no
 * operator after `{**}`) and replaces the operators by `*` and `**`
 * (`matcher/template.go`); Envoy parses that (`parsePathPatternSyntax`) and builds
 * `/` + segments joined by `/`, where `*` is `[<literal>]+` (one segment), `**` is
 * `[<literal>/]*` (any number of segments, possibly none) and literals are escaped
 * (`toRegexPattern`). What either refuses is a problem: Istio's webhook rejects the policy, or
 * Envoy rejects the proxy's configuration, which then keeps an older one.
 */
export function pathTemplateRegex(path: string): MatcherResult {
  const segments = path.replace(/^\/+|\/+$/g, '').split('/');
  let seenAny = false;
  for (const segment of segments) {
    if (segment === MATCH_ONE || segment === MATCH_ANY) {
      if (seenAny) {
        return { problem: `path template ${JSON.stringify(path)}: {**} must be the last operator, which Istio enforces` };
      }
      seenAny = segment === MATCH_ANY;
      continue;
    }
    if (segment.includes('{') || segment.includes('}') || !ISTIO_LITERAL.test(segment)) {
      return {
        problem: `path template ${JSON.stringify(path)}: segment ${JSON.stringify(segment)} must be exactly {*}, {**} or a literal of letters, digits and -._~%!$&'()+,;:@= `
          + '(no "*" and nothing else next to an operator), which Istio enforces',
      };
    }
  }
  const envoy = path.split(MATCH_ANY).map((part) => part.split(MATCH_ONE).join('*')).join('**');
  if (!envoy.startsWith('/') || /\/\//.test(envoy) || envoy.split('/').some((segment) => segment !== '' && segment !== '*' && segment !== '**' && !ENVOY_LITERAL.test(segment))) {
    return {
      problem: `path template ${JSON.stringify(path)} passes Istio's validation but Envoy refuses it (it must start with "/", have no empty segment and no "="), `
        + 'so the proxy rejects the configuration and keeps an older one',
    };
  }
  const regex = envoy.slice(1).split('/').map((segment) => {
    if (segment === '*') return `[${ENVOY_LITERAL_CLASS}]+`;
    if (segment === '**') return `[${ENVOY_LITERAL_CLASS}/]*`;
    return segment.replace(/[$()+.]/g, '\\$&');
  }).join('/');
  return { match: { kind: 'regex', value: `/${regex}` } };
}

/** Go's `regexp.QuoteMeta`: escapes every RE2 metacharacter. */
export function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function trustDomainProblem(value: string, why: string): string {
  return `principal ${JSON.stringify(value)} ${why}, so whether it matches depends on the mesh's trust domain (meshConfig.trustDomain), which the analyzer was not told; `
    + 'pass it (--istio-trust-domain, or the istioTrustDomain option), or write five parts with the trust domain cluster.local, which istiod rewrites to the mesh\'s own (cluster.local/ns/<namespace>/sa/<account>, '
    + 'or cluster.local/ns/<namespace>/sa/* for every account), or a suffix such as */ns/<namespace>/sa/<account>';
}

/**
 * ztunnel's `StringMatch` (istio/ztunnel @ 62d826530e5c `src/rbac.rs`) for a value as istiod sends
 * it (`pilot/pkg/serviceregistry/ambient/authorization.go` `stringToMatch`): `*` is presence (a
 * non-empty value), `*abc` a suffix, `abc*` a prefix, anything else exact — the order of
 * `istioStringMatch`, with presence for `*`.
 */
export function ztunnelStringMatch(value: string): StringMatch {
  return value === '*' ? { kind: 'present' } : istioStringMatch(value);
}

/**
 * A principal as ztunnel matches it (`StringMatch::matches_principal`): the value as written —
 * istiod rewrites no trust domain for ztunnel (`ambient/authorization.go` has no
 * `ReplaceTrustDomainAliases`, which only the Envoy builder calls) — against the SPIFFE ID without
 * `spiffe://`; returned as a matcher on the whole SPIFFE ID (presence: a non-empty rest). The
 * model's SPIFFE IDs carry the mesh's trust domain when the analyzer was told it, else
 * `PLACEHOLDER_TRUST_DOMAIN` (`cluster.local`, Istio's default): then a `cluster.local/…`
 * principal, which Envoy reads as the mesh's own whatever it is, matches at ztunnel only under
 * that default (docs/dialects/istio.md).
 */
export function ztunnelPrincipalMatch(value: string): StringMatch {
  if (value === '*') return { kind: 'regex', value: 'spiffe://.+' };
  if (value.startsWith('*')) return { kind: 'regex', value: `spiffe://.*${quoteMeta(value.slice(1))}` };
  if (value.endsWith('*')) return { kind: 'prefix', value: `spiffe://${value.slice(0, -1)}` };
  return { kind: 'exact', value: `spiffe://${value}` };
}
