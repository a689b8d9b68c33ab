import { HttpPathModel, HttpRuleModel } from '../../model';

/**
 * The translation of the model's HTTP rules into Cilium's `rules.http`.
 *
 * Cilium hands `path` and `method` to Envoy as Google RE2 `safe_regex`
 * matchers on the `:path` and `:method` pseudo-headers, and Envoy regex
 * matchers match the WHOLE value (cilium/cilium#13280). `:path` carries the
 * query string, while the model ignores it, so:
 *
 * - exact `P`  → `P(?:\?.*)?`  (`P` alone, or `P` followed by a query string)
 * - prefix `P` → `P.*`         (any path that starts with `P`, query included)
 * - method `M` → `M`           (method names have no regex metacharacters)
 *
 * with every regex metacharacter of `P` escaped, so that `.`, `+`, `(`, `$`
 * in a path stay literal and a prefix never turns into a wildcard by accident.
 */

/** Characters RE2 treats as syntax outside a character class. */
const RE2_METACHARACTERS = /[\\^$.|?*+()[\]{}]/g;

/**
 * Envoy rejects a regex whose RE2 program is larger than this (its default
 * `re2.max_program_size.error_level`), and Cilium then fails to apply ANY of
 * the endpoint's L7 policy (cilium/cilium#41314).
 */
export const ENVOY_MAX_RE2_PROGRAM_SIZE = 100;

/**
 * Safety margin below Envoy's limit: RE2 releases differ by a few
 * instructions in how they compile `.*`, and the estimate below was
 * calibrated on one release.
 */
export const RE2_PROGRAM_SIZE_MARGIN = 10;

/** RE2 instructions of `.*` and of `(?:\?.*)?`, plus the fixed program overhead (RE2 2022-06-01, UTF-8 mode). */
const RE2_OVERHEAD = 4;
const RE2_ANY_SUFFIX = 8;
const RE2_QUERY_SUFFIX = 11;

/** Escapes a literal so that RE2 matches it character for character. */
export function escapeRe2(literal: string): string {
  return literal.replace(RE2_METACHARACTERS, '\\$&');
}

/** The full-match RE2 regex for a model path (see the module comment). */
export function pathRegex(path: HttpPathModel): string {
  const literal = escapeRe2(path.value);
  return path.kind === 'exact' ? `${literal}(?:\\?.*)?` : `${literal}.*`;
}

/** The full-match RE2 regex for a method: the method itself (upper-case letters, digits, `_`, `-`). */
export function methodRegex(method: string): string {
  return escapeRe2(method);
}

/** One entry of Cilium's `rules.http`, as plain data. */
export interface CiliumHttpRule {
  readonly method?: string;
  readonly path?: string;
}

/** The Cilium `rules.http` entry of one model rule (an absent field matches anything). */
export function ciliumHttpRule(rule: HttpRuleModel): CiliumHttpRule {
  return {
    ...(rule.method !== undefined ? { method: methodRegex(rule.method) } : {}),
    ...(rule.path !== undefined ? { path: pathRegex(rule.path) } : {}),
  };
}

/**
 * The RE2 program size of a regex this module generates (literal, then
 * nothing, `.*` or `(?:\?.*)?`), as RE2's `ProgramSize()` counts it: one
 * instruction per literal byte plus fixed costs, calibrated against libre2
 * (test/dialects/cilium/http-regex.test.ts holds the measurements).
 */
export function estimateRe2ProgramSize(regex: string): number {
  let body = regex;
  let suffix = 0;
  if (body.endsWith('(?:\\?.*)?')) {
    body = body.slice(0, -'(?:\\?.*)?'.length);
    suffix = RE2_QUERY_SUFFIX;
  } else if (body.endsWith('.*') && !body.endsWith('\\.*')) {
    body = body.slice(0, -2);
    suffix = RE2_ANY_SUFFIX;
  }
  const bytes = Buffer.byteLength(body.replace(/\\(.)/g, '$1'), 'utf8');
  return bytes + suffix + RE2_OVERHEAD;
}

/**
 * Problems of a rule's regexes: each regex must stay below Envoy's program
 * size limit with the margin, or the whole endpoint's L7 policy fails to apply.
 */
export function regexSizeProblems(rule: HttpRuleModel): string[] {
  const out: string[] = [];
  const http = ciliumHttpRule(rule);
  for (const [field, regex] of Object.entries(http) as [string, string][]) {
    const size = estimateRe2ProgramSize(regex);
    if (size > ENVOY_MAX_RE2_PROGRAM_SIZE - RE2_PROGRAM_SIZE_MARGIN) {
      out.push(`the HTTP ${field} regex ${JSON.stringify(regex)} compiles to about ${size} RE2 instructions; Envoy rejects more than ${ENVOY_MAX_RE2_PROGRAM_SIZE}, and Cilium then applies none of the pod's L7 policy (cilium/cilium#41314)`);
    }
  }
  return out;
}
