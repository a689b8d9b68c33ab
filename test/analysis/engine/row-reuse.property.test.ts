import * as fc from 'fast-check';
import { ReachabilityAnalyzer } from '../../../src/analysis';
import { smallClusterArb, smallOptionsArb, smallPoliciesArb } from '../support/small-universe';

// diff takes the rows of its "before" result where the "after" rows cannot differ. That shortcut must
// give exactly the rows computed from scratch, whatever changed: a policy replaced, added, removed.

const RUNS = Number(process.env.EXACT_ENGINE_RUNS ?? 120);

describe('rows reused from another policy set', () => {
  test('equal the rows computed from scratch, for random changes to random policy sets', () => {
    let reused = 0;
    let computed = 0;
    const change = fc.record({ replace: fc.nat(), extra: smallPoliciesArb, drop: fc.boolean() });
    fc.assert(fc.property(smallClusterArb, smallPoliciesArb, change, smallOptionsArb, (cluster, before, { replace, extra, drop }, options) => {
      const after = [...before];
      if (after.length > 0 && drop) after.splice(replace % after.length, 1);
      else if (after.length > 0 && extra.length > 0) after[replace % after.length] = { ...extra[0], ref: after[replace % after.length].ref };
      else after.push(...extra.map((policy, i) => ({ ...policy, ref: { ...policy.ref, name: `extra${i}` } })));
      const was = new ReachabilityAnalyzer(cluster, before, options);
      const now = new ReachabilityAnalyzer(cluster, after, options);
      const universe = ReachabilityAnalyzer.jointUniverse([was, now]);
      const withReuse = now.connectivity(universe);
      withReuse.reuseUnchangedRowsOf(was.connectivity(universe));
      // The same policy sets in a universe of their own (built alike: the same classes, the same indices).
      const again = new ReachabilityAnalyzer(cluster, after, options);
      const fresh = again.connectivity(ReachabilityAnalyzer.jointUniverse([new ReachabilityAnalyzer(cluster, before, options), again]));
      for (let source = 0; source < universe.sets.size; source++) {
        const format = (c: typeof withReuse) => c.rowOf(source).map((entry) => `${entry.classes.toArray().join(',')}:${entry.connections.format()}`);
        expect(format(withReuse)).toEqual(format(fresh));
      }
      reused += withReuse.reusedRows;
      computed += universe.sets.size - withReuse.reusedRows;
    }), { numRuns: RUNS });
    // Both paths were taken, many times: the shortcut is really compared, not skipped.
    expect(Math.min(reused, computed)).toBeGreaterThan(RUNS);
  });
});
