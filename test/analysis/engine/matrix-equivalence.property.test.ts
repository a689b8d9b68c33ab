import * as fc from 'fast-check';
import { AnalysisPolicy, ClusterModel, EvaluatorOptions, matrix, Protocol, translateNetworkPolicy } from '../../../src/analysis';
import { clusterInputArb, irPoliciesArb, k8sManifestsArb, optionsArb, queryArb } from '../support/arbitraries';
import { naiveMatrix } from '../support/naive-matrix';

// The grouped matrix must equal evaluating every pod pair one flow at a time, for any cluster, any
// policies and any options. A failure is shrunk to a minimal cluster and policy set.

type ClusterInput = Parameters<typeof ClusterModel.create>[0];

function groupedEqualsNaive(
  clusterInput: ClusterInput, policies: AnalysisPolicy[], query: { port: number; protocol: Protocol }, options: EvaluatorOptions,
): void {
  const cluster = ClusterModel.create(clusterInput);
  const grouped = matrix(cluster, policies, query.port, query.protocol, options);
  const expected = naiveMatrix(cluster, policies, query.port, query.protocol, options);
  expect(grouped.allowedPairs()).toEqual(expected);
  expect(grouped.allowedPairCount()).toBe(expected.length);
}

describe('grouped matrix equals the pair-by-pair matrix', () => {
  test('for random clusters and random Kubernetes NetworkPolicies', () => {
    fc.assert(fc.property(clusterInputArb, k8sManifestsArb, queryArb, optionsArb, (cluster, manifests, query, options) => {
      groupedEqualsNaive(cluster, manifests.map((manifest) => translateNetworkPolicy(manifest)), query, options);
    }), { numRuns: 1000 });
  }, 120_000);

  test('for random clusters and random tiered IR policies (deny, pass, log, layers, HTTP, entities, mTLS peers)', () => {
    fc.assert(fc.property(clusterInputArb, irPoliciesArb, queryArb, optionsArb, groupedEqualsNaive), { numRuns: 1000 });
  }, 120_000);

  test('fails loudly when the grouped matrix is compared with a different policy set', () => {
    // Guards the property itself: a policy set that isolates something must change the result.
    const cluster = ClusterModel.create({ pods: [{ name: 'a', labels: { app: 'web' }, ips: ['10.0.0.1'] }, { name: 'b', ips: ['10.0.0.2'] }] });
    const denyAll: AnalysisPolicy[] = [{
      ref: { kind: 'NetworkPolicy', namespace: 'default', name: 'deny' },
      layer: 'network',
      tier: { name: 'kubernetes', order: 0, defaultAction: 'deny' },
      enforced: true,
      subject: { namespaces: { kind: 'names', names: ['default'] }, pods: { op: 'all' } },
      ingress: { isolates: true, rules: [] },
    }];
    expect(matrix(cluster, denyAll, 80, 'TCP').allowedPairs()).not.toEqual(naiveMatrix(cluster, [], 80, 'TCP'));
  });
});
