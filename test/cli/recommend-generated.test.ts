import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { generate, typeCheck } from './support/recommend-generated';
import { CLUSTER, runCli } from './support/run-cli';

// The app and test `recommend` writes for the Hubble fixture, run here as a user would run them: the
// generated files are written next to the tests (so that they resolve cdk8s from node_modules) with
// the package's imports pointed at the sources, type-checked strictly, and the generated main.test.ts
// is loaded into this suite, so its toAllow / toDeny assertions run with the real matchers.
const root = path.join(__dirname, '..', '..');
const HUBBLE = path.join(root, 'test', 'analysis', 'flows', 'fixtures', 'hubble-observe.jsonl');

const generated = generate(HUBBLE, { podCidrs: ['10.0.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });
afterAll(() => fs.rmSync(generated.dir, { recursive: true, force: true }));

describe('the app recommend writes', () => {
  test('type-checks with its test against the library, strictly', () => {
    expect(typeCheck(generated.files)).toEqual([]);
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
