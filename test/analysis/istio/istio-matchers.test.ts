import * as fc from 'fast-check';
import { stringMatches, urlPath } from '../../../src/analysis';
import {
  istioHeaderMatch, istioNamespaceMatch, istioPathMatch, istioPrincipalMatch, istioServiceAccountMatch, migrateTrustDomain, pathTemplateRegex,
} from '../../../src/analysis/translate/istio-matchers';
import { fullMatch } from '../../dialects/cilium/full-match';

/*
 * Expected matchers are copied from istiod's golden files (istio/istio @ 86c9f01fd735,
 * pilot/pkg/security/authz/builder/testdata/http/allow-full-rule-out.yaml and
 * testdata/tcp/deny-both-http-tcp-out.yaml): what istiod sends to Envoy for the same values.
 */
describe('Istio values compiled as istiod compiles them', () => {
  test.each([
    ['method', { exact: 'method' }],
    ['method-prefix-*', { prefix: 'method-prefix-' }],
    ['*-suffix-method', { suffix: '-suffix-method' }],
    ['*', { presentMatch: true }],
  ])('method %j is the header matcher %j', (value, envoy) => {
    expect(toEnvoy(istioHeaderMatch(value))).toEqual(envoy);
  });

  test.each([
    ['/exact', { exact: '/exact' }],
    ['/prefix/*', { prefix: '/prefix/' }],
    ['*/suffix', { suffix: '/suffix' }],
    ['*', { safeRegex: '.+' }],
  ])('path %j is the path matcher %j', (value, envoy) => {
    expect(toEnvoy(match(istioPathMatch(value)))).toEqual(envoy);
  });

  test.each([
    ['ns', '.*/ns/ns/.*'],
    ['ns-prefix-*', '.*/ns/ns-prefix-.*/.*'],
    ['*-ns-suffix', '.*/ns/.*-ns-suffix/.*'],
    ['*', '.*/ns/.*/.*'],
  ])('namespace %j is the principal regex %j', (value, regex) => {
    expect(toEnvoy(istioNamespaceMatch(value))).toEqual({ safeRegex: regex });
  });

  test.each([
    ['foo', 'my-ns/my-sa', 'spiffe://.+/ns/my-ns/(.+/|)sa/my-sa(/.+)?'],
    ['foo', 'sa-only', 'spiffe://.+/ns/foo/(.+/|)sa/sa-only(/.+)?'],
  ])('in namespace %s, service account %j is the principal regex %j', (namespace, value, regex) => {
    expect(toEnvoy(istioServiceAccountMatch(namespace, value))).toEqual({ safeRegex: regex });
  });

  test.each([
    ['*-suffix-principal', { safeRegex: 'spiffe://.*-suffix-principal' }],
    ['*principal-suffix', { safeRegex: 'spiffe://.*principal-suffix' }],
    ['*', { safeRegex: '.+' }],
    ['principal', { exact: 'spiffe://principal' }],
    // A five-part principal in cluster.local is rewritten to the mesh's trust domain (bundle.go), the model's cluster.local.
    ['cluster.local/ns/prod/sa/web', { exact: 'spiffe://cluster.local/ns/prod/sa/web' }],
    ['cluster.local/ns/prod/sa/*', { prefix: 'spiffe://cluster.local/ns/prod/sa/' }],
    ['*/ns/prod/sa/web', { safeRegex: 'spiffe://.*/ns/prod/sa/web' }],
  ])('principal %j is the matcher %j', (value, envoy) => {
    expect(toEnvoy(match(istioPrincipalMatch(value)))).toEqual(envoy);
  });

  test.each([
    ['principal-prefix-*', 'is a prefix that starts in the trust domain'],
    ['cluster.local/ns/prod/*', 'is a prefix that starts in the trust domain'],
    ['example.org/ns/prod/sa/web', 'names the trust domain "example.org"'],
    ['*local/ns/prod/sa/web', 'names the trust domain "*local"'],
  ])('refuses principal %j, whose meaning depends on the mesh trust domain', (value, why) => {
    const result = istioPrincipalMatch(value);
    expect('problem' in result && result.problem).toContain(why);
    expect('problem' in result && result.problem).toContain('depends on the mesh\'s trust domain');
  });
});

describe('principals with the mesh\'s trust domain given (no aliases)', () => {
  // pilot/pkg/security/trustdomain/bundle_test.go TestReplaceTrustDomainAliases, the cases without aliases or whose result aliases do not change.
  test.each([
    ['cluster.local', 'cluster.local/ns/foo/sa/bar', 'cluster.local/ns/foo/sa/bar'],
    ['cluster.local', '*', '*'],
    ['cluster.local', '*/ns/foo/sa/bar', '*/ns/foo/sa/bar'],
    ['td1', 'some-td/ns/foo/sa/bar', 'some-td/ns/foo/sa/bar'],
    ['new-td', '/ns/some-ns/sa/some-sa', '/ns/some-ns/sa/some-sa'],
    ['new-td', '*-td/ns/some-ns/sa/some-sa', '*-td/ns/some-ns/sa/some-sa'],
    // cluster.local always means the mesh's own trust domain.
    ['td1', 'cluster.local/ns/foo/sa/bar', 'td1/ns/foo/sa/bar'],
  ])('with trust domain %s, %s is rewritten to %s', (trustDomain, principal, expected) => {
    expect(migrateTrustDomain(principal, trustDomain)).toBe(expected);
  });

  test('every principal is evaluated, on SPIFFE IDs in that trust domain', () => {
    expect(toEnvoy(match(istioPrincipalMatch('example.org/ns/prod/*', 'example.org')))).toEqual({ prefix: 'spiffe://example.org/ns/prod/' });
    expect(toEnvoy(match(istioPrincipalMatch('cluster.local/ns/prod/sa/web', 'example.org')))).toEqual({ exact: 'spiffe://example.org/ns/prod/sa/web' });
    expect(toEnvoy(match(istioPrincipalMatch('other.org/ns/prod/sa/web', 'example.org')))).toEqual({ exact: 'spiffe://other.org/ns/prod/sa/web' });
  });
});

describe('a `*` that is not the first or last character is literal (string.go, header.go)', () => {
  test.each([
    ['/api/*/users', '/api/v1/users', false],
    ['/api/*/users', '/api/*/users', true],
    ['*admin*', 'xadmin*', true],
    ['*admin*', 'xadminx', false],
  ])('path %j on %j: %s', (value, path, expected) => {
    expect(stringMatches(match(istioPathMatch(value)), path)).toBe(expected);
  });
  test('in a five-part principal a trailing `*` after a leading one is literal', () => {
    const principal = match(istioPrincipalMatch('*/ns/prod/sa/*'));
    expect(stringMatches(principal, 'spiffe://cluster.local/ns/prod/sa/web')).toBe(false);
  });
});

describe('namespace patterns run on the whole SPIFFE ID, as istiod\'s regex does', () => {
  const id = (ns: string, sa: string) => `spiffe://cluster.local/ns/${ns}/sa/${sa}`;
  test.each([
    ['prod', id('prod', 'web'), true],
    ['prod', id('prod-x', 'web'), false],
    ['prod*', id('prod-x', 'web'), true],
    ['prod*', id('prod', 'web'), true],
    ['*-dev', id('team-dev', 'web'), true],
    ['*-dev', id('team', 'web'), false],
    ['p*d', id('prod', 'web'), true],
    // The regex `.*/ns/.*a/.*` finds `a/` in `/sa/`: every identity matches.
    ['*a', id('prod', 'web'), true],
  ])('namespaces: [%j] on %s is %s', (value, identity, expected) => {
    expect(stringMatches(istioNamespaceMatch(value), identity)).toBe(expected);
  });
});

describe('path templates (Envoy URI templates)', () => {
  const templateMatches = (template: string, path: string) => stringMatches(match(pathTemplateRegex(template)), urlPath(path));

  // istio/api security/v1beta1/authorization_policy.proto, Operation.paths.
  test.each([
    ['/foo/{*}', '/foo/bar', true],
    ['/foo/{*}', '/foo/bar/baz', false],
    ['/foo/{**}/', '/foo/bar/', true],
    ['/foo/{**}/', '/foo//', true],
    ['/foo/{**}/', '/foo/bar', false],
    ['/foo/{*}/bar/{**}', '/foo/buzz/bar/', true],
    ['/foo/{*}/bar/{**}', '/foo/buzz/bar/baz', true],
  ])('the API reference: %s on %s is %s', (template, path, expected) => {
    expect(templateMatches(template, path)).toBe(expected);
  });

  // istio/istio tests/integration/security/authz_test.go TestAuthz_PathTemplating (run against real proxies).
  test.each([
    ['/allow/admin/{**}', '/allow/admin/', true],
    ['/allow/admin/{**}', '/allow/admin', false],
    ['/allow/admin/{**}', '/allow/user/', false],
    ['/allow/admin/{**}', '/allow/admin?param=value', false],
    ['/allow/admin/{**}', '/allow', false],
    ['/allow/admin/{**}', '/allow/admin/temp', true],
    ['/allow/admin/{**}', '/allow/admin/temp.txt', true],
    ['/allow/admin/{**}', '/allow/admin/foo/temp.txt', true],
    ['/foo/{*}/bar/{**}', '/foo/buzz/bar/bat.txt', true],
    ['/foo/{*}/bar/{**}', '/foo/buzz/bar/bat.temp.txt', true],
    ['/foo/{*}/bar/{**}', '/foo/buzz/bar/bat/fuzz.txt', true],
    ['/foo/{*}/bar/{**}', '/foo/bar/bat.txt', false],
    ['/foo/{*}/bar/{**}', '/foo//bar/bat.txt', false],
    ['/foo/{*}/bar/{**}', '/foo/buzz/bar/bat', true],
    ['/store/{**}/cart', '/store//cart', true],
    ['/store/{**}/cart', '/store/cart', false],
    ['/store/{**}/cart', '/store/foo/cart', true],
    ['/store/{**}/cart', '/store/foo/bar/cart', true],
  ])('Istio\'s integration test: %s on %s is %s', (template, path, expected) => {
    expect(templateMatches(template, path)).toBe(expected);
  });

  test.each([
    ['/*/baz/{*}', 'segment "*"'],
    ['/**/baz/{*}', 'segment "**"'],
    ['/{**}/foo/{*}', '{**} must be the last operator'],
    ['/foo/{*}.txt', 'segment "{*}.txt"'],
    ['/foo/{id}/x', 'contains "{" or "}" outside'],
    ['foo/{*}', 'Envoy refuses it'],
    ['/foo//{*}', 'segment ""'],
    ['/a=b/{*}', 'Envoy refuses it'],
  ])('refuses %s, which Istio or Envoy refuses', (template, why) => {
    const result = istioPathMatch(template);
    expect('problem' in result && result.problem).toContain(why);
  });

  test('the compiled regex accepts exactly what Envoy\'s own regex text accepts under RE2 (re2js)', () => {
    // toRegexPattern in uri_template_internal.cc, with its kLiteral written out.
    const literal = "[a-zA-Z0-9-._~%!$&'()+,;:@]";
    const envoyRegex = (template: string) => `/${template.slice(1).split('/').map((s) => (s === '{*}' ? `${literal}+` : s === '{**}' ? `${literal.slice(0, -1)}/]*` : s.replace(/[$()+.]/g, '\\$&'))).join('/')}`;
    const templates = ['/foo/{*}', '/a.b/{**}', '/x/{*}/y(1)/{**}', '/{**}', '/v+1/{*}/'];
    const paths = fc.array(fc.constantFrom('a', 'b', '.', '/', '(', ')', '+', '$', '=', '*', '1', 'x', 'foo', 'y(1)', 'v+1', 'a.b'), { maxLength: 7 }).map((parts) => `/${parts.join('')}`);
    fc.assert(fc.property(fc.constantFrom(...templates), paths, (template, path) => {
      expect(stringMatches(match(pathTemplateRegex(template)), path)).toBe(fullMatch(envoyRegex(template), path));
    }), { numRuns: 300 });
  });
});

function match(result: ReturnType<typeof istioPathMatch>) {
  if ('problem' in result) throw new Error(result.problem);
  return result.match;
}

/** The matcher in the shape of Envoy's YAML (StringMatcher / HeaderMatcher fields). */
function toEnvoy(m: ReturnType<typeof istioHeaderMatch>): Record<string, unknown> {
  switch (m.kind) {
    case 'present':
      return { presentMatch: true };
    case 'regex':
      return { safeRegex: m.value };
    default:
      return { [m.kind]: m.value };
  }
}
