import { HttpRule } from '../../src';
import { canonicalRequestPath, httpRuleMatches } from '../../src/model';

/*
 * Which requests an HttpRule path matches: the canonical path (src/model/http-rule.ts). The expected values are
 * written from the vendors' documented behaviour, not from the function: Envoy's normalize_path (RFC 3986 dot
 * segments, "\" as "/", unreserved escapes decoded, others kept), merge_slashes, and the escaped-slash unescaping
 * that Istio's DECODE_AND_MERGE_SLASHES applies (istio/istio pilot/pkg/networking/core/listener_builder.go; its
 * integration test tests/integration/security/normalization_test.go @ fd359620 lists the same kinds of cases) and
 * that Cilium's http-normalize-path applies before redirecting (cilium/cilium pkg/envoy/xds_server.go @ 002791a1).
 */
describe('the canonical path of a request', () => {
  test.each([
    ['a plain path stays', '/api/v1/orders', '/api/v1/orders'],
    ['the query string is cut off', '/api/v1/orders?page=2&x=//y', '/api/v1/orders'],
    ['a fragment is cut off', '/api/v1/orders#top', '/api/v1/orders'],
    ['repeated slashes are merged', '/api//v1///orders', '/api/v1/orders'],
    ['a leading double slash is merged', '//healthz', '/healthz'],
    ['"." segments are removed', '/api/./v1/orders', '/api/v1/orders'],
    ['".." removes the segment before it', '/api/x/../v1/orders', '/api/v1/orders'],
    ['".." never climbs above the root', '/../../etc/passwd', '/etc/passwd'],
    ['a trailing ".." keeps the slash', '/api/v1/x/..', '/api/v1/'],
    ['"%2E" is a dot, so "%2e%2e" is a ".." segment', '/api/v1/%2e%2e/admin', '/api/admin'],
    ['a backslash is a slash', '/api\\v1\\orders', '/api/v1/orders'],
    ['"%2F" is a slash', '/api%2Fv1/orders', '/api/v1/orders'],
    ['"%2f" (lower case) is a slash too', '/api%2fv1/orders', '/api/v1/orders'],
    ['"%5C" is a backslash, so a slash', '/api%5Cv1/orders', '/api/v1/orders'],
    ['an encoded slash cannot hide a ".." segment', '/api/v1/..%2Fadmin', '/api/admin'],
    ['unreserved escapes are decoded', '/%61pi/v%31/orders%7E', '/api/v1/orders~'],
    ['other escapes are kept as written', '/api/v1/a%20b%25', '/api/v1/a%20b%25'],
    ['"..." is no dot segment', '/api/.../x', '/api/.../x'],
    ['the path case is kept', '/API/V1', '/API/V1'],
  ])('%s: %s → %s', (_name, request, canonical) => {
    expect(canonicalRequestPath(request)).toBe(canonical);
  });
});

describe('an HttpRule path matches the canonical path', () => {
  const rule = HttpRule.get('/api/v1/*')._model;

  test('the issue\'s case: GET /api/v1/* matches GET /api//v1/orders (merged), and not GET /api/v2//orders', () => {
    expect(httpRuleMatches(rule, 'GET', '/api//v1/orders')).toBe(true);
    expect(httpRuleMatches(rule, 'GET', '/api/v2//orders')).toBe(false);
  });

  test('a ".." that leaves the prefix leaves the rule, however it is written', () => {
    for (const request of ['/api/v1/../admin', '/api/v1/%2e%2e/admin', '/api/v1/..%2fadmin', '/api/v1/..\\admin', '/api/v1/..%5Cadmin']) {
      expect([request, httpRuleMatches(rule, 'GET', request)]).toEqual([request, false]);
    }
  });

  test('an exact path matches its variants and nothing else', () => {
    const healthz = HttpRule.get('/healthz')._model;
    for (const request of ['/healthz', '//healthz', '/./healthz', '/x/../healthz', '/%68ealthz', '/healthz?probe=1']) {
      expect([request, httpRuleMatches(healthz, 'GET', request)]).toEqual([request, true]);
    }
    for (const request of ['/healthz/', '/healthzx', '/Healthz', '/healthz%2F']) {
      expect([request, httpRuleMatches(healthz, 'GET', request)]).toEqual([request, false]);
    }
  });

  test('the method is compared exactly, before the path', () => {
    expect(httpRuleMatches(rule, 'POST', '/api/v1/orders')).toBe(false);
    expect(httpRuleMatches(HttpRule.method('DELETE')._model, 'DELETE', '/anything/../at/all')).toBe(true);
  });
});
