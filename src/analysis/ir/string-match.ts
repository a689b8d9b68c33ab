import { re2FullMatch } from './re2-regex';

/**
 * How an L7 string or a workload identity is compared: Envoy's `StringMatcher` and
 * `HeaderMatcher`, which is what Istio's and Cilium's proxies evaluate. Every kind is
 * case-sensitive.
 *
 * - `exact`: the whole value equals `value`;
 * - `prefix` / `suffix`: the value starts / ends with `value` (Envoy refuses an empty one);
 * - `regex`: the whole value matches the RE2 pattern `value` (`safe_regex`, see `re2-regex.ts`);
 * - `present`: the value is there, whatever it is (`present_match` of a header: Istio's `*` method).
 */
export type StringMatch =
  | { readonly kind: 'exact' | 'prefix' | 'suffix' | 'regex'; readonly value: string }
  | { readonly kind: 'present' };

/**
 * A condition on one string, as Istio writes it for a field and its `not…` twin: the value must
 * match one of `anyOf` (when given) and none of `noneOf` (when given).
 */
export interface StringCondition {
  /** undefined = any value. */
  readonly anyOf?: readonly StringMatch[];
  /** undefined = nothing excluded. */
  readonly noneOf?: readonly StringMatch[];
}

/** True if the value matches (see `StringMatch`). */
export function stringMatches(match: StringMatch, value: string): boolean {
  switch (match.kind) {
    case 'exact':
      return value === match.value;
    case 'prefix':
      return value.startsWith(match.value);
    case 'suffix':
      return value.endsWith(match.value);
    case 'regex':
      return re2FullMatch(match.value, value);
    case 'present':
      return true;
  }
}

/** True if the value satisfies the condition (see `StringCondition`). */
export function conditionHolds(condition: StringCondition, value: string): boolean {
  if (condition.anyOf !== undefined && !condition.anyOf.some((match) => stringMatches(match, value))) {
    return false;
  }
  return condition.noneOf === undefined || !condition.noneOf.some((match) => stringMatches(match, value));
}

/**
 * The URL path of a request path: everything before the first `?` (query) or `#` (fragment), as
 * Envoy's `PathMatcher` and URI-template matcher compare it (envoyproxy/envoy
 * `api/envoy/type/matcher/v3/path.proto`; `Http::PathUtil::removeQueryAndFragment`).
 */
export function urlPath(path: string): string {
  const end = path.search(/[?#]/);
  return end < 0 ? path : path.slice(0, end);
}
