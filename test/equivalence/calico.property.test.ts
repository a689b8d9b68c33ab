import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { clusterArb, toCluster } from './cluster-gen';
import { buildClusterIntents, clusterIntentsArb } from './cluster-intent-gen';
import { reachabilityDifferences } from './compare';
import { buildIntents, describeIntents, intentsArb } from './intent-gen';
import { Engine } from '../../src';
import { intentPolicies, synthesizedPolicies } from '../../src/analysis/intent/synthesized-policies';
import { OVERLAPPING_TARGET, PROPERTY_TARGET } from '../helpers/target';

const RUNS = Number(process.env.EQUIVALENCE_RUNS ?? 1000);

describe('the calico engine allows exactly what the intent means', () => {
  // Calico's `nets` match pod IPs (calico#6634): the intent's CIDRs are compared in that view only.
  // More intent shapes (cluster-wide, staged, service-account subjects) are covered by
  // test/analysis/calico/equivalence.property.test.ts.
  test('on random intents, identities included, over random clusters (pod pairs and external addresses)', () => {
    fc.assert(fc.property(intentsArb({ withIdentity: true }), clusterArb(), (specs, cluster) => {
      const chart = new Chart(Testing.app(), 'case');
      Engine.attach(chart, Engine.calico({ target: PROPERTY_TARGET }));
      buildIntents(chart, specs);
      const diffs = reachabilityDifferences(toCluster(cluster), intentPolicies(chart), synthesizedPolicies(chart), { ipBlockMatchesPods: true });
      if (diffs.length) {
        throw new Error(`the calico engine differs from the intent on ${diffs.length} flow(s):\n  ${diffs.slice(0, 10).join('\n  ')}\nintents:\n${describeIntents(specs)}`);
      }
    }), { numRuns: RUNS });
  });
});

describe('the calico engine allows exactly what cluster-wide intents mean', () => {
  test('on random cluster-wide and admin intents (kube-admin tier) with namespaced intents mixed in, over random clusters', () => {
    fc.assert(fc.property(intentsArb({ withIdentity: true }), clusterIntentsArb(), clusterArb(), (specs, wide, cluster) => {
      const chart = new Chart(Testing.app(), 'case');
      Engine.attach(chart, Engine.calico({ target: OVERLAPPING_TARGET }));
      buildIntents(chart, specs);
      buildClusterIntents(chart, wide);
      const diffs = reachabilityDifferences(toCluster(cluster), intentPolicies(chart), synthesizedPolicies(chart), { ipBlockMatchesPods: true });
      if (diffs.length) {
        throw new Error(`the calico engine differs from the intent on ${diffs.length} flow(s):\n  ${diffs.slice(0, 10).join('\n  ')}\nintents:\n${describeIntents(specs)}\n${JSON.stringify(wide)}`);
      }
    }), { numRuns: Math.ceil(RUNS / 2) });
  });
});
