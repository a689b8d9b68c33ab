import * as fc from 'fast-check';
import { ClusterModel, EvaluatorOptions, parsePolicies, ReachabilityAnalyzer } from '../../src/analysis';
import { synthesize } from '../../src/cli/commands/import';
import { connectionFocus } from '../../src/cli/port-selection';
import { diffReachability } from '../../src/cli/reachability-diff';
import { PlanEngineKind } from '../../src/importer/import-plan';
import { planImport } from '../../src/importer/plan-import';
import { APPS, clusterArb, NAMESPACES, toCluster } from '../equivalence/cluster-gen';

// Random Kubernetes NetworkPolicies over random clusters → import → the app's synthesized objects
// allow exactly what the input allows, set-exactly (the analyzer's diff over every class pair and
// connection). For the kubernetes engine every such input must import. For calico and cilium (a CNI
// migration) the engine may refuse an intent, with its synthesis error, but never allow other traffic;
// Cilium CIDR rules never match pod addresses, so that migration is compared under ipBlock-ignores-pods.

const RUNS = Number(process.env.IMPORT_PROPERTY_RUNS ?? 150);

const selectorArb = fc.oneof(
  fc.constant({}),
  fc.constantFrom(...APPS).map((app) => ({ matchLabels: { app } })),
  fc.record({
    key: fc.constant('tier'),
    operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'),
  }).map(({ key, operator }) => ({ matchExpressions: [{ key, operator, ...(operator === 'In' || operator === 'NotIn' ? { values: ['1'] } : {}) }] })),
);

const peerArb = fc.oneof(
  selectorArb.map((podSelector) => ({ podSelector })),
  fc.constantFrom('x', 'y').map((team) => ({ namespaceSelector: { matchLabels: { team } } })),
  fc.tuple(fc.constantFrom(...NAMESPACES), selectorArb).map(([ns, podSelector]) => ({
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector,
  })),
  fc.constant({ namespaceSelector: {} }),
  fc.constantFrom(
    { ipBlock: { cidr: '10.244.0.0/24' } },
    { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } },
    { ipBlock: { cidr: '192.0.2.0/24' } },
  ),
);

const portArb = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(53, 8080, 9090) }),
  fc.constant({ protocol: 'TCP', port: 8000, endPort: 8100 }),
  fc.constant({ port: 'http' }),
  fc.constant({ protocol: 'UDP' }),
);

const ruleArb = (field: 'from' | 'to') => fc.record({
  peers: fc.option(fc.array(peerArb, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  ports: fc.option(fc.array(portArb, { minLength: 1, maxLength: 2 }), { nil: undefined }),
}).map(({ peers, ports }) => ({ ...(peers ? { [field]: peers } : {}), ...(ports ? { ports } : {}) }));

const policyArb = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  podSelector: selectorArb,
  types: fc.constantFrom(['Ingress'], ['Egress'], ['Ingress', 'Egress']),
  ingress: fc.array(ruleArb('from'), { maxLength: 2 }),
  egress: fc.array(ruleArb('to'), { maxLength: 2 }),
});

function manifests(policies: readonly fc.RecordValue<any>[]): string {
  return policies.map((p, i) => JSON.stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `policy-${i}`, namespace: p.namespace },
    spec: {
      podSelector: p.podSelector,
      policyTypes: p.types,
      ...(p.types.includes('Ingress') ? { ingress: p.ingress } : {}),
      ...(p.types.includes('Egress') ? { egress: p.egress } : {}),
    },
  })).join('\n---\n');
}

/** Pairs gained and lost from the input to the app's synthesized objects, or the engine's refusal. */
function importDifference(text: string, cluster: ClusterModel, engine: PlanEngineKind, options: EvaluatorOptions):
{ gained: number; lost: number } | { refused: string } {
  const input = parsePolicies({ file: 'input.yaml', text }, { clusterNamespaces: cluster.namespaces });
  const result = planImport(input, cluster, { engine, podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });
  if (!result.plan) throw new Error(`cannot express: ${JSON.stringify(result.cannotExpress)}`);
  const generated = synthesize(result.plan);
  if ('error' in generated) return { refused: generated.error };
  const before = new ReachabilityAnalyzer(cluster, input, options);
  const diff = diffReachability(before, new ReachabilityAnalyzer(cluster, generated.policies, options), connectionFocus({}));
  return { gained: diff.gainedPairs, lost: diff.lostPairs };
}

describe('import, on random NetworkPolicies over random clusters', () => {
  test('the kubernetes engine imports every input, into an app that allows exactly the same traffic', () => {
    fc.assert(fc.property(clusterArb(), fc.array(policyArb, { minLength: 1, maxLength: 4 }), (spec, policies) => {
      const outcome = importDifference(manifests(policies), toCluster(spec), 'kubernetes', {});
      expect(outcome).toEqual({ gained: 0, lost: 0 });
    }), { numRuns: RUNS });
  });

  test.each([['calico', {}], ['cilium', { ipBlockMatchesPods: false }]] as const)(
    'a migration to %s is refused by the engine or allows exactly the same traffic',
    (engine, options) => {
      let compared = 0;
      fc.assert(fc.property(clusterArb(), fc.array(policyArb, { minLength: 1, maxLength: 4 }), (spec, policies) => {
        const outcome = importDifference(manifests(policies), toCluster(spec), engine, options);
        if ('refused' in outcome) {
          expect(outcome.refused).toMatch(/Fix:|expected/);
        } else {
          compared++;
          expect(outcome).toEqual({ gained: 0, lost: 0 });
        }
      }), { numRuns: Math.ceil(RUNS / 2) });
      // Not vacuous: most migrations are compared, not refused.
      expect(compared).toBeGreaterThan(RUNS / 4);
    },
  );
});
