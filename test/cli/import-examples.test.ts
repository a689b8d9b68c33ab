import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing, Yaml } from 'cdk8s';
import { runCli } from './support/run-cli';
import { Example } from '../../examples/example';

// Issue 16 item 5: `import` run on every example's output round-trips with a zero diff, for the
// engine the output was written for; where an example uses what import cannot express, the command
// says so precisely and the test asserts that message. The output of each chart (all charts together
// where they are applied together) is imported over a cluster with a pod in each namespace it names.

const root = path.join(__dirname, '..', '..', 'examples');
const cases: [string, string, Example][] = [];
for (const name of fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'app.ts'))).sort()) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example: Example = require(path.join(root, name, 'app.ts')).example;
  for (const engine of Object.keys(example.engines)) cases.push([name, engine, example]);
}

function clusterFor(objects: any[]): string {
  const namespaces = [...new Set(['default', 'kube-system', ...objects.map((o) => o.metadata?.namespace as string | undefined)
    .filter((ns): ns is string => ns !== undefined)])].sort();
  return namespaces.map((ns, i) => `---\napiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n`
    + `---\napiVersion: v1\nkind: Pod\nmetadata: { name: app, namespace: ${ns} }\nspec: { containers: [{ name: app }] }\n`
    + `status: { podIP: 10.244.${Math.floor(i / 250)}.${(i % 250) + 1} }\n`).join('');
}


describe('import round-trips every example\'s synthesized output', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-import-examples-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(cases)('%s for %s', async (name, engine, example) => {
    const app: App = Testing.app();
    example.build(app, example.engines[engine]());
    const sets: Chart[][] = example.chartsAppliedTogether ? [app.charts] : app.charts.map((chart) => [chart]);
    // Istio engines: the CNI's policies are imported for the CNI the example pairs Istio with; the mesh policies are kept.
    const cni = engine.split('-').pop()!;
    const mesh = engine.startsWith('istio') ? ['--keep-mesh-policies'] : [];
    for (const [index, charts] of sets.entries()) {
      const objects = charts.flatMap((chart) => Testing.synth(chart));
      const files = { 'cluster.yaml': clusterFor(objects), 'out.yaml': Yaml.stringify(...objects) };
      const out = path.join(dir, `${name}-${engine}-${index}`);
      const run = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'out.yaml', '--ignore-other-kinds', '--allow-empty-policies',
        '--pod-cidr', '10.244.0.0/16', '--service-cidr', '10.96.0.0/12', '--implementation', 'calico', '--cilium-http-normalize-path', '--engine', cni, ...mesh, '--out', out], { files });
      const errors = run.stderr.split('\n').filter((line) => line.startsWith('error') || line.startsWith('cannot') || line.startsWith('  - '));
      expect([name, engine, index, run.code, errors]).toEqual([name, engine, index, 0, []]);
      expect(run.stdout).toMatch(/: no difference$/m);
    }
  });
});
