import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { generate, typeCheck } from './support/recommend-generated';
import { CLUSTER, runCli } from './support/run-cli';

// The app and test `recommend` writes with HTTP rules — the neutral fixture of HTTP requests
// (test/cli/recommend-http.test.ts says what it holds), for Cilium — run as a user would run them: type-checked
// strictly, synthesized and audited as YAML, and the generated main.test.ts loaded into this suite, so its
// toAllow / toDeny assertions on requests run with the real matchers.
const root = path.join(__dirname, '..', '..');
const HTTP_FLOWS = path.join(root, 'test', 'cli', 'fixtures', 'recommend-http-flows.csv');
const http = generate(HTTP_FLOWS, { engine: 'cilium', ciliumHttpNormalizePath: true });
afterAll(() => fs.rmSync(http.dir, { recursive: true, force: true }));

describe('the app recommend writes with HTTP rules (cilium)', () => {
  test('type-checks with its test against the library, strictly', () => {
    expect(typeCheck(http.files)).toEqual([]);
  });

  test('synthesizes Cilium manifests that audit, read back from YAML, allows the observed requests in, and uses every rule it has', async () => {
    let app: App | undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.isolateModules(() => { app = require(path.join(http.dir, 'main.ts')).app; });
    const policies = path.join(http.dir, 'policies.yaml');
    fs.writeFileSync(policies, app!.synthYaml());
    const run = await runCli(['audit', '--flows', HTTP_FLOWS, '--cluster', CLUSTER, '--policies', policies, '--format', 'json', '--fail-on', 'none']);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    const lines = (flows: any[]) => flows.map((f: any) => f.line).sort((a: number, b: number) => a - b);
    // By hand from the fixture: every record was allowed when observed but the DELETE on line 8.
    expect(lines(json.audited.filter((f: any) => f.allowed))).toEqual([5, 6, 7, 9, 10, 11, 12]);
    expect(lines(json.denied)).toEqual([8]);
    // Every rule of frontend's and prometheus's AllowFrom was used by an observed request (its request class), so
    // neither pair has anything unused; grafana's L4 port allows the requests of the other rules, which it never sent.
    const pairs = json.unused.filter((u: any) => u.destination.includes('production/backend-api')).map((u: any) => `${u.source.join(',')}`);
    expect(pairs).toEqual(['monitoring/grafana']);
  });

  describe('main.test.ts, as generated', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.isolateModules(() => require(path.join(http.dir, 'main.test.ts')));
  });
});
