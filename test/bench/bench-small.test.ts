// Keeps the estate benchmark (scripts/bench) from rotting: runs its small size in-process, with no
// timing assertions. The figures themselves come from `npm run bench` (docs/PERFORMANCE.md).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { measureExplain, runCommand, writeEstate } from '../../scripts/bench/analysis-bench';
import { ANALYSIS_SIZES, changedNamespaces } from '../../scripts/bench/analysis-estate';
import { ENGINE_NAMES, KINDS, kindCounts, namespaceName, SIZES } from '../../scripts/bench/estate';
import { analyze, ChartObjects, digestFolder, readSources, serializeYaml, synthOurs, synthRaw } from '../../scripts/bench/measure';
import { withValidateOnce } from '../../scripts/bench/validate-once';
import { expectValidManifests } from '../helpers/schema';

const small = SIZES.small;
let root: string;
const outputs = new Map<string, { dir: string; charts: ChartObjects[] }>();

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-test-'));
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

test('the small estate has every kind of allowance', () => {
  const counts = kindCounts(small);
  for (const kind of KINDS) expect(counts[kind]).toBeGreaterThan(0);
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(small.namespaces * small.workloads * small.allowances);
});

describe.each(ENGINE_NAMES)('%s', (engine) => {
  test('synthesizes the small estate: one file per namespace, valid objects, and the baselines write the same files', () => {
    const dir = path.join(root, engine, 'ours');
    const ours = synthOurs(small, engine, dir);
    outputs.set(engine, { dir, charts: ours.charts });
    expect(ours.files).toBe(small.namespaces);
    expect(fs.readdirSync(dir).sort()).toEqual(Array.from({ length: small.namespaces }, (_, i) => `${namespaceName(i)}.k8s.yaml`));
    const objects = ours.charts.flatMap(c => c.objects);
    expect(objects.length).toBe(ours.objects);
    // Every namespace gets more than its default deny: the allowances rendered.
    for (const c of ours.charts) expect(c.objects.length).toBeGreaterThan(small.workloads);
    expectValidManifests(objects);

    const rawDir = path.join(root, engine, 'raw');
    const raw = synthRaw(ours.charts, rawDir);
    expect(raw.objects).toBe(ours.objects);
    expect(digestFolder(rawDir)).toBe(digestFolder(dir));
    expect(serializeYaml(ours.charts).objects).toBe(ours.objects);

    // The --synth validate-once experiment walks the app once instead of once per chart: it must
    // write the same files, for ours and for the raw baseline, or its figures measure other work.
    const onceDir = path.join(root, engine, 'ours-validate-once');
    synthOurs(small, engine, onceDir, 'per-namespace', 'validate-once');
    expect(digestFolder(onceDir)).toBe(digestFolder(dir));
    const rawOnceDir = path.join(root, engine, 'raw-validate-once');
    synthRaw(ours.charts, rawOnceDir, 'validate-once');
    expect(digestFolder(rawOnceDir)).toBe(digestFolder(dir));
  });
});

test('the validate-once experiment restores cdk8s afterwards and still reports validation errors', () => {
  const before = (App as any)._synthChart;
  const synthBefore = App.prototype.synth;
  const app = new App({ outdir: fs.mkdtempSync(path.join(root, 'invalid-')) });
  const chart = new Chart(app, 'c');
  chart.node.addValidation({ validate: () => ['broken on purpose'] });
  expect(() => withValidateOnce(() => app.synth())).toThrow(/broken on purpose/);
  expect((App as any)._synthChart).toBe(before);
  expect(App.prototype.synth).toBe(synthBefore);
});

test('analysis of the Kubernetes output: the grouped matrix, explain and the naive matrix agree', () => {
  const kubernetes = outputs.get('kubernetes');
  if (!kubernetes) throw new Error('the Kubernetes engine did not synthesize');
  const result = analyze(small, readSources(kubernetes.dir), { naive: 'full', explainQueries: 20 });
  expect(result.policies).toBe(kubernetes.charts.reduce((n, c) => n + c.objects.length, 0));
  expect(result.pods).toBe(small.namespaces * small.workloads * small.podsPerWorkload + 2);
  expect(result.allowedPairs).toBeGreaterThan(result.pods); // more than the self pairs: the allowances work
  expect(result.explainMismatches).toBe(0);
  expect(result.naive.evaluatedPairs).toBe(result.pods ** 2);
  expect(result.naive.mismatches).toBe(0);
  expect(result.naive.allowedPairs).toBe(result.allowedPairs);
});

test('analysis at estate scale, tiny: the generated estate reads, every measured command runs, and diff finds the pull request', async () => {
  const size = ANALYSIS_SIZES['estate-tiny'];
  const files = writeEstate(size, path.join(root, 'estate'));
  for (const command of ['reach-json', 'reach-port-json', 'diff-json', 'lint'] as const) {
    const output = path.join(root, `${command}.out`);
    const result = await runCommand(command, files, output);
    expect([command, result.exitCode === 0 || (command === 'lint' && result.exitCode === 1)]).toEqual([command, true]);
    expect(result.outputBytes).toBeGreaterThan(0);
    if (command === 'diff-json') {
      const diff = JSON.parse(fs.readFileSync(output, 'utf8')) as { gainedPairs: number; lostPairs: number; classes: { pods?: string[] }[] };
      // The change: an except dropped and an ingress from the internet (gained), the internet egress removed (lost),
      // all in the changed namespace; the new ipBlock 0.0.0.0/0 except 10.0.0.0/8 also admits the host-network
      // agents (their node addresses are in 192.168.0.0/16), except towards the pods on their own node.
      expect(diff.gainedPairs).toBeGreaterThan(0);
      expect(diff.lostPairs).toBeGreaterThan(0);
      const namespaces = new Set(diff.classes.flatMap((c) => c.pods ?? []).map((pod) => pod.slice(0, pod.indexOf('/'))));
      expect(namespaces).toEqual(new Set([...changedNamespaces(size).map((i) => `team-${String(i).padStart(4, '0')}`), 'node-agents']));
    }
  }
  const explain = measureExplain(files, 10);
  expect(explain.queries).toBe(10);
});
