import { ClusterModel, matrix } from '../../../src/analysis';
import { policiesFromYaml } from '../support/fixtures';

// Label selector semantics (apimachinery labels.Selector): matchLabels and every matchExpressions entry
// are ANDed; NotIn and DoesNotExist also match objects that do not have the key at all.

// Every pod has an address: a pod without one has no network.
const cluster = ClusterModel.create({
  namespaces: [
    { name: 'x' },
    { name: 'prod', labels: { env: 'prod', tier: 'web' } },
    { name: 'stage', labels: { env: 'stage' } },
    { name: 'bare' },
  ],
  pods: [
    { namespace: 'x', name: 'target', labels: { role: 'target' }, ips: ['10.0.0.1'] },
    { namespace: 'x', name: 'web', labels: { tier: 'web', env: 'prod' }, ips: ['10.0.0.2'] },
    { namespace: 'x', name: 'db', labels: { tier: 'db', env: 'prod' }, ips: ['10.0.0.3'] },
    { namespace: 'x', name: 'nolabel', labels: {}, ips: ['10.0.0.4'] },
    { namespace: 'x', name: 'cache', labels: { tier: 'cache', legacy: 'true' }, ips: ['10.0.0.5'] },
    { namespace: 'prod', name: 'p', labels: {}, ips: ['10.0.0.6'] },
    { namespace: 'stage', name: 's', labels: {}, ips: ['10.0.0.7'] },
    { namespace: 'bare', name: 'b', labels: {}, ips: ['10.0.0.8'] },
  ],
});

function allowedInto(peer: string): string[] {
  const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: into-target, namespace: x }
spec:
  podSelector: { matchLabels: { role: target } }
  ingress:
  - from:
    - ${peer}
`);
  return matrix(cluster, policies, 80, 'TCP').allowedPairs()
    .filter(([source, destination]) => destination === 'x/target' && source !== 'x/target')
    .map(([source]) => source);
}

describe('matchExpressions', () => {
  test.each([
    ['In matches pods whose label has one of the values',
      'podSelector: { matchExpressions: [{ key: tier, operator: In, values: [web, db] }] }', ['x/db', 'x/web']],
    ['NotIn matches pods with another value and pods without the key',
      'podSelector: { matchExpressions: [{ key: tier, operator: NotIn, values: [web] }] }', ['x/cache', 'x/db', 'x/nolabel']],
    ['Exists matches pods that have the key, whatever its value',
      'podSelector: { matchExpressions: [{ key: tier, operator: Exists }] }', ['x/cache', 'x/db', 'x/web']],
    ['DoesNotExist matches only pods without the key',
      'podSelector: { matchExpressions: [{ key: tier, operator: DoesNotExist }] }', ['x/nolabel']],
    ['matchLabels and matchExpressions are ANDed',
      'podSelector: { matchLabels: { env: prod }, matchExpressions: [{ key: tier, operator: In, values: [web, cache] }] }', ['x/web']],
    ['several expressions are ANDed',
      'podSelector: { matchExpressions: [{ key: tier, operator: Exists }, { key: legacy, operator: DoesNotExist }] }', ['x/db', 'x/web']],
    ['In on namespace labels selects matching namespaces',
      'namespaceSelector: { matchExpressions: [{ key: env, operator: In, values: [prod, stage] }] }', ['prod/p', 'stage/s']],
    ['NotIn on namespace labels includes namespaces without the key',
      'namespaceSelector: { matchExpressions: [{ key: env, operator: NotIn, values: [prod] }] }', ['bare/b', 'stage/s', 'x/cache', 'x/db', 'x/nolabel', 'x/web']],
    ['Exists on namespace labels selects namespaces having the key',
      'namespaceSelector: { matchExpressions: [{ key: env, operator: Exists }] }', ['prod/p', 'stage/s']],
    ['DoesNotExist on namespace labels selects namespaces lacking the key',
      'namespaceSelector: { matchExpressions: [{ key: env, operator: DoesNotExist }] }', ['bare/b', 'x/cache', 'x/db', 'x/nolabel', 'x/web']],
  ])('%s', (_title, peer, expected) => {
    expect(allowedInto(peer)).toEqual(expected);
  });

  test('a subject selector with NotIn isolates pods that lack the key', () => {
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: isolate-non-web, namespace: x }
spec:
  podSelector: { matchExpressions: [{ key: tier, operator: NotIn, values: [web] }] }
  policyTypes: [Ingress]
`);
    const reachableFromStage = matrix(cluster, policies, 80, 'TCP').allowedPairs()
      .filter(([source, destination]) => source === 'stage/s' && destination.startsWith('x/'))
      .map(([, destination]) => destination);
    expect(reachableFromStage).toEqual(['x/web']);
  });
});
