import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ClusterNetworkPolicyImplementation, Engine } from '../../src';
import { AnalysisPolicy, ClusterModel, ReachabilityAnalyzer } from '../../src/analysis';
import { synthesizedPolicies } from '../../src/analysis/intent/synthesized-policies';
import { synthesize } from '../../src/cli/commands/import';
import { connectionFocus } from '../../src/cli/port-selection';
import { diffReachability } from '../../src/cli/reachability-diff';
import { PlanEngineKind } from '../../src/importer/import-plan';
import { formatCannotExpress, planImport } from '../../src/importer/plan-import';
import { clusterArb, toCluster } from '../equivalence/cluster-gen';
import { buildClusterIntents, clusterIntentsArb, ClusterIntentSpec, expressibleOn } from '../equivalence/cluster-intent-gen';
import { buildIntents, describeIntents, intentsArb, IntentSpec } from '../equivalence/intent-gen';
import { OVERLAPPING_TARGET } from '../helpers/target';

// What the library synthesizes imports back: random namespaced and cluster-wide intents (the
// equivalence tests' generators) over random clusters, synthesized for an engine, read back, imported
// for the same engine, synthesized again — and the second synthesis allows exactly what the first does
// (the analyzer's diff). Every generated app must import: the mapping covers every shape our own
// renderers write, the cluster-wide ones included (ClusterNetworkPolicy, GlobalNetworkPolicy).

const RUNS = Number(process.env.IMPORT_PROPERTY_RUNS ?? 150);

/** The kinds of intent the imports planned, so that a test can say every kind was compared, not only generated. */
const planned = new Map<PlanEngineKind, Set<string>>();

function roundTrip(engine: PlanEngineKind, cluster: ClusterModel, synthesized: AnalysisPolicy[], describe: () => string): void {
  const result = planImport(synthesized, cluster, {
    engine, podCidrs: OVERLAPPING_TARGET.podCidrs, serviceCidrs: OVERLAPPING_TARGET.serviceCidrs, clusterNetworkPolicyImplementation: 'calico',
  });
  if (!result.plan) throw new Error(`cannot import:\n  ${result.cannotExpress.map(formatCannotExpress).join('\n  ')}\n${describe()}`);
  const kinds = planned.get(engine) ?? new Set<string>();
  result.plan.intents.forEach((intent) => kinds.add(intent.kind));
  planned.set(engine, kinds);
  const again = synthesize(result.plan);
  if ('error' in again) throw new Error(`the ${engine} engine refuses the imported app: ${again.error}\n${describe()}`);
  const options = { ipBlockMatchesPods: true };
  const before = new ReachabilityAnalyzer(cluster, synthesized, options);
  const diff = diffReachability(before, new ReachabilityAnalyzer(cluster, again.policies, options), connectionFocus({}));
  if (diff.gainedPairs + diff.lostPairs > 0) throw new Error(`the import gains ${diff.gainedPairs} and loses ${diff.lostPairs} pairs\n${describe()}`);
}

const EVERY_KIND = ['AllowDns', 'AllowFrom', 'AllowTo', 'ClusterAlwaysAllow', 'ClusterDefaultDeny', 'ClusterDelegateToNamespaces', 'ClusterDeny', 'DefaultDeny', 'EgressToCidr'];

const describeAll = (specs: IntentSpec[], wide: ClusterIntentSpec[]) => () => `${describeIntents(specs)}\n${wide.map((s) => `  ${JSON.stringify(s)}`).join('\n')}`;

/** The synthesized policies, or undefined when the engine refuses the generated app (what it refuses is tested elsewhere). */
function synthesizedOrRefused(chart: Chart): AnalysisPolicy[] | undefined {
  try {
    return synthesizedPolicies(chart);
  } catch (error) {
    if (error instanceof Error && /Validation failed/.test(error.message)) return undefined;
    throw error;
  }
}

describe('import of what the library synthesizes', () => {
  test('kubernetes (ClusterNetworkPolicy for cluster-wide intents): every app imports back to the same traffic', () => {
    fc.assert(fc.property(intentsArb(), clusterIntentsArb(), clusterArb(), (specs, clusterSpecs, spec) => {
      const wide = expressibleOn(clusterSpecs, { ingressPodsOnly: true, noNamedPorts: true });
      const chart = new Chart(Testing.app(), 'case');
      const implementation = ClusterNetworkPolicyImplementation.calico();
      Engine.attach(chart, Engine.kubernetes({ target: OVERLAPPING_TARGET, clusterNetworkPolicy: { implementation } }));
      buildIntents(chart, specs);
      buildClusterIntents(chart, wide);
      roundTrip('kubernetes', toCluster(spec), synthesizedPolicies(chart), describeAll(specs, wide));
    }), { numRuns: RUNS });
    expect([...planned.get('kubernetes')!].sort()).toEqual(EVERY_KIND);
  });

  test('calico (GlobalNetworkPolicy and the kube-admin tier for cluster-wide intents): every app imports back to the same traffic', () => {
    fc.assert(fc.property(intentsArb({ withIdentity: true }), clusterIntentsArb(), clusterArb(), (specs, wide, spec) => {
      const chart = new Chart(Testing.app(), 'case');
      Engine.attach(chart, Engine.calico({ target: OVERLAPPING_TARGET }));
      buildIntents(chart, specs);
      buildClusterIntents(chart, wide);
      roundTrip('calico', toCluster(spec), synthesizedPolicies(chart), describeAll(specs, wide));
    }), { numRuns: Math.ceil(RUNS / 2) });
    expect([...planned.get('calico')!].sort()).toEqual(EVERY_KIND);
  });

  test('cilium (CiliumClusterwideNetworkPolicy for cluster-wide intents): every app the engine accepts imports back to the same traffic', () => {
    let compared = 0;
    fc.assert(fc.property(intentsArb({ withIdentity: true }), clusterIntentsArb(), clusterArb(), (specs, clusterSpecs, spec) => {
      const wide = expressibleOn(clusterSpecs, { noDelegate: true, noNamedPorts: true });
      const chart = new Chart(Testing.app(), 'case');
      Engine.attach(chart, Engine.cilium({ target: OVERLAPPING_TARGET }));
      buildIntents(chart, specs);
      buildClusterIntents(chart, wide);
      const synthesized = synthesizedOrRefused(chart);
      if (!synthesized) return;
      compared++;
      roundTrip('cilium', toCluster(spec), synthesized, describeAll(specs, wide));
    }), { numRuns: Math.ceil(RUNS / 2) });
    expect(compared).toBeGreaterThan(RUNS / 4);
    // Cilium has no delegation; its ClusterAllowDns reads back as one cluster-wide isolating policy with the DNS rule.
    expect([...planned.get('cilium')!].sort()).toEqual([...EVERY_KIND.filter(k => k !== 'ClusterDelegateToNamespaces'), 'ClusterAllowDns'].sort());
  });
});
