import { conditionHolds, StringMatch, stringMatches, urlPath } from '../../../src/analysis';
import { identityMatches, spiffeId } from '../../../src/analysis/ir/workload-identity';

// Expected values follow Envoy's StringMatcher and HeaderMatcher documentation
// (envoyproxy/envoy api/envoy/type/matcher/v3/string.proto, config/route/v3/route_components.proto):
// exact, prefix and suffix are case-sensitive without ignore_case; safe_regex is a full match.
describe('stringMatches', () => {
  test.each<[StringMatch, string, boolean]>([
    [{ kind: 'exact', value: 'GET' }, 'GET', true],
    [{ kind: 'exact', value: 'GET' }, 'get', false],
    [{ kind: 'exact', value: 'GET' }, 'GETX', false],
    [{ kind: 'prefix', value: '/api' }, '/api', true],
    [{ kind: 'prefix', value: '/api' }, '/apifoo', true],
    [{ kind: 'prefix', value: '/api' }, '/API', false],
    [{ kind: 'suffix', value: '.txt' }, 'a.txt', true],
    [{ kind: 'suffix', value: '.txt' }, '.txt', true],
    [{ kind: 'suffix', value: '.txt' }, 'a.TXT', false],
    [{ kind: 'regex', value: '.+' }, 'x', true],
    [{ kind: 'regex', value: '.+' }, '', false],
    [{ kind: 'regex', value: 'a|b' }, 'ab', false],
    [{ kind: 'present' }, '', true],
    [{ kind: 'present' }, 'PATCH', true],
  ])('%j on %j is %s', (match, value, expected) => {
    expect(stringMatches(match, value)).toBe(expected);
  });
});

describe('conditionHolds', () => {
  const condition = { anyOf: [{ kind: 'prefix' as const, value: '/api/' }], noneOf: [{ kind: 'exact' as const, value: '/api/admin' }] };
  test('needs one of anyOf and none of noneOf', () => {
    expect(conditionHolds(condition, '/api/users')).toBe(true);
    expect(conditionHolds(condition, '/api/admin')).toBe(false);
    expect(conditionHolds(condition, '/other')).toBe(false);
  });
  test('without anyOf, every value not excluded holds', () => {
    expect(conditionHolds({ noneOf: condition.noneOf }, '/other')).toBe(true);
    expect(conditionHolds({ noneOf: condition.noneOf }, '/api/admin')).toBe(false);
  });
  test('an empty condition holds for everything', () => {
    expect(conditionHolds({}, '')).toBe(true);
  });
});

describe('urlPath', () => {
  // path.proto: "the path /data will match the :path header /data#fragment?param=value".
  test.each([
    ['/data#fragment?param=value', '/data'],
    ['/data?param=value#x', '/data'],
    ['/data', '/data'],
    ['/', '/'],
    ['/?', '/'],
  ])('of %j is %j', (path, expected) => {
    expect(urlPath(path)).toBe(expected);
  });
});

describe('workload identities', () => {
  test('a pod\'s SPIFFE ID names its trust domain, namespace and service account', () => {
    expect(spiffeId('example.org', 'prod', 'web')).toBe('spiffe://example.org/ns/prod/sa/web');
  });
  test('no identity condition matches every pod; otherwise one matcher must match the SPIFFE ID', () => {
    const condition = (anyOf: StringMatch[]) => ({ trustDomain: 'example.org', all: [{ attribute: 'spiffeId' as const, condition: { anyOf } }] });
    expect(identityMatches(undefined, 'prod', 'web')).toBe(true);
    expect(identityMatches(condition([{ kind: 'prefix', value: 'spiffe://example.org/' }, { kind: 'exact', value: 'x' }]), 'prod', 'web')).toBe(true);
    expect(identityMatches(condition([{ kind: 'prefix', value: 'spiffe://cluster.local/' }]), 'prod', 'web')).toBe(false);
    expect(identityMatches(condition([]), 'prod', 'web')).toBe(false);
  });
  test('every test must hold (AND); a namespace test sees the namespace alone, noneOf excludes', () => {
    const prod = { attribute: 'namespace' as const, condition: { anyOf: [{ kind: 'exact' as const, value: 'prod' }] } };
    const notWeb = { attribute: 'spiffeId' as const, condition: { noneOf: [{ kind: 'suffix' as const, value: '/sa/web' }] } };
    const condition = { trustDomain: 'example.org', all: [prod, notWeb] };
    expect(identityMatches(condition, 'prod', 'api')).toBe(true);
    expect(identityMatches(condition, 'prod', 'web')).toBe(false);
    expect(identityMatches(condition, 'dev', 'api')).toBe(false);
    expect(identityMatches({ trustDomain: 'example.org', all: [] }, 'dev', 'api')).toBe(true);
  });
});
