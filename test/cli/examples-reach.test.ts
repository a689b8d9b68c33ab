import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing, Yaml } from 'cdk8s';
import { runCli } from './support/run-cli';
import { Example } from '../../examples/example';

// The README's promise: the CLI reads what every engine synthesizes. For every example and engine, the
// synthesized output of each chart (all charts together where they are applied together) is read by `reach`
// over a cluster with a pod in each namespace the output names, enrolled as the engine enrols workloads
// (an istio-proxy container for sidecar engines, istio-cni's redirection annotation for ambient). Some of
// MeshMigration's charts render no policy object, hence --allow-empty-policies.

const root = path.join(__dirname, '..', '..', 'examples');
const cases: [string, string, Example][] = [];
for (const name of fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'app.ts'))).sort()) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example: Example = require(path.join(root, name, 'app.ts')).example;
  for (const engine of Object.keys(example.engines)) cases.push([name, engine, example]);
}

function clusterFor(objects: any[], engine: string): string {
  // `default` too: a chart may render cluster-wide objects only.
  const namespaces = [...new Set(['default', ...objects.map((o) => o.metadata?.namespace as string | undefined).filter((ns): ns is string => ns !== undefined)])].sort();
  const meshed = engine.startsWith('istio-sidecar') ? 'spec: { containers: [{ name: app }, { name: istio-proxy }] }'
    : 'spec: { containers: [{ name: app }] }';
  const annotations = engine.startsWith('istio-ambient') ? ', annotations: { ambient.istio.io/redirection: enabled }' : '';
  return namespaces.map((ns, i) => `---\napiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n`
    + `---\napiVersion: v1\nkind: Pod\nmetadata: { name: app, namespace: ${ns}${annotations} }\n${meshed}\nstatus: { podIP: 10.244.${Math.floor(i / 250)}.${(i % 250) + 1} }\n`).join('');
}

describe('reach reads every example\'s synthesized output', () => {
  test.each(cases)('%s for %s', async (name, engine, example) => {
    const app: App = Testing.app();
    example.build(app, example.engines[engine]());
    const sets: Chart[][] = example.chartsAppliedTogether ? [app.charts] : app.charts.map((chart) => [chart]);
    for (const charts of sets) {
      const objects = charts.flatMap((chart) => Testing.synth(chart));
      const files = { 'cluster.yaml': clusterFor(objects, engine), 'out.yaml': Yaml.stringify(...objects) };
      const run = await runCli(['reach', '--cluster', 'cluster.yaml', '--policies', 'out.yaml', '--ignore-other-kinds', '--allow-empty-policies', '--port', '8080', '--format', 'json'], { files });
      if (engine.startsWith('istio-ambient') && /spec\.targetRefs/.test(run.stderr)) {
        // Not yet (issue 13 item 3): a waypoint policy (targetRefs) applies to Service-addressed connections
        // through the waypoint, which the analyzer does not model; it refuses them with this error, never ignores them.
        expect([name, engine, run.code]).toEqual([name, engine, 2]);
        expect(run.stderr).toMatch(/^error: .*AuthorizationPolicy [^)]*\): spec\.targetRefs: /);
        continue;
      }
      expect([name, engine, run.code, run.stderr.split('\n').filter((line) => line.startsWith('error'))]).toEqual([name, engine, 0, []]);
      expect(Array.isArray(JSON.parse(run.stdout))).toBe(true);
    }
  });
});
