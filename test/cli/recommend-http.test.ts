import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLUSTER, fixture, runCli } from './support/run-cli';

// recommend with HTTP flows (test/cli/fixtures/recommend-http-flows.csv, neutral records between the pods of
// cluster.yaml). Expected results by hand from the fixture: frontend -> backend-api TCP 8080 is HTTP only
// (GET /api/v1/orders on lines 5 and 6 — line 6 with a query string — and POST /api/v1/orders on line 7);
// prometheus -> backend-api TCP 9090 is HTTP only (GET /metrics, line 9); grafana -> backend-api TCP 8080 has a
// request (line 10) and a record without one (line 11), so it stays at L4; frontend -> coredns UDP 53 is L4;
// the DELETE on line 8 was denied. docs/RECOMMEND.md, "HTTP rules", says what the app allows of each.
const FLOWS = fixture('recommend-http-flows.csv');
const CILIUM = ['--engine', 'cilium', '--cilium-http-normalize-path'];

let out: string;
beforeEach(() => {
  out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'recommend-http-')), 'app');
});
afterEach(() => fs.rmSync(path.dirname(out), { recursive: true, force: true }));

function section(stdout: string, title: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex(l => l.startsWith(title));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

const run = (...args: string[]) => runCli(['recommend', '--flows', FLOWS, '--cluster', CLUSTER, '--out', out, ...args]);

describe('recommend, HTTP rules (--engine cilium --cilium-http-normalize-path)', () => {
  test('allows exactly the observed requests on the ports whose records are all HTTP, and the mixed port at L4 with the reason', async () => {
    const r = await run(...CILIUM);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(section(r.stdout, 'ALLOWED (')).toEqual([
      '  workload production/frontend -> workload kube-system/coredns: UDP 53 (1 flow, 9 records, first on line 12)',
      '  workload monitoring/grafana -> workload production/backend-api: TCP 8080 (2 flows, 3 records, first on line 10)',
      '  workload monitoring/prometheus -> workload production/backend-api: TCP 9090 (GET /metrics) (1 flow, 40 records, first on line 9)',
      '  workload production/frontend -> workload production/backend-api: TCP 8080 (GET /api/v1/orders, POST /api/v1/orders) (3 flows, 139 records, first on line 5)',
    ]);
    expect(r.stdout).toContain('  note: HTTP requests were observed on 1 port that the app allows at L4 all the same (any request on them): '
      + 'workload monitoring/grafana -> workload production/backend-api TCP 8080: 1 record of the port carries no HTTP request (first on line 11)');
    expect(r.stdout).toContain('  note: HTTP rules match the request\'s path without its query string: 1 observed request is allowed by that path, '
      + 'e.g. GET /api/v1/orders?page=2 (line 6) by GET /api/v1/orders, so the same path with any query string is allowed too');
    // The proof audited the requests; beyond the observed, only the L4 port of grafana allows more: the request
    // classes of the app's rules that grafana was not observed sending (its GET /api/v1/stats is of the rest).
    expect(r.stdout).toContain('PROOF: 7 observed flows audited with the exact engine against the 11 policies');
    const beyond = section(r.stdout, 'ALSO ALLOWED BEYOND THE OBSERVED FLOWS');
    expect(beyond).toHaveLength(1);
    expect(beyond[0]).toMatch(/^ {2}monitoring\/grafana -> production\/backend-api: TCP 8080 \(/);
    expect(section(r.stdout, 'LEFT OUT: DENIED BY POLICY WHEN OBSERVED (')).toEqual([
      '  pod production/frontend -> pod production/backend-api TCP 8080 DELETE /api/v1/orders/17 (1 record, first on line 8): denied by the app too',
    ]);
    const main = fs.readFileSync(path.join(out, 'main.ts'), 'utf8');
    expect(main).toContain('Engine.attach(app, Engine.cilium({ target: { ciliumHttpNormalizePath: true } }));');
    expect(main).toContain('  ports: [Port.tcp(8080)],\n  http: [HttpRule.get(\'/api/v1/orders\'), HttpRule.post(\'/api/v1/orders\')],\n');
    expect(main).toContain('  ports: [Port.tcp(9090)],\n  http: [HttpRule.get(\'/metrics\')],\n');
    expect(main.match(/http: \[/g)).toHaveLength(2);
    const tests = fs.readFileSync(path.join(out, 'main.test.ts'), 'utf8');
    for (const request of [
      'port: 8080, protocol: \'TCP\', method: \'GET\', path: \'/api/v1/orders\' }',
      'port: 8080, protocol: \'TCP\', method: \'GET\', path: \'/api/v1/orders?page=2\' }',
      'port: 8080, protocol: \'TCP\', method: \'POST\', path: \'/api/v1/orders\' }',
      'port: 9090, protocol: \'TCP\', method: \'GET\', path: \'/metrics\' }',
    ]) expect(tests).toContain(`expect(app).toAllow({ from: pods.${request.includes('9090') ? 'prometheus' : 'frontend'}, to: pods.backendApi, ${request});`);
    // Unobserved requests on the same ports: the denied DELETE, another method on an observed path, another path.
    expect(tests).toContain('expect(app).toDeny({ from: pods.frontend, to: pods.backendApi, port: 8080, protocol: \'TCP\', method: \'DELETE\', path: \'/api/v1/orders/17\' });');
    expect(tests).toContain('expect(app).toDeny({ from: pods.frontend, to: pods.backendApi, port: 8080, protocol: \'TCP\', method: \'DELETE\', path: \'/api/v1/orders\' });');
    expect(tests).toContain('expect(app).toDeny({ from: pods.frontend, to: pods.backendApi, port: 8080, protocol: \'TCP\', method: \'GET\', path: \'/api/v1/orders/unobserved\' });');
    expect(tests).toContain('expect(app).toDeny({ from: pods.prometheus, to: pods.backendApi, port: 9090, protocol: \'TCP\', method: \'DELETE\', path: \'/metrics\' });');
  });

  test('without an engine with HTTP rules, the ports are allowed at L4 with the note, which says how to get rules', async () => {
    const kubernetes = await run();
    expect(kubernetes.code).toBe(0);
    expect(kubernetes.stdout).toContain('  note: HTTP requests were observed; the recommendation allows their ports at L4 (any request on them), which every engine '
      + 'enforces: add AllowFrom http rules by hand for L7 (the generated tests name the requests); NetworkPolicy has no HTTP rules; '
      + '--engine cilium with --cilium-http-normalize-path writes them');
    expect(section(kubernetes.stdout, 'ALLOWED (')).toContain(
      '  workload production/frontend -> workload production/backend-api: TCP 8080 (3 flows, 139 records, first on line 5)');
    expect(fs.readFileSync(path.join(out, 'main.ts'), 'utf8')).not.toContain('HttpRule');
    fs.rmSync(out, { recursive: true, force: true });
    const cilium = await run('--engine', 'cilium');
    expect(cilium.code).toBe(0);
    expect(cilium.stdout).toContain('; pass --cilium-http-normalize-path (Cilium\'s default http-normalize-path=true, declared) to have them written as HTTP rules');
    expect(fs.readFileSync(path.join(out, 'main.ts'), 'utf8')).not.toContain('HttpRule');
  });

  test('more requests than --max-http-rules is an error naming the pair and port; --http-l4-over-max allows the port at L4 instead', async () => {
    const refused = await run(...CILIUM, '--max-http-rules', '1');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('workload production/frontend -> workload production/backend-api TCP 8080: the observed requests need 2 HTTP rules, '
      + 'more than --max-http-rules 1; raise --max-http-rules, group paths by their first segments with --http-path-prefix-depth N');
    expect(fs.existsSync(out)).toBe(false);
    const fallback = await run(...CILIUM, '--max-http-rules', '1', '--http-l4-over-max');
    expect(fallback.code).toBe(0);
    expect(section(fallback.stdout, 'ALLOWED (')).toContain(
      '  workload production/frontend -> workload production/backend-api: TCP 8080 (3 flows, 139 records, first on line 5)');
    expect(fallback.stdout).toContain('workload production/frontend -> workload production/backend-api TCP 8080: its observed requests need 2 HTTP rules, '
      + 'more than --max-http-rules 1 (--http-l4-over-max)');
    expect(section(fallback.stdout, 'ALLOWED (')).toContain(
      '  workload monitoring/prometheus -> workload production/backend-api: TCP 9090 (GET /metrics) (1 flow, 40 records, first on line 9)');
  });

  test('--http-path-prefix-depth allows longer paths by their first segments, and the report names the approximation', async () => {
    const r = await run(...CILIUM, '--http-path-prefix-depth', '2');
    expect(r.code).toBe(0);
    expect(section(r.stdout, 'ALLOWED (')).toContain(
      '  workload production/frontend -> workload production/backend-api: TCP 8080 (GET /api/v1/*, POST /api/v1/*) (3 flows, 139 records, first on line 5)');
    expect(r.stdout).toContain('  note: paths longer than 2 segments are allowed by the prefix of their first 2, as --http-path-prefix-depth asks (2 prefix rules): '
      + 'every path under such a prefix is allowed, observed or not');
    expect(fs.readFileSync(path.join(out, 'main.ts'), 'utf8')).toContain('http: [HttpRule.get(\'/api/v1/*\'), HttpRule.post(\'/api/v1/*\')]');
    // The observed DELETE of /api/v1/orders/17 stays denied (another method), and a GET below the prefix is now allowed, so no longer a sample.
    const tests = fs.readFileSync(path.join(out, 'main.test.ts'), 'utf8');
    expect(tests).toContain('method: \'DELETE\', path: \'/api/v1/orders/17\' });');
    expect(tests).not.toContain('path: \'/api/v1/orders/unobserved\'');
  });

  test.each([
    [['--cilium-http-normalize-path'], '--cilium-http-normalize-path declares a setting of Cilium\'s agent; it applies to --engine cilium only, not kubernetes'],
    [['--http-path-prefix-depth', '2'], '--http-path-prefix-depth shapes HTTP rules, which recommend writes only for --engine cilium with --cilium-http-normalize-path'],
    [['--engine', 'cilium', '--http-l4-over-max'], '--http-l4-over-max shapes HTTP rules, which recommend writes only for --engine cilium with --cilium-http-normalize-path'],
    [[...CILIUM, '--http-path-prefix-depth', '0'], '--http-path-prefix-depth: expected a number of path segments from 1 to 64, got 0'],
    [[...CILIUM, '--max-http-rules', '0'], '--max-http-rules: expected a whole number of 1 or more, got 0'],
  ])('%j is refused with a clear error, nothing written', async (args, message) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('recommend --format', () => {
  test('json: the documented schema, every list complete, nothing else on stdout', async () => {
    const r = await run(...CILIUM, '--format', 'json');
    expect([r.code, r.stderr]).toEqual([0, '']);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(['schema', 'flows', 'app', 'isolatedNamespaces', 'openNamespaces', 'notes', 'workloads', 'allowances',
      'proof', 'beyondObserved', 'denied', 'leftOut', 'skipped', 'tests']);
    expect(json.schema).toBe('cdk8s-zero-trust/recommend/v1');
    expect(json.flows).toEqual({ file: FLOWS, format: 'csv', records: 192, lostEvents: 0 });
    expect(json.app).toEqual({
      engine: 'cilium',
      files: ['main.ts', 'main.test.ts', 'package.json', 'tsconfig.json', 'cdk8s.yaml'].map(f => path.join(out, f)),
      intents: { total: 7, DefaultDeny: 3, AllowFrom: 4 },
      policies: 11,
    });
    expect(json.isolatedNamespaces).toEqual(['kube-system', 'monitoring', 'production']);
    expect(json.workloads.find((w: any) => w.name === 'frontend')).toEqual({
      namespace: 'production',
      name: 'frontend',
      owner: 'Pod frontend (no controller in the snapshot)',
      selector: { labels: { app: 'frontend' } },
      why: 'app=frontend: the app label of the pod; selects exactly its 1 pod of namespace production',
      pods: ['frontend'],
    });
    const frontend = json.allowances.find((a: any) => a.source.name === 'frontend' && a.destination.name === 'backend-api');
    expect(frontend).toEqual({
      source: { kind: 'workload', namespace: 'production', name: 'frontend' },
      destination: { kind: 'workload', namespace: 'production', name: 'backend-api' },
      construct: 'AllowFrom',
      ports: [{
        protocol: 'TCP',
        port: 8080,
        http: [
          { method: 'GET', path: { kind: 'exact', value: '/api/v1/orders' }, requests: [{ method: 'GET', path: '/api/v1/orders', line: 5 }, { method: 'GET', path: '/api/v1/orders?page=2', line: 6 }] },
          { method: 'POST', path: { kind: 'exact', value: '/api/v1/orders' }, requests: [{ method: 'POST', path: '/api/v1/orders', line: 7 }] },
        ],
      }],
      flows: 3,
      records: 139,
      line: 5,
      unobservedSources: [],
      unobservedDestinations: [],
    });
    const grafana = json.allowances.find((a: any) => a.source.name === 'grafana');
    expect(grafana.ports).toEqual([{ protocol: 'TCP', port: 8080, l4Reason: expect.stringContaining('1 record of the port carries no HTTP request (first on line 11)') }]);
    expect(json.proof).toEqual({ auditedFlows: 7, records: 191, policies: 11, allAllowed: true });
    expect(json.beyondObserved).toHaveLength(1);
    expect(json.beyondObserved[0]).toMatchObject({ source: ['monitoring/grafana'], destination: ['production/backend-api'], allowed: { TCP: [[8080, 8080]] } });
    // Connection sets as in the audit JSON: what grafana was not observed sending is some requests, not the connections without one.
    expect(json.beyondObserved[0].unused.requests[0]).toMatchObject({ protocol: 'TCP', withoutRequest: false, ports: [[8080, 8080]] });
    expect(json.denied).toEqual([{
      source: 'pod production/frontend',
      destination: 'pod production/backend-api',
      protocol: 'TCP',
      port: 8080,
      http: { method: 'DELETE', path: '/api/v1/orders/17' },
      count: 1,
      line: 8,
      allowedByApp: false,
    }]);
    expect([json.leftOut, json.skipped]).toEqual([[], []]);
    expect(json.tests).toEqual({ toAllow: 6, toDeny: 20, allowedLeftOut: 0 });
  });

  test('json keeps every list whole where text cuts it (--max-listed)', async () => {
    const r = await run(...CILIUM, '--format', 'json', '--max-listed', '1');
    expect(JSON.parse(r.stdout).allowances).toHaveLength(4);
  });

  test('markdown: a pull-request comment in the shape of audit\'s, names in code spans', async () => {
    const r = await run(...CILIUM, '--format', 'markdown');
    expect([r.code, r.stderr]).toEqual([0, '']);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['## Recommended policies', '',
      '192 flow records; 7 distinct flows (191 records) allowed by 7 intents (3 DefaultDeny, 4 AllowFrom) for Engine.cilium() over 5 workloads']);
    expect(lines).toContain('### Allowed (4)');
    expect(lines).toContain('| from | to | intent | ports | flows | records | first line |');
    expect(lines).toContain('| `workload production/frontend` | `workload production/backend-api` | AllowFrom | `TCP 8080 (GET /api/v1/orders, POST /api/v1/orders)` | 3 | 139 | 5 |');
    expect(lines).toContain('| `pod production/frontend` | `pod production/backend-api` | TCP 8080 `DELETE /api/v1/orders/17` | 1 | 8 | denies it |');
    expect(lines).toContain('**Proof:** 7 observed flows audited with the exact engine against the 11 synthesized policies: all allowed.');
    expect(r.stdout).not.toContain('wrote ');
  });
});
