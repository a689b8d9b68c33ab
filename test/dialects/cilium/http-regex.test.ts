import * as fc from 'fast-check';
import { engineName, fullMatch } from './full-match';
import { HttpRule } from '../../../src';
import {
  ciliumHttpRule, ENVOY_MAX_RE2_PROGRAM_SIZE, escapeRe2, estimateRe2ProgramSize, pathRegex, regexSizeProblems,
} from '../../../src/dialects/cilium';
import { canonicalRequestPath, HttpRuleModel, httpRuleMatches } from '../../../src/model';

/** What Envoy decides for a request, given the Cilium rule the dialect renders. */
function ciliumAllows(rule: HttpRuleModel, method: string, requestPath: string): boolean {
  const r = ciliumHttpRule(rule);
  return (r.method === undefined || fullMatch(r.method, method)) && (r.path === undefined || fullMatch(r.path, requestPath));
}

const exact = (value: string): HttpRuleModel => HttpRule.anyMethod(value)._model;
const prefix = (value: string): HttpRuleModel => HttpRule.anyMethod(`${value}*`)._model;

describe(`Cilium HTTP regexes evaluated by full match (${engineName})`, () => {
  test.each<[string, HttpRuleModel, string, boolean]>([
    ['exact matches itself', exact('/healthz'), '/healthz', true],
    ['exact matches itself with a query string', exact('/healthz'), '/healthz?verbose=1', true],
    ['exact matches itself with an empty query string', exact('/healthz'), '/healthz?', true],
    ['exact /p does not match /p/x', exact('/p'), '/p/x', false],
    ['exact /p does not match /px', exact('/p'), '/px', false],
    ['exact /p/ does not match /p', exact('/p/'), '/p', false],
    ['exact does not match a longer path whose query looks like it', exact('/p'), '/pq?x', false],
    ['a "." in a path is literal', exact('/v1.json'), '/v1xjson', false],
    ['a "." in a path matches itself', exact('/v1.json'), '/v1.json', true],
    ['a "+" in a path is literal', exact('/a+b'), '/aab', false],
    ['a "+" in a path matches itself', exact('/a+b'), '/a+b', true],
    ['"(" and ")" in a path are literal', exact('/f(x)'), '/fx', false],
    ['"(" and ")" in a path match themselves', exact('/f(x)'), '/f(x)', true],
    ['a "$" in a path is literal', exact('/cost$'), '/cost', false],
    ['a "$" in a path matches itself', exact('/cost$'), '/cost$?a=1', true],
    ['prefix matches itself', prefix('/api/v1/'), '/api/v1/', true],
    ['prefix matches a deeper path', prefix('/api/v1/'), '/api/v1/orders/7', true],
    ['prefix matches a deeper path with a query', prefix('/api/v1/'), '/api/v1/orders?id=7', true],
    ['prefix does not match a shorter path', prefix('/api/v1/'), '/api/v1', false],
    ['prefix does not match another path', prefix('/api/v1/'), '/api/v2/orders', false],
    ['prefix is a plain string prefix', prefix('/api'), '/apifoo', true],
    ['a "." in a prefix is not a wildcard', prefix('/v1.'), '/v1x/a', false],
    ['a prefix is anchored at the start', prefix('/api/'), '/x/api/', false],
  ])('%s', (_name, rule, path, expected) => {
    expect(ciliumAllows(rule, 'GET', path)).toBe(expected);
    // The model says the same thing.
    expect(httpRuleMatches(rule, 'GET', path)).toBe(expected);
  });

  test('the method matches exactly: GET is not GETX, get or a prefix of it', () => {
    const rule = HttpRule.get('/x')._model;
    expect(ciliumAllows(rule, 'GET', '/x')).toBe(true);
    expect(ciliumAllows(rule, 'GETX', '/x')).toBe(false);
    expect(ciliumAllows(rule, 'XGET', '/x')).toBe(false);
    expect(ciliumAllows(rule, 'get', '/x')).toBe(false);
    expect(ciliumAllows(rule, 'POST', '/x')).toBe(false);
  });

  test('a rule without a method leaves the method out, so any method matches', () => {
    expect(ciliumHttpRule(exact('/x'))).toEqual({ path: '/x(?:\\?.*)?' });
  });

  test('a rule without a path leaves the path out, so any path matches', () => {
    expect(ciliumHttpRule(HttpRule.method('DELETE')._model)).toEqual({ method: 'DELETE' });
  });

  // Path characters the intent layer accepts (src/intent/http-rule.ts).
  const pathChar = fc.constantFrom(...'abcAZ09-._~!$&\'()+,;=:@/'.split(''));
  const segment = fc.array(pathChar, { minLength: 1, maxLength: 6 }).map(cs => cs.join(''));
  const rulePath = fc.array(segment, { minLength: 1, maxLength: 3 }).map(ss => `/${ss.join('/')}`)
    .filter(p => !p.includes('//') && !/(^|\/)\.\.?(\/|$)/.test(p) && !p.endsWith('/.'));
  const query = fc.option(fc.array(fc.constantFrom(...'a=1&?/.%+'.split('')), { maxLength: 6 }).map(cs => `?${cs.join('')}`), { nil: undefined });

  /**
   * What Cilium's regex sees: with http-normalize-path (the default, required by the target checks) Envoy
   * normalizes the path part of `:path` before the filter runs and keeps the query string (the normalization
   * itself is checked against the vendors' documented behaviour in test/intent/http-path-canonical.test.ts).
   */
  const envoyPath = (request: string) => {
    const q = request.indexOf('?');
    return canonicalRequestPath(request) + (q >= 0 ? request.slice(q) : '');
  };

  test('agrees with the model on every request, for generated exact and prefix rules and requests near them', () => {
    fc.assert(fc.property(
      rulePath, fc.boolean(), fc.constantFrom('', 'x', '/', '/x', '.', '+'), fc.nat(4), query, fc.constantFrom('GET', 'POST'),
      (value, isPrefix, extra, cut, q, method) => {
        const rule: HttpRuleModel = { method: 'GET', path: { kind: isPrefix ? 'prefix' : 'exact', value } };
        // Requests: the path itself, longer, shorter, each with or without a query string.
        for (const p of [value, value + extra, value.slice(0, Math.max(1, value.length - cut))]) {
          const request = p + (q ?? '');
          expect([request, ciliumAllows(rule, method, envoyPath(request))]).toEqual([request, httpRuleMatches(rule, method, request)]);
        }
      }), { numRuns: 300 });
  });

  test('escapes every RE2 metacharacter', () => {
    const meta = '\\^$.|?*+()[]{}';
    expect(fullMatch(escapeRe2(meta), meta)).toBe(true);
    for (const ch of meta) expect(escapeRe2(ch)).toBe(`\\${ch}`);
  });

  test('exact and prefix regexes have the documented shapes', () => {
    expect(pathRegex({ kind: 'exact', value: '/api/v1/products' })).toBe('/api/v1/products(?:\\?.*)?');
    expect(pathRegex({ kind: 'prefix', value: '/api/v1/' })).toBe('/api/v1/.*');
  });
});

describe('the RE2 program size estimate', () => {
  // Measured with libre2 20220601 (Debian libre2-9) RE2::ProgramSize(), the
  // number Envoy compares with its limit of 100.
  test.each<[string, number]>([
    ['GET', 7],
    ['POST', 8],
    ['/a', 6],
    ['/abcd', 9],
    ['/a.*', 14],
    ['/api/v1/.*', 20],
    ['/a(?:\\?.*)?', 17],
    ['/healthz(?:\\?.*)?', 23],
    ['/abcdefghij(?:\\?.*)?', 26],
    ['/a\\.b(?:\\?.*)?', 19],
    ['/a\\(b\\)\\$\\+(?:\\?.*)?', 22],
  ])('estimates %s as %i instructions, as libre2 counts', (regex, measured) => {
    expect(estimateRe2ProgramSize(regex)).toBe(measured);
  });

  test('accepts ordinary paths', () => {
    expect(regexSizeProblems(HttpRule.get('/api/v1/products')._model)).toEqual([]);
  });

  test('fails on a path whose regex would come near Envoy\'s limit', () => {
    const long = `/${'a'.repeat(80)}`;
    const problems = regexSizeProblems(HttpRule.get(long)._model);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/RE2 instructions.*rejects more than 100.*none of the pod's L7 policy/);
    expect(estimateRe2ProgramSize(ciliumHttpRule(HttpRule.get(long)._model).path!)).toBeLessThanOrEqual(ENVOY_MAX_RE2_PROGRAM_SIZE);
  });
});
