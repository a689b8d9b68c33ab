import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import { Example } from '../../examples/example';
import { parseCluster, ReachabilityAnalyzer } from '../../src/analysis';
import { intentPolicies, synthesizedPolicies } from '../../src/analysis/intent/synthesized-policies';
import { selectPorts } from '../../src/cli/port-selection';
import { renderMatrixText } from '../../src/cli/render/matrix-text';

// Examples that ship a cluster model get their allow/deny matrix pinned: the snapshot is what a
// reviewer reads, and every engine's matrix must equal the matrix the intent itself means.
const root = path.join(__dirname, '..', '..', 'examples');
const cases: [string, string, Example][] = [];
for (const name of fs.readdirSync(root).filter(d => fs.existsSync(path.join(root, d, 'cluster.yaml'))).sort()) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example: Example = require(path.join(root, name, 'app.ts')).example;
  for (const engine of Object.keys(example.engines)) cases.push([name, engine, example]);
}

function matrixText(name: string, example: Example, engine: string, options: { ipBlockMatchesPods: boolean }) {
  const file = path.join(root, name, 'cluster.yaml');
  const cluster = parseCluster({ file, text: fs.readFileSync(file, 'utf-8') });
  const app: App = Testing.app();
  example.build(app, example.engines[engine]());
  const rendered = synthesizedPolicies(app);
  const intended = intentPolicies(app);
  const ports = selectPorts({}, cluster, [rendered]);
  const view = (policies: typeof rendered) => {
    const analyzer = new ReachabilityAnalyzer(cluster, policies, options);
    return renderMatrixText({ pods: cluster.pods.map(p => `${p.namespace}/${p.name}`), matrices: ports.map(p => analyzer.matrix(p.port, p.protocol)) });
  };
  return { rendered: view(rendered), intended: view(intended) };
}

describe('expected reachability of the examples', () => {
  test('the production example ships a cluster model', () => {
    expect(cases.map(([n, e]) => `${n}/${e}`)).toContain('production/kubernetes');
  });

  test.each(cases)('%s on %s allows exactly what the intent means, as in the reviewed matrix', (name, engine, example) => {
    // Cilium's CIDR rules never match pods; on the other engines it is implementation-defined.
    const { rendered, intended } = matrixText(name, example, engine, { ipBlockMatchesPods: engine !== 'kubernetes' && engine !== 'calico' ? false : true });
    expect(rendered).toEqual(intended);
    expect(rendered).toMatchSnapshot();
  });
});
