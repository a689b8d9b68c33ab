import { matrix, parseCluster, parsePolicies, ReachabilityAnalyzer } from '../../../src/analysis';
import { estateYaml } from '../support/estate';

// The full reachability of a 500-namespace estate (about 5,000 pods) is computed per group of pods
// no policy tells apart, not pod by pod. How long it takes is measured in the benchmark
// (`npx projen bench --size estate`, docs/PERFORMANCE.md), never in a unit test.

describe('matrix at scale', () => {
  const estate = estateYaml(500);

  test('computes the full reachability of a 500-namespace estate by groups of pods, not pod by pod', () => {
    const cluster = parseCluster({ file: 'estate-cluster.yaml', text: estate.cluster });
    const policies = parsePolicies({ file: 'estate-policies.yaml', text: estate.policies });
    const result = matrix(cluster, policies, 8080, 'TCP');
    const count = result.allowedPairCount();

    expect(cluster.pods).toHaveLength(estate.podCount);
    expect(result.groups.length).toBeLessThan(cluster.pods.length / 2);
    // Self pairs, plus web -> api on 8080 in the even teams, plus the legacy range of every 50th team.
    expect(count).toBeGreaterThan(cluster.pods.length);
  }, 60_000);

  test('gives the same answers as single-flow evaluation on a sample of pairs', () => {
    const cluster = parseCluster({ file: 'estate-cluster.yaml', text: estate.cluster });
    const policies = parsePolicies({ file: 'estate-policies.yaml', text: estate.policies });
    const analyzer = new ReachabilityAnalyzer(cluster, policies);
    const result = analyzer.matrix(8080, 'TCP');
    const pick = (ns: string, prefix: string) => cluster.podsIn(ns).find((pod) => pod.name.startsWith(prefix))!;
    const samples = [
      [pick('team-000', 'web'), pick('team-000', 'api'), true],
      [pick('team-001', 'web'), pick('team-001', 'api'), false],
      [pick('team-000', 'web'), pick('team-002', 'api'), false],
      [pick('team-000', 'api'), pick('team-001', 'web'), false],
      [pick('team-000', 'api'), pick('kube-system', 'coredns'), true],
      [pick('team-002', 'api'), pick('kube-system', 'coredns'), false],
      [pick('team-050', 'api'), pick('monitoring', 'prometheus'), true],
      [pick('ingress-nginx', 'controller'), pick('team-004', 'web'), true],
      [pick('team-004', 'worker'), pick('team-004', 'db'), false],
    ] as const;
    for (const [source, destination, expected] of samples) {
      const flow = { source: { kind: 'pod' as const, namespace: source.namespace, name: source.name }, destination: { kind: 'pod' as const, namespace: destination.namespace, name: destination.name }, port: 8080, protocol: 'TCP' as const };
      expect({ source: source.name, destination: destination.name, allowed: result.isAllowed(source, destination) })
        .toEqual({ source: source.name, destination: destination.name, allowed: expected });
      expect(analyzer.evaluate(flow).allowed).toBe(expected);
    }
  }, 60_000);
});
