import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing, Yaml } from 'cdk8s';
import { istioExampleCluster } from './support/istio-cluster';
import { runCli } from './support/run-cli';
import { Example } from '../../examples/example';

// Issue 16 item 2: `import` of every Istio example's synthesized output WITHOUT --keep-mesh-policies — the
// AuthorizationPolicies and PeerAuthentications become intents of an Engine.istio() app, and the proof compares
// both layers of the whole input with the app's, on a cluster whose application pods are in the mesh (so that
// the mesh layer decides: identities, mTLS, HTTP) with a plaintext pod outside it.

const root = path.join(__dirname, '..', '..', 'examples');
const cases: [string, string, Example][] = [];
for (const name of fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'app.ts'))).sort()) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example: Example = require(path.join(root, name, 'app.ts')).example;
  for (const engine of Object.keys(example.engines).filter((e) => e.startsWith('istio-'))) cases.push([name, engine, example]);
}

/**
 * The chart sets that cannot round-trip, and what import answers: MeshMigration's prepare and network phases (and
 * the rollbacks that return to them) render the mesh's AuthorizationPolicies dry-run, which no enforced intent
 * renders; each is refused by name, the enforced phases (enforce, strict) round-trip.
 */
const DRY_RUN = /AuthorizationPolicy production\/production-mesh-default-deny \(out\.yaml, document \d+\) metadata\.annotations: a dry-run policy \(istio\.io\/dry-run/;
const REFUSED: Record<string, RegExp> = Object.fromEntries(['istio-sidecar-calico', 'istio-ambient-cilium'].flatMap((engine) =>
  ['1-prepare', '2-network', '2-network-rollback', '3-enforce-rollback'].map((chart) => [`mesh-migration ${engine} ${chart}`, DRY_RUN])));

describe('import round-trips every Istio example\'s output as an Istio app (both layers proven)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-import-istio-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('there are Istio examples in both modes', () => {
    expect(new Set(cases.map(([, engine]) => engine.split('-')[1]))).toEqual(new Set(['sidecar', 'ambient']));
  });

  test.each(cases)('%s for %s', async (name, engine, example) => {
    const app: App = Testing.app();
    example.build(app, example.engines[engine]());
    const sets: Chart[][] = example.chartsAppliedTogether ? [app.charts] : app.charts.map((chart) => [chart]);
    const [, mode, cni] = engine.split('-');
    for (const [index, charts] of sets.entries()) {
      const key = `${name} ${engine} ${charts.map((c) => c.node.id).join('+')}`;
      const objects = charts.flatMap((chart) => Testing.synth(chart));
      const files = { 'cluster.yaml': istioExampleCluster(mode as 'sidecar' | 'ambient'), 'out.yaml': Yaml.stringify(...objects) };
      const out = path.join(dir, `${name}-${engine}-${index}`);
      // No --engine: the data plane comes from the cluster's meshed pods; --cni from the input's CNI objects, except
      // for the kubernetes CNI, which is the default anyway (so both ways are exercised).
      const run = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'out.yaml', '--ignore-other-kinds', '--allow-empty-policies',
        '--pod-cidr', '10.244.0.0/16', '--service-cidr', '10.96.0.0/16', '--istio-path-normalization', 'DECODE_AND_MERGE_SLASHES', '--cilium-http-normalize-path',
        '--out', out], { files });
      const errors = run.stderr.split('\n').filter((line) => line.startsWith('error') || line.startsWith('cannot') || line.startsWith('  - '));
      const refused = REFUSED[key];
      if (refused) {
        expect([key, run.code, errors.join('\n')]).toEqual([key, 1, expect.stringMatching(refused)]);
        continue;
      }
      expect([key, run.code, errors]).toEqual([key, 0, []]);
      if (!objects.some((o) => o.apiVersion === 'security.istio.io/v1')) {
        expect([key, run.stdout]).toEqual([key, expect.stringMatching(/^import: 0 intents .* from 0 policies/)]); // a rollback to nothing: an empty app
        continue;
      }
      expect(run.stdout).toContain(`for Engine.istio({ mode: ${mode}, cni: Engine.${cni}() })`);
      expect(run.stdout).toMatch(/between the input and the \d+ policies synthesized from the app: no difference$/m);
      const main = fs.readFileSync(path.join(out, 'main.ts'), 'utf8');
      expect(main).toContain(`mode: IstioMode.${mode.toUpperCase()}`);
    }
  });
});

describe('import of Istio policies: what it refuses, nothing written', () => {
  const app: App = Testing.app();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example: Example = require(path.join(root, 'istio-production', 'app.ts')).example;
  example.build(app, example.engines['istio-sidecar-kubernetes']());
  const output = Yaml.stringify(...app.charts.flatMap((chart) => Testing.synth(chart)));
  const base = ['import', '--cluster', 'cluster.yaml', '--policies', 'out.yaml', '--ignore-other-kinds', '--pod-cidr', '10.244.0.0/16', '--service-cidr', '10.96.0.0/16'];
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-import-istio-refused-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('HTTP path rules need the mesh\'s path normalization declared (exit 2)', async () => {
    const out = path.join(dir, 'paths');
    const run = await runCli([...base, '--out', out], { files: { 'cluster.yaml': istioExampleCluster('sidecar'), 'out.yaml': output } });
    expect([run.code, run.stderr]).toEqual([2, expect.stringContaining('declare meshConfig.pathNormalization.normalization with --istio-path-normalization')]);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('a DENY policy next to the example\'s is refused by object and field (exit 1)', async () => {
    const deny = '---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: no-admin, namespace: production }\n'
      + 'spec:\n  selector: { matchLabels: { app: backend-api } }\n  action: DENY\n  rules: [{ to: [{ operation: { paths: [/admin*] } }] }]\n';
    const out = path.join(dir, 'deny');
    const run = await runCli([...base, '--istio-path-normalization', 'DECODE_AND_MERGE_SLASHES', '--out', out],
      { files: { 'cluster.yaml': istioExampleCluster('sidecar'), 'out.yaml': output + deny } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ {2}- AuthorizationPolicy production\/no-admin \(out\.yaml, document 12\) spec\.action: a DENY policy: no intent renders one/m);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('a CUSTOM policy is refused when it is read (exit 2), naming the object', async () => {
    const custom = '---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: ext, namespace: production }\n'
      + 'spec:\n  action: CUSTOM\n  provider: { name: opa }\n  rules: [{}]\n';
    const out = path.join(dir, 'custom');
    const run = await runCli([...base, '--istio-path-normalization', 'DECODE_AND_MERGE_SLASHES', '--out', out],
      { files: { 'cluster.yaml': istioExampleCluster('sidecar'), 'out.yaml': output + custom } });
    expect([run.code, run.stderr]).toEqual([2, expect.stringMatching(/production\/ext|document 12/)]);
    expect(run.stderr).toContain('CUSTOM');
    expect(fs.existsSync(out)).toBe(false);
  });
});
