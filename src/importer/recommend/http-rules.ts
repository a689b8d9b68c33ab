import { ObservedConnection } from './observed-connections';
import { AnalysisInputError } from '../../analysis';
import { HttpRule } from '../../intent/http-rule';
import { canonicalRequestPath, pathOnly } from '../../model';

/** One recommended HTTP rule of a port: a method and a path, exact unless a prefix depth was opted into. */
export interface RecommendedHttpRule {
  /** The method as recorded (upper case: an `HttpRule` names no other). */
  readonly method: string;
  /** The path of the observed requests without the query string (exact), or their first segments (prefix, `--http-path-prefix-depth`). */
  readonly path: { readonly kind: 'exact' | 'prefix'; readonly value: string };
  /** The distinct observed requests (method and path as recorded) this rule allows. */
  readonly requests: readonly { readonly method: string; readonly path: string; readonly line: number }[];
}

/** How `recommend` turns the observed HTTP requests of a port into rules. */
export interface HttpRulesOptions {
  /**
   * The most rules per allowance and port.
   * @default DEFAULT_MAX_HTTP_RULES
   */
  readonly maxRules?: number;
  /**
   * A port whose observed requests need more than `maxRules` rules is allowed at L4 (any request),
   * with a note, instead of an error.
   * @default false - an error naming the pair, the port and the count
   */
  readonly overMaxAtL4?: boolean;
  /**
   * Allow a path longer than this many segments by the prefix of its first segments
   * (`/api/v1/orders/17` at depth 2: `/api/v1/*`): an approximation the report names.
   * @default - exact paths only
   */
  readonly pathPrefixDepth?: number;
}

/** The default most HTTP rules per allowance and port. */
export const DEFAULT_MAX_HTTP_RULES = 100;

/** The decision for one port: its rules, or why it stays at L4 (every request on the port). */
export type HttpRulesDecision =
  | { readonly kind: 'rules'; readonly rules: readonly RecommendedHttpRule[] }
  | { readonly kind: 'l4'; readonly reason: string };

/**
 * The HTTP rules that allow exactly the observed requests of one allowance and port (`flows`: every
 * observed flow of the pair on that port): one rule per distinct (method, path without the query
 * string) — the recorded path is the one the policy saw, after the proxy's normalization — never
 * widened unless `pathPrefixDepth` is given. The port stays at L4, with the reason, when a flow carries no
 * HTTP request (a connection-level record of the same port: nothing says it carried only the observed
 * requests), when a request cannot be written as an exact `HttpRule` (a lower-case method, a path not
 * in the normalized form, with percent-escapes, or with a `*`), or, with `overMaxAtL4`, when more than `maxRules` rules
 * would be needed.
 *
 * @param pair the allowance and port, as the report names them (for messages)
 * @throws AnalysisInputError when more than `maxRules` rules would be needed (without `overMaxAtL4`)
 */
export function httpRulesFor(pair: string, flows: readonly ObservedConnection[], options: HttpRulesOptions = {}): HttpRulesDecision {
  const maxRules = options.maxRules ?? DEFAULT_MAX_HTTP_RULES;
  const withoutRequest = flows.filter(f => f.http === undefined);
  if (withoutRequest.length > 0) {
    const n = withoutRequest.reduce((k, f) => k + f.count, 0);
    return {
      kind: 'l4',
      reason: `${n} record${n === 1 ? ' of the port carries' : 's of the port carry'} no HTTP request (first on line ${withoutRequest[0].line}): nothing says the connection carried only the observed requests`,
    };
  }
  const rules = new Map<string, { method: string; path: RecommendedHttpRule['path']; requests: Map<string, { method: string; path: string; line: number }> }>();
  for (const f of flows) {
    const { method, path } = f.http!;
    // The recorded path is the one the policy saw (docs/ANALYSIS.md): the proxy's normalized path, with the query string.
    const canonical = pathOnly(path);
    const problem = inexpressible(method, canonical);
    if (problem) return { kind: 'l4', reason: `the request ${method} ${path} (line ${f.line}) cannot be allowed by an exact HttpRule: ${problem}` };
    const rulePath = prefixOf(canonical, options.pathPrefixDepth);
    const key = `${method} ${rulePath.kind} ${rulePath.value}`;
    let rule = rules.get(key);
    if (!rule) rules.set(key, rule = { method, path: rulePath, requests: new Map() });
    const request = `${method} ${path}`;
    const known = rule.requests.get(request);
    if (!known || f.line < known.line) rule.requests.set(request, { method, path, line: f.line });
  }
  if (rules.size > maxRules) {
    if (options.overMaxAtL4) {
      return { kind: 'l4', reason: `its observed requests need ${rules.size} HTTP rules, more than --max-http-rules ${maxRules} (--http-l4-over-max)` };
    }
    throw new AnalysisInputError(`${pair}: the observed requests need ${rules.size} HTTP rules, more than --max-http-rules ${maxRules}; `
      + 'raise --max-http-rules, group paths by their first segments with --http-path-prefix-depth N (an approximation the report names), '
      + 'or pass --http-l4-over-max to allow such ports at L4 (any request on them)');
  }
  const sorted = [...rules.values()]
    .sort((a, b) => compare(a.path.value, b.path.value) || compare(a.path.kind, b.path.kind) || compare(a.method, b.method));
  return {
    kind: 'rules',
    rules: sorted.map(r => ({ method: r.method, path: r.path, requests: [...r.requests.values()].sort((a, b) => a.line - b.line) })),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Why a request cannot be an exact `HttpRule`: a path the proxy would not match as recorded (not in the
 * normalized form, docs/dialects/http-paths.md: the record does not say which path the policy saw), `*`
 * (an HttpRule reads it as a prefix), and the library's own validation (an upper-case method, no `%`).
 */
function inexpressible(method: string, path: string): string | undefined {
  const normalized = canonicalRequestPath(path);
  if (normalized !== path) {
    return `its path is not in the normalized form the proxy matches (${normalized}), so the record does not say which path the policy saw`;
  }
  if (path.includes('*')) return `its path ${path} holds "*", which an HttpRule reads as a prefix`;
  const problems = HttpRule.method(method, path)._problems;
  return problems.length === 0 ? undefined : problems.map(p => `${p.what} ${JSON.stringify(p.value)}: expected ${p.expected}`).join('; ');
}

/** The rule path of a (normalized) path: itself, or with `depth`, the prefix of its first `depth` segments when it has more. */
function prefixOf(canonical: string, depth: number | undefined): RecommendedHttpRule['path'] {
  if (depth === undefined) return { kind: 'exact', value: canonical };
  const segments = canonical.split('/').slice(1);
  if (segments.length <= depth) return { kind: 'exact', value: canonical };
  return { kind: 'prefix', value: `/${segments.slice(0, depth).join('/')}/` };
}

/** Whether a recorded path carries a query string (or fragment), which no HTTP rule matches on. */
export function hasQuery(path: string): boolean {
  return pathOnly(path) !== path;
}
