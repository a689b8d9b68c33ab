import * as fc from 'fast-check';
import { HttpMatch, HttpRequest, StringCondition, StringMatch } from '../../../src/analysis';
import { re2FullMatch } from '../../../src/analysis/ir/re2-regex';

// Random HTTP conditions of every IR shape (Cilium regexes on the method and the whole :path,
// Calico method lists, Istio conditions on the method and the URL path, hosts) and random concrete
// requests with the edge cases that tell them apart: `//`, `%2F`, a literal trailing `*`, query
// strings, dot segments, lower-case methods.

const METHOD_MATCHES: StringMatch[] = [
  { kind: 'exact', value: 'GET' }, { kind: 'exact', value: 'POST' }, { kind: 'exact', value: 'get' },
  { kind: 'prefix', value: 'P' }, { kind: 'suffix', value: 'T' }, { kind: 'present' },
  { kind: 'regex', value: 'GET|POST' }, { kind: 'regex', value: 'P.*' }, { kind: 'regex', value: '[A-Z]+' },
  { kind: 'regex', value: 'G?ET' }, { kind: 'regex', value: '(GET){1,2}' }, { kind: 'regex', value: 'PU[TS]H?' },
];

const PATH_MATCHES: StringMatch[] = [
  { kind: 'exact', value: '/' }, { kind: 'exact', value: '/api' }, { kind: 'exact', value: '/api/v1/' },
  { kind: 'exact', value: '/a//b' }, { kind: 'exact', value: '/x%2Fy' }, { kind: 'exact', value: '/api/*' },
  { kind: 'prefix', value: '/api' }, { kind: 'prefix', value: '/api/' }, { kind: 'prefix', value: '/api/v1/' },
  { kind: 'suffix', value: '.json' }, { kind: 'suffix', value: '/' }, { kind: 'suffix', value: '*' },
  { kind: 'present' },
  { kind: 'regex', value: '\\/api\\/v1\\/.*' }, { kind: 'regex', value: '/api/v[0-9]+/.*' }, { kind: 'regex', value: '/[^/]+/x' },
  { kind: 'regex', value: '\\/healthz(\\?.*)?' }, { kind: 'regex', value: '.+' }, { kind: 'regex', value: '/a{2,3}' },
  { kind: 'regex', value: '/(a|b)*c' }, { kind: 'regex', value: '/%2[Ff].*' }, { kind: 'regex', value: '/api/[a-zA-Z0-9-._~%!$&\'()+,;:@]+/users' },
  { kind: 'regex', value: '.*\\?q=1' }, { kind: 'regex', value: '^/\\Qa*b\\E$' }, { kind: 'regex', value: '/[[:digit:]]{2}' },
];

const HOST_MATCHES: StringMatch[] = [
  { kind: 'regex', value: 'api\\.example\\.com' }, { kind: 'regex', value: '.*\\.example\\.com' }, { kind: 'regex', value: 'a.*' },
];

const conditionArb = (matches: StringMatch[]): fc.Arbitrary<StringCondition> => fc.record({
  anyOf: fc.option(fc.subarray(matches, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  noneOf: fc.option(fc.subarray(matches, { minLength: 1, maxLength: 2 }), { nil: undefined }),
}).map((c) => ({ ...(c.anyOf ? { anyOf: c.anyOf } : {}), ...(c.noneOf ? { noneOf: c.noneOf } : {}) }));

const regexOnly = (matches: StringMatch[]) => matches.filter((m) => m.kind === 'regex');

/** One HTTP condition in one of the dialects' shapes. */
export const httpMatchArb: fc.Arbitrary<HttpMatch> = fc.oneof(
  // Cilium: regexes on the method, the whole :path and the host.
  fc.record({
    method: fc.option(fc.constantFrom(...regexOnly(METHOD_MATCHES)), { nil: undefined }),
    path: fc.option(fc.constantFrom(...regexOnly(PATH_MATCHES)), { nil: undefined }),
    host: fc.option(fc.constantFrom(...HOST_MATCHES), { nil: undefined }),
  }).map((m) => ({ ...(m.method ? { method: m.method } : {}), ...(m.path ? { path: m.path } : {}), ...(m.host ? { host: m.host } : {}) })),
  // Calico: a method list, an exact-or-prefix path as a regex on the :path.
  fc.record({
    methods: fc.option(fc.subarray(['GET', 'POST', 'PUT'], { minLength: 1 }), { nil: undefined }),
    path: fc.option(fc.constantFrom<StringMatch>({ kind: 'regex', value: '\\/api(\\?.*)?' }, { kind: 'regex', value: '\\/api\\/.*' }), { nil: undefined }),
  }).map((m) => ({ ...(m.methods ? { methods: m.methods } : {}), ...(m.path ? { path: m.path } : {}) })),
  // Istio: conditions on the method and the URL path.
  fc.record({
    methodCondition: fc.option(conditionArb(METHOD_MATCHES.filter((m) => m.kind !== 'regex')), { nil: undefined }),
    urlPathCondition: fc.option(conditionArb(PATH_MATCHES), { nil: undefined }),
  }).map((m) => ({
    ...(m.methodCondition ? { methodCondition: m.methodCondition } : {}),
    ...(m.urlPathCondition ? { urlPathCondition: m.urlPathCondition } : {}),
  })),
);

const EDGE_PATHS = [
  '/', '//', '/api', '/api/', '/api//v1/x', '/api%2Fv1/x', '/api%2fv1/x', '/api/v1/', '/api/v1/*', '/api/*', '/api/v1?x=1', '/api?x',
  '/healthz', '/healthz?a=b', '/healthzz', '/aa', '/aaa', '/aaaa', '/bc', '/abc', '/c', '/x%2Fy', '/a//b', '/api/v1/..%2Fadmin',
  '/api/v12/x', '/api/v/x', '/y/x', '//x', '/api/users/users', '/api/a/users', '/?q=1', '/x?q=1', '/%2F', '/%2f', '/a*b', '/12', '/123',
  '/x.json', '/x.json?y', '/api/./v1/', '/api/../x',
];
const EDGE_METHODS = ['GET', 'POST', 'PUT', 'PUSH', 'PUSHT', 'get', 'GETGET', 'ET', 'DELETE', 'P', 'T', 'PATCH', 'G'];
const EDGE_HOSTS = [undefined, 'api.example.com', 'x.example.com', 'a', 'example.com', 'aexample.com'];

/** A path of the request space: `/` and path or query characters, edge cases first. */
export const pathArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...EDGE_PATHS),
  fc.array(fc.constantFrom('/', 'a', 'b', 'c', 'api', 'v1', '%2F', '*', '?', 'q=1', '.', '..', 'x', 'users', '1', 'json', 'healthz'), { maxLength: 6 })
    .map((parts) => `/${parts.join('')}`),
);

/** A request of the request space. */
export const requestArb: fc.Arbitrary<HttpRequest> = fc.record({
  method: fc.oneof(fc.constantFrom(...EDGE_METHODS), fc.stringMatching(/^[A-Za-z!#*.~-]{1,5}$/)),
  path: pathArb,
  host: fc.constantFrom(...EDGE_HOSTS),
}).map((r) => ({ method: r.method, path: r.path, ...(r.host === undefined ? {} : { host: r.host }) }));

/**
 * Whether a request satisfies a condition, written from the IR's TSDoc (analysis-policy.ts) alone:
 * no engine code. Regexes are full matches (re2FullMatch, itself property-tested against re2js).
 */
export function bruteHttpMatch(match: HttpMatch, request: HttpRequest): boolean {
  const one = (m: StringMatch, value: string): boolean => {
    switch (m.kind) {
      case 'exact': return value === m.value;
      case 'prefix': return value.startsWith(m.value);
      case 'suffix': return value.endsWith(m.value);
      case 'present': return true;
      case 'regex': return re2FullMatch(m.value, value);
    }
  };
  const holds = (c: StringCondition, value: string) => (c.anyOf === undefined || c.anyOf.some((m) => one(m, value)))
    && !(c.noneOf ?? []).some((m) => one(m, value));
  const cut = request.path.search(/[?#]/);
  const urlPath = cut < 0 ? request.path : request.path.slice(0, cut);
  return (match.methods === undefined || match.methods.includes(request.method))
    && (match.method === undefined || one(match.method, request.method))
    && (match.path === undefined || one(match.path, request.path))
    && (match.host === undefined || (request.host !== undefined && one(match.host, request.host)))
    && (match.methodCondition === undefined || holds(match.methodCondition, request.method))
    && (match.urlPathCondition === undefined || holds(match.urlPathCondition, urlPath));
}
