/**
 * An HTTP path match with one meaning in every engine: `exact` matches the
 * request path exactly; `prefix` matches any path that starts with `value`
 * (a plain string prefix, so `/api` also matches `/apifoo`). Both compare the
 * request's CANONICAL path (`canonicalRequestPath`): the query string and
 * fragment are never part of it, and it is normalized the way the engines'
 * proxies are required to normalize (docs/dialects/http-paths.md).
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

/** RFC 3986 §2.3 unreserved characters, which a percent-escape may be replaced by (§6.2.2.2). */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * The path a rule is matched against. In order, as Envoy's HTTP connection
 * manager does it (escaped slashes, then `normalize_path`, then
 * `merge_slashes`; Envoy `conn_manager_utility.cc` `maybeNormalizePath`):
 *
 * 1. the query string and fragment are cut off;
 * 2. `%2F` / `%2f` become `/` and `%5C` / `%5c` become `\` (an encoded slash
 *    is a slash: servers decode it, so a rule could otherwise be walked around
 *    with `..%2F`);
 * 3. percent-escapes of unreserved characters are decoded (`%61` → `a`,
 *    `%2E` → `.`), other escapes are kept as written;
 * 4. every `\` becomes `/`;
 * 5. `.` and `..` segments are removed (RFC 3986 §5.2.4; `..` stops at `/`);
 * 6. runs of `/` are merged into one.
 *
 * This is exactly what Istio's `DECODE_AND_MERGE_SLASHES` forwards and
 * matches, and what Cilium's default (`http-normalize-path=true`) matches — a
 * request with an encoded slash gets a redirect to this path from Cilium and
 * is then matched as it (docs/dialects/http-paths.md).
 */
export function canonicalRequestPath(requestPath: string): string {
  let p = pathOnly(requestPath);
  p = p.replace(/%(2f|5c)/gi, m => (m[2] === 'f' || m[2] === 'F' ? '/' : '\\'));
  p = p.replace(/%([0-9a-fA-F]{2})/g, (m, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(ch) ? ch : m;
  });
  p = p.replace(/\\/g, '/');
  p = removeDotSegments(p);
  return p.replace(/\/{2,}/g, '/');
}

/** RFC 3986 §5.2.4 remove_dot_segments, for an absolute path. */
function removeDotSegments(input: string): string {
  let rest = input;
  const out: string[] = [];
  while (rest.length) {
    if (rest.startsWith('../')) {rest = rest.slice(3);} else if (rest.startsWith('./')) {rest = rest.slice(2);} else if (rest.startsWith('/./')) {rest = rest.slice(2);} else if (rest === '/.') {rest = '/';} else if (rest.startsWith('/../')) {
      rest = rest.slice(3);
      out.pop();
    } else if (rest === '/..') {
      rest = '/';
      out.pop();
    } else if (rest === '.' || rest === '..') {rest = '';} else {
      const next = rest.indexOf('/', 1);
      const seg = next < 0 ? rest : rest.slice(0, next);
      out.push(seg);
      rest = next < 0 ? '' : rest.slice(next);
    }
  }
  return out.join('') || '/';
}

/** Whether a request (method, path possibly with query) matches the rule: its canonical path is compared. */
export function httpRuleMatches(rule: HttpRuleModel, method: string, requestPath: string): boolean {
  if (rule.method !== undefined && rule.method !== method) return false;
  if (rule.path === undefined) return true;
  const p = canonicalRequestPath(requestPath);
  return rule.path.kind === 'exact' ? p === rule.path.value : p.startsWith(rule.path.value);
}

/** Readable form: `GET /api/v1/*`, `any method /healthz`. */
export function httpRuleToString(rule: HttpRuleModel): string {
  const path = rule.path === undefined ? 'any path' : rule.path.kind === 'exact' ? rule.path.value : `${rule.path.value}*`;
  return `${rule.method ?? 'any method'} ${path}`;
}
