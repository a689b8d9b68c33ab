import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import { Example } from '../../examples/example';
import { parseCluster, ReachabilityAnalyzer } from '../../src/analysis';
import { intentPolicies, synthesizedPolicies } from '../../src/analysis/intent/synthesized-policies';
import { connectionFocus } from '../../src/cli/port-selection';
import { reachReport } from '../../src/cli/reach-report';
import { renderReachText } from '../../src/cli/render/reach-text';
import { reachabilityDifferences } from '../equivalence/compare';

// Examples that ship a cluster model get their exact reachability pinned: the snapshot is what a
// reviewer reads (`reach` text: every pod and external address class, every connection), and every
// engine's result must equal what the intent itself means, completely.
const root = path.join(__dirname, '..', '..', 'examples');
const cases: [string, string, Example][] = [];
for (const name of fs.readdirSync(root).filter(d => fs.existsSync(path.join(root, d, 'cluster.yaml'))).sort()) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example: Example = require(path.join(root, name, 'app.ts')).example;
  for (const engine of Object.keys(example.engines)) cases.push([name, engine, example]);
}

function reachability(name: string, example: Example, engine: string, options: { ipBlockMatchesPods: boolean }) {
  const file = path.join(root, name, 'cluster.yaml');
  const cluster = parseCluster({ file, text: fs.readFileSync(file, 'utf-8') });
  const app: App = Testing.app();
  example.build(app, example.engines[engine]());
  const rendered = synthesizedPolicies(app);
  const intended = intentPolicies(app);
  const text = renderReachText(reachReport(new ReachabilityAnalyzer(cluster, rendered, options).connectivity(), connectionFocus({})));
  return { text, differences: reachabilityDifferences(cluster, intended, rendered, options) };
}

describe('expected reachability of the examples', () => {
  test('the production example ships a cluster model', () => {
    expect(cases.map(([n, e]) => `${n}/${e}`)).toContain('production/kubernetes');
  });

  test.each(cases)('%s on %s allows exactly what the intent means, as in the reviewed exact reachability', (name, engine, example) => {
    // Cilium's CIDR rules never match pods; on the other engines it is implementation-defined.
    const { text, differences } = reachability(name, example, engine, { ipBlockMatchesPods: engine !== 'kubernetes' && engine !== 'calico' ? false : true });
    expect(differences).toEqual([]);
    expect(text).toMatchSnapshot();
  });
});
