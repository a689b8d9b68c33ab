import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing, Yaml } from 'cdk8s';
import { runCli } from './support/run-cli';
import { Example } from '../../examples/example';

// The README's promise: the CLI reads what every engine synthesizes. For every example and engine, the
// synthesized output of each chart (all charts together where they are applied together) is read by `reach`
// over a cluster with a pod in each namespace the output names, enrolled as the engine enrols workloads
// (an istio-proxy container for sidecar engines, istio-cni's redirection annotation for ambient, with the
// rendered waypoints ready and the Services their policies name bound to them). Some of MeshMigration's
// charts render no policy object, hence --allow-empty-policies.

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
  const docs = namespaces.map((ns, i) => `---\napiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n`
    + `---\napiVersion: v1\nkind: Pod\nmetadata: { name: app, namespace: ${ns}, labels: { zt-example: app }${annotations} }\n${meshed}\nstatus: { podIP: 10.244.${Math.floor(i / 250)}.${(i % 250) + 1} }\n`);
  // Ambient: each rendered waypoint Gateway as istiod leaves it once ready (status.addresses) with its pod (an
  // istio-proxy container, the Gateway's name as service account), and each Service a targetRefs policy names,
  // bound to its namespace's waypoint as the examples tell users to label it.
  objects.filter((o) => o.kind === 'Gateway' && o.spec?.gatewayClassName === 'istio-waypoint').forEach((gateway, i) => {
    const { name, namespace } = gateway.metadata;
    docs.push(`---\n${Yaml.stringify({ ...gateway, status: { addresses: [{ value: `10.96.200.${i + 1}` }] } })}`,
      `---\napiVersion: v1\nkind: Pod\nmetadata: { name: ${name}-0, namespace: ${namespace}, labels: { gateway.networking.k8s.io/gateway-name: ${name} } }\n`
      + `spec: { serviceAccountName: ${name}, containers: [{ name: istio-proxy }] }\nstatus: { podIP: 10.245.0.${i + 1} }\n`);
  });
  const services = new Set(objects.filter((o) => o.kind === 'AuthorizationPolicy').flatMap((o) => (o.spec?.targetRefs ?? [])
    .filter((ref: any) => ref.kind === 'Service').map((ref: any) => `${o.metadata.namespace}/${ref.name}`)));
  for (const id of services) {
    const [namespace, name] = id.split('/');
    const waypoint = objects.find((o) => o.kind === 'Gateway' && o.metadata.namespace === namespace)?.metadata.name;
    docs.push(`---\napiVersion: v1\nkind: Service\nmetadata: { name: ${name}, namespace: ${namespace}${waypoint ? `, labels: { istio.io/use-waypoint: ${waypoint} }` : ''} }\n`
      + 'spec: { selector: { zt-example: app }, ports: [{ port: 8080 }] }\n');
  }
  return docs.join('');
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
      expect([name, engine, run.code, run.stderr.split('\n').filter((line) => line.startsWith('error'))]).toEqual([name, engine, 0, []]);
      expect(Array.isArray(JSON.parse(run.stdout))).toBe(true);
      // The whole document too: with the Services of the cluster file as destinations (through their waypoint, ambient).
      const whole = await runCli(['reach', '--cluster', 'cluster.yaml', '--policies', 'out.yaml', '--ignore-other-kinds', '--allow-empty-policies', '--format', 'json'], { files });
      expect([name, engine, whole.code, whole.stderr.split('\n').filter((line) => line.startsWith('error'))]).toEqual([name, engine, 0, []]);
      const bound = objects.some((o) => o.kind === 'AuthorizationPolicy' && o.spec?.targetRefs);
      expect([name, engine, JSON.parse(whole.stdout).services.length > 0]).toEqual([name, engine, bound]);
    }
  });
});
