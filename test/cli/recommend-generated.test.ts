import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import * as ts from 'typescript';
import { CLUSTER, runCli } from './support/run-cli';
import { FlowFileReader, parseCluster } from '../../src/analysis';
import { ObservedConnectionsReader } from '../../src/importer/recommend/observed-connections';
import { runRecommend } from '../../src/importer/recommend/run-recommend';

// The app and test `recommend` writes for the Hubble fixture, run here as a user would run them: the
// generated files are written next to the tests (so that they resolve cdk8s from node_modules) with
// the package's imports pointed at the sources, type-checked strictly, and the generated main.test.ts
// is loaded into this suite, so its toAllow / toDeny assertions run with the real matchers.
const root = path.join(__dirname, '..', '..');
const HUBBLE = path.join(root, 'test', 'analysis', 'flows', 'fixtures', 'hubble-observe.jsonl');

function generate(): { dir: string; files: string[] } {
  const cluster = parseCluster({ file: CLUSTER, text: fs.readFileSync(CLUSTER, 'utf8') });
  const reader = new ObservedConnectionsReader(cluster);
  const file = new FlowFileReader(HUBBLE, { flow: (f, n, l) => reader.flow(f, n, l), skipped: (r, l, lost) => reader.skipped(r, l, lost) });
  file.push(fs.readFileSync(HUBBLE));
  file.end();
  const run = runRecommend(cluster, reader.finish(), { engine: 'kubernetes', flowFile: 'hubble-observe.jsonl', podCidrs: ['10.0.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });
  const dir = fs.mkdtempSync(path.join(root, 'test', '.recommend-'));
  const src = (sub: string) => JSON.stringify(path.relative(dir, path.join(root, 'src', sub)).split(path.sep).join('/'));
  const files: string[] = [];
  for (const f of run.files.filter(x => x.path.endsWith('.ts'))) {
    const text = f.text.replace(/from 'cdk8s-zero-trust\/lib\/testing'/g, `from ${src('testing')}`).replace(/from 'cdk8s-zero-trust'/g, `from ${src('index')}`);
    fs.writeFileSync(path.join(dir, f.path), text);
    files.push(path.join(dir, f.path));
  }
  return { dir, files };
}

const generated = generate();
afterAll(() => fs.rmSync(generated.dir, { recursive: true, force: true }));

describe('the app recommend writes', () => {
  test('type-checks with its test against the library, strictly', () => {
    const program = ts.createProgram(generated.files, {
      strict: true,
      noUnusedLocals: true,
      skipLibCheck: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      types: ['node', 'jest'],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program)
      .map(d => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(diagnostics).toEqual([]);
  });

  test('synthesizes manifests that audit, read back from YAML as a cluster would get them, allows the observed allowed flows in and denies the rest', async () => {
    let app: App | undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.isolateModules(() => { app = require(path.join(generated.dir, 'main.ts')).app; });
    const policies = path.join(generated.dir, 'policies.yaml');
    fs.writeFileSync(policies, app!.synthYaml());
    const run = await runCli(['audit', '--flows', HUBBLE, '--cluster', CLUSTER, '--policies', policies, '--format', 'json', '--no-unused', '--fail-on', 'none']);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    const lines = (flows: any[]) => flows.map((f: any) => f.line).sort((a: number, b: number) => a - b);
    // By hand from the fixture: allowed when observed, 1 (= 12), 4, 6, 8, 9; line 21 (no verdict) is frontend ->
    // backend-api 8080 again. Denied: the records denied by policy (3, 11, 16, 18), the nodes' flows (7, 19), which
    // recommend leaves out, and line 15 (a conntrack drop of frontend -> backend-api 8080, which is allowed).
    expect(lines(json.audited.filter((f: any) => f.allowed))).toEqual([1, 4, 6, 8, 9, 15, 21]);
    expect(lines(json.denied)).toEqual([3, 7, 11, 16, 18, 19]);
  });

  describe('main.test.ts, as generated', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.isolateModules(() => require(path.join(generated.dir, 'main.test.ts')));
  });
});
