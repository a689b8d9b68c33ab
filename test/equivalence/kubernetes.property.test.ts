import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { clusterArb, toCluster } from './cluster-gen';
import { reachabilityDifferences } from './compare';
import { buildIntents, describeIntents, intentsArb, withAccountsByApp } from './intent-gen';
import { Engine } from '../../src';
import { intentPolicies, synthesizedPolicies } from '../../src/analysis/intent/synthesized-policies';
import { PROPERTY_TARGET } from '../helpers/target';

const RUNS = Number(process.env.EQUIVALENCE_RUNS ?? 1000);

describe('the kubernetes engine allows exactly what the intent means', () => {
  // ipBlock matching pod IPs is implementation-defined: the default (true, Calico's view) gets the
  // full run; the Cilium view (false) a shorter one, since only CIDR peers behave differently.
  test.each([[true, RUNS], [false, Math.ceil(RUNS / 3)]])('on random intents over random clusters (ipBlock matches pod IPs: %s, %i runs)', (ipBlockMatchesPods, runs) => {
    fc.assert(fc.property(intentsArb(), clusterArb(), (specs, cluster) => {
      const chart = new Chart(Testing.app(), 'case');
      Engine.attach(chart, Engine.kubernetes({ target: PROPERTY_TARGET }));
      buildIntents(chart, specs);
      const diffs = reachabilityDifferences(toCluster(cluster), intentPolicies(chart), synthesizedPolicies(chart), { ipBlockMatchesPods });
      if (diffs.length) {
        throw new Error(`the kubernetes engine differs from the intent on ${diffs.length} flow(s):\n  ${diffs.slice(0, 10).join('\n  ')}\nintents:\n${describeIntents(specs)}`);
      }
    }), { numRuns: runs });
  });

  // Workloads that declare their account exclusive are selected by their labels: exact on clusters where
  // the declaration holds (every pod of an app runs as the app's account).
  test(`on random intents with exclusive service accounts over clusters where they hold (${Math.ceil(RUNS / 3)} runs)`, () => {
    fc.assert(fc.property(intentsArb({ exclusive: true }), clusterArb().map(withAccountsByApp), (specs, cluster) => {
      const chart = new Chart(Testing.app(), 'case');
      Engine.attach(chart, Engine.kubernetes({ target: PROPERTY_TARGET }));
      buildIntents(chart, specs);
      const diffs = reachabilityDifferences(toCluster(cluster), intentPolicies(chart), synthesizedPolicies(chart));
      if (diffs.length) {
        throw new Error(`the kubernetes engine differs from the intent on ${diffs.length} flow(s):\n  ${diffs.slice(0, 10).join('\n  ')}\nintents:\n${describeIntents(specs)}`);
      }
    }), { numRuns: Math.ceil(RUNS / 3) });
  });
});
