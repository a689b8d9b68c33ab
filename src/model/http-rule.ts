/**
 * An HTTP path match with one meaning in every engine: `exact` matches the
 * request path exactly; `prefix` matches any path that starts with `value`
 * (a plain string prefix, so `/api` also matches `/apifoo`). The query string
 * and fragment are never part of the path.
 */
export interface HttpPathModel {
  readonly kind: 'exact' | 'prefix';
  readonly value: string;
}

/** One allowed HTTP request shape: method (upper case; undefined = any) AND path (undefined = any). */
export interface HttpRuleModel {
  readonly method?: string;
  readonly path?: HttpPathModel;
}

/** The request path without query string and fragment. */
export function pathOnly(requestPath: string): string {
  const cut = requestPath.search(/[?#]/);
  return cut >= 0 ? requestPath.slice(0, cut) : requestPath;
}

/** Whether a request (method, path possibly with query) matches the rule. */
export function httpRuleMatches(rule: HttpRuleModel, method: string, requestPath: string): boolean {
  if (rule.method !== undefined && rule.method !== method) return false;
  if (rule.path === undefined) return true;
  const p = pathOnly(requestPath);
  return rule.path.kind === 'exact' ? p === rule.path.value : p.startsWith(rule.path.value);
}

/** Readable form: `GET /api/v1/*`, `any method /healthz`. */
export function httpRuleToString(rule: HttpRuleModel): string {
  const path = rule.path === undefined ? 'any path' : rule.path.kind === 'exact' ? rule.path.value : `${rule.path.value}*`;
  return `${rule.method ?? 'any method'} ${path}`;
}
