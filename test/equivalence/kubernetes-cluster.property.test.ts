import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { clusterArb, toCluster } from './cluster-gen';
import { buildClusterIntents, clusterIntentsArb, ClusterIntentSpec, expressibleOn } from './cluster-intent-gen';
import { reachabilityDifferenceList, reachabilityDifferences } from './compare';
import { buildIntents, describeIntents, intentsArb } from './intent-gen';
import { ClusterNetworkPolicyImplementation, Engine } from '../../src';
import { intentPolicies, synthesizedPolicies } from '../../src/analysis/intent/synthesized-policies';
import { OVERLAPPING_TARGET } from '../helpers/target';

const RUNS = Number(process.env.EQUIVALENCE_RUNS ?? 1000);

const engine = (baselineIngressFromPodsOnly = false) => Engine.kubernetes({
  target: OVERLAPPING_TARGET,
  clusterNetworkPolicy: { implementation: ClusterNetworkPolicyImplementation.calico(), baselineIngressFromPodsOnly },
});

const describeAll = (cluster: ClusterIntentSpec[]) => cluster.map((s, i) => `  c${i}: ${JSON.stringify(s)}`).join('\n');

describe('the kubernetes engine with ClusterNetworkPolicy allows exactly what the intent means', () => {
  test('on random cluster-wide and admin intents with namespaced intents mixed in, over random clusters', () => {
    const kinds = new Set<string>();
    fc.assert(fc.property(intentsArb(), clusterIntentsArb(), clusterArb(), (specs, clusterSpecs, cluster) => {
      const wide = expressibleOn(clusterSpecs, { ingressPodsOnly: true, noNamedPorts: true });
      const chart = new Chart(Testing.app(), 'case');
      Engine.attach(chart, engine());
      buildIntents(chart, specs);
      buildClusterIntents(chart, wide);
      wide.forEach(s => kinds.add(s.kind === 'ClusterRule' ? `${s.action} ${s.dir}` : s.kind));
      const diffs = reachabilityDifferences(toCluster(cluster), intentPolicies(chart), synthesizedPolicies(chart), { ipBlockMatchesPods: true });
      if (diffs.length) {
        throw new Error(`the kubernetes engine differs from the intent on ${diffs.length} flow(s):\n  ${diffs.slice(0, 10).join('\n  ')}\nintents:\n${describeIntents(specs)}\n${describeAll(wide)}`);
      }
    }), { numRuns: RUNS });
    // Every kind of cluster-wide intent was compared, not only generated.
    expect([...kinds].sort()).toEqual([
      'ClusterAllowDns', 'ClusterDefaultDeny', 'allow egress', 'allow ingress', 'delegate egress', 'delegate ingress', 'deny egress', 'deny ingress',
    ]);
  });

  test('with baselineIngressFromPodsOnly, the cluster-wide ingress deny differs from the intent only on what the option names: connections from outside the cluster to pods', () => {
    let widened = 0;
    fc.assert(fc.property(intentsArb(), clusterIntentsArb(), clusterArb(), (specs, clusterSpecs, cluster) => {
      const wide = [...expressibleOn(clusterSpecs, { ingressPodsOnly: true, noNamedPorts: true }), { kind: 'ClusterDefaultDeny' as const, except: [], dirs: ['ingress' as const] }];
      const chart = new Chart(Testing.app(), 'case');
      Engine.attach(chart, engine(true));
      buildIntents(chart, specs);
      buildClusterIntents(chart, wide);
      const diffs = reachabilityDifferenceList(toCluster(cluster), intentPolicies(chart), synthesizedPolicies(chart), { ipBlockMatchesPods: true });
      widened += diffs.length > 0 ? 1 : 0;
      // Allowed: the engine allows more, from an outside address class to pods. Anything else is a bug.
      const unexpected = diffs.filter(d => !(d.engine === 'allows' && !d.self && d.source.kind === 'external' && d.destinations.every(to => to.kind === 'pods')));
      if (unexpected.length) {
        throw new Error(`unexpected differences:\n  ${unexpected.slice(0, 10).map(d => d.text).join('\n  ')}\nintents:\n${describeIntents(specs)}\n${describeAll(wide)}`);
      }
    }), { numRuns: Math.ceil(RUNS / 3) });
    // The widening is real (the property is not vacuous).
    expect(widened).toBeGreaterThan(0);
  });
});
