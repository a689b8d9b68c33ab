import { ClusterModel, matrix, ReachabilityAnalyzer } from '../../../src/analysis';
import { policiesFromYaml } from '../support/fixtures';

const cluster = ClusterModel.create({
  pods: [
    // Unique labels no policy reads (pod-template-hash, pod names) must not split groups.
    ...[0, 1, 2].map((i) => ({ namespace: 'shop', name: `web-${i}`, labels: { 'app': 'web', 'pod-template-hash': `h${i}` }, ips: [`10.0.0.${i + 1}`] })),
    ...[0, 1].map((i) => ({ namespace: 'shop', name: `db-${i}`, labels: { app: 'db' }, ips: [`10.0.1.${i + 1}`] })),
    { namespace: 'other', name: 'client', labels: { app: 'web' }, ips: ['10.0.2.1'] },
  ],
});
const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db-from-web, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  ingress:
  - from: [{ podSelector: { matchLabels: { app: web } } }]
`);

describe('the matrix', () => {
  const result = matrix(cluster, policies, 5432, 'TCP');

  test('groups pods that no policy can tell apart, whatever other labels they carry', () => {
    expect(result.groups.map((group) => group.pods.map((pod) => `${pod.namespace}/${pod.name}`))).toEqual([
      ['other/client'],
      ['shop/db-0', 'shop/db-1'],
      ['shop/web-0', 'shop/web-1', 'shop/web-2'],
    ]);
  });

  test('lists allowed pairs in pod order, self pairs included', () => {
    const pairs = result.allowedPairs();
    expect(pairs.filter(([, destination]) => destination.startsWith('shop/db'))).toEqual([
      ['shop/db-0', 'shop/db-0'],
      ['shop/db-1', 'shop/db-1'],
      ['shop/web-0', 'shop/db-0'], ['shop/web-0', 'shop/db-1'],
      ['shop/web-1', 'shop/db-0'], ['shop/web-1', 'shop/db-1'],
      ['shop/web-2', 'shop/db-0'], ['shop/web-2', 'shop/db-1'],
    ]);
    expect(pairs).toHaveLength(36 - 4); // denied: client -> db-0, db-1; db-0 -> db-1; db-1 -> db-0
    expect(result.allowedPairCount()).toBe(pairs.length);
  });

  test('answers single pairs by name or by pod', () => {
    expect(result.isAllowed('shop/web-1', 'shop/db-0')).toBe(true);
    expect(result.isAllowed('other/client', 'shop/db-0')).toBe(false);
    expect(result.isAllowed('shop/db-0', 'shop/db-1')).toBe(false);
    expect(result.isAllowed(cluster.pods[0], cluster.pods[0])).toBe(true);
  });

  test('fails for a pod outside its cluster model, and for an invalid port or protocol', () => {
    expect(() => result.isAllowed('shop/nope', 'shop/db-0')).toThrow('unknown pod shop/nope; the matrix covers the pods of its cluster model');
    expect(() => matrix(cluster, policies, 70000, 'TCP')).toThrow('port: expected an integer from 1 to 65535, got 70000');
    expect(() => matrix(cluster, policies, 80, 'ICMP' as never)).toThrow('protocol: expected one of TCP, UDP, SCTP, got "ICMP"');
  });

  test('is stable across analyzers and port queries', () => {
    const analyzer = new ReachabilityAnalyzer(cluster, policies);
    expect(analyzer.matrix(5432, 'TCP').allowedPairs()).toEqual(result.allowedPairs());
    expect(analyzer.matrix(5432, 'UDP').allowedPairs()).toEqual(result.allowedPairs());
  });
});
