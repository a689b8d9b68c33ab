import { HttpRuleModel, httpRuleToString } from '../model';
import { InputProblem } from '../validation/input-error';

const METHOD = /^[A-Z][A-Z0-9_-]{0,31}$/;
// Path characters every engine compares literally (RFC 3986 pchar minus "%", plus "/").
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()+,;=:@/]*$/;

/**
 * An allowed HTTP request shape for L7 rules: a method and a path.
 *
 * A path is exact (`/healthz` matches only `/healthz`) or a prefix written
 * with one trailing `*` (`/api/v1/*` matches `/api/v1/` and everything below
 * it; `/api*` also matches `/apifoo`). It is compared with the request's
 * canonical path: query string and fragment cut off, `%2F`/`%5C` and
 * unreserved escapes decoded, backslashes read as slashes, `.`/`..` segments
 * removed and slashes merged — so `GET /api//v1/orders` matches `/api/v1/*`
 * and `GET /api/v1/..%2Fadmin` does not. Engines whose proxies are not
 * declared to normalize that way (Istio's default BASE, Cilium with
 * `http-normalize-path=false`) fail synthesis (see `TargetProfile`). The rule
 * path itself is written canonical: paths with `%`, `..` or `//` are rejected.
 * @see docs/dialects/http-paths.md
 */
export class HttpRule {
  /** GET requests to the path. */
  public static get(path: string): HttpRule {
    return HttpRule.requiringPath('GET', path, 'HttpRule.get()');
  }

  /** POST requests to the path. */
  public static post(path: string): HttpRule {
    return HttpRule.requiringPath('POST', path, 'HttpRule.post()');
  }

  /** PUT requests to the path. */
  public static put(path: string): HttpRule {
    return HttpRule.requiringPath('PUT', path, 'HttpRule.put()');
  }

  /** PATCH requests to the path. */
  public static patch(path: string): HttpRule {
    return HttpRule.requiringPath('PATCH', path, 'HttpRule.patch()');
  }

  /** DELETE requests to the path. */
  public static delete(path: string): HttpRule {
    return HttpRule.requiringPath('DELETE', path, 'HttpRule.delete()');
  }

  /** HEAD requests to the path. */
  public static head(path: string): HttpRule {
    return HttpRule.requiringPath('HEAD', path, 'HttpRule.head()');
  }

  /**
   * Requests with this method (upper case, e.g. `GET`) to the path.
   * @param method the HTTP method
   * @param path exact path or prefix ending in `*`; leave out for any path
   */
  public static method(method: string, path?: string): HttpRule {
    const problems: InputProblem[] = [];
    if (typeof method !== 'string' || !METHOD.test(method)) {
      problems.push({ what: 'HTTP method', value: method, expected: 'an upper-case HTTP method such as GET or POST', fix: typeof method === 'string' && METHOD.test(method.toUpperCase()) ? `write ${JSON.stringify(method.toUpperCase())}` : 'use HttpRule.get(), HttpRule.post(), ...' });
    }
    return new HttpRule(method, path, problems);
  }

  /** Requests with any method to the path. */
  public static anyMethod(path: string): HttpRule {
    return HttpRule.requiringPath(undefined, path, 'HttpRule.anyMethod()');
  }

  /** A rule whose path must be given: without one it would match every request (an untyped caller's `get(undefined)`). */
  private static requiringPath(method: string | undefined, path: string, factory: string): HttpRule {
    if (path === undefined || path === null) {
      return new HttpRule(method, undefined, [{ what: `path of ${factory}`, value: path, expected: 'a path starting with "/"', fix: 'pass the path, e.g. "/api/*"; without one the rule would allow every request' }]);
    }
    return method === undefined ? new HttpRule(undefined, path, []) : HttpRule.method(method, path);
  }

  /** @internal */
  public readonly _model: HttpRuleModel;
  /** @internal */
  public readonly _problems: readonly InputProblem[];

  private constructor(method: string | undefined, path: string | undefined, problems: InputProblem[]) {
    const all = [...problems];
    let pathModel: HttpRuleModel['path'];
    if (path !== undefined) {
      const p = checkPath(path);
      all.push(...p.problems);
      pathModel = p.model;
    }
    this._model = Object.freeze({ ...(method !== undefined ? { method } : {}), ...(pathModel ? { path: pathModel } : {}) });
    this._problems = all;
  }

  /** Readable form, e.g. `GET /api/v1/*`. */
  public toString(): string {
    return httpRuleToString(this._model);
  }
}

function checkPath(path: unknown): { problems: InputProblem[]; model?: HttpRuleModel['path'] } {
  const bad = (expected: string, fix: string) => ({ problems: [{ what: 'HTTP path', value: path, expected, fix }] });
  if (typeof path !== 'string' || !path.startsWith('/')) return bad('a path starting with "/"', 'write the path as the server sees it, e.g. "/api/v1/orders"');
  if (path.includes('?') || path.includes('#')) return bad('a path without query string or fragment', 'drop everything from "?" or "#": the query string is never matched');
  if (path.includes('%')) return bad('a path without percent-encoding', 'write the decoded characters; proxies decode %-escapes differently, so an encoded path has no single meaning');
  if (path.includes('//')) return bad('a path without "//"', 'collapse the slashes; proxies merge them differently');
  if (/(^|\/)\.\.?(\/|\*?$)/.test(path)) return bad('a path without "." or ".." segments', 'write the normalized path');
  const star = path.indexOf('*');
  if (star >= 0 && star !== path.length - 1) return bad('at most one "*", at the very end (a prefix)', 'write a prefix such as "/api/v1/*"; infix wildcards and regexes are not portable');
  const body = star >= 0 ? path.slice(0, -1) : path;
  if (!PATH_CHARS.test(body)) return bad('printable URL path characters only (letters, digits, "-._~!$&\'()+,;=:@/")', 'remove spaces and other characters that must be percent-encoded');
  return { problems: [], model: star >= 0 ? { kind: 'prefix', value: body } : { kind: 'exact', value: body } };
}
