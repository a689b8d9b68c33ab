import * as fs from 'fs';
import { CLUSTER, fixture, POLICIES, runCli } from './support/run-cli';
import { parseCluster, parsePolicies, ReachabilityAnalyzer } from '../../src/analysis';

interface Change {
  readonly source: string;
  readonly destination: string;
  readonly port: number;
  readonly because: string[];
}

const AFTER = fixture('policies-after.yaml');
const BASE = ['diff', '--cluster', CLUSTER, '--before', POLICIES, '--after', AFTER];

/** Gained and lost pairs computed from two analyzers' matrices, independently of the diff code. */
function expectedChanges(port: number): { gained: string[]; lost: string[] } {
  const cluster = parseCluster({ file: CLUSTER, text: fs.readFileSync(CLUSTER, 'utf8') });
  const pairs = (file: string) => new Set(new ReachabilityAnalyzer(cluster, parsePolicies({ file, text: fs.readFileSync(file, 'utf8') }))
    .matrix(port, 'TCP').allowedPairs().map(([s, d]) => `${s} -> ${d}`));
  const before = pairs(POLICIES);
  const after = pairs(AFTER);
  return { gained: [...after].filter((p) => !before.has(p)), lost: [...before].filter((p) => !after.has(p)) };
}

describe('diff', () => {
  test('json: the gained and lost flows equal the difference of the two matrices, with reasons', async () => {
    const run = await runCli([...BASE, '--format', 'json']);
    expect(run.code).toBe(0);
    const diff = JSON.parse(run.stdout) as { ports: string[]; gained: Change[]; lost: Change[] };
    expect(diff.ports).toEqual(['53/TCP', '80/TCP', '3000/TCP', '6379/TCP', '8080/TCP', '9090/TCP', '53/UDP']);
    for (const port of [53, 80, 3000, 6379, 8080, 9090]) {
      const expected = expectedChanges(port);
      expect(diff.gained.filter((c) => c.port === port).map((c) => `${c.source} -> ${c.destination}`)).toEqual(expected.gained);
      expect(diff.lost.filter((c) => c.port === port).map((c) => `${c.source} -> ${c.destination}`)).toEqual(expected.lost);
    }
    expect(diff.gained).toEqual([{
      source: 'monitoring/grafana',
      destination: 'production/backend-api',
      port: 9090,
      protocol: 'TCP',
      because: ['NetworkPolicy production/allow-monitoring-access ingress[0]'],
    }]);
    expect(diff.lost).toEqual([{
      source: 'production/frontend',
      destination: 'production/backend-api',
      port: 8080,
      protocol: 'TCP',
      because: ['egress at pod production/frontend: isolated by NetworkPolicy production/allow-dns, NetworkPolicy production/default-deny-all; no rule allows it'],
    }]);
  });

  test('text: a summary line and one +/- line per flow', async () => {
    const run = await runCli([...BASE, '--port', '9090']);
    expect(run.stdout).toBe([
      '1 flow gained, 0 lost on 1 port (9090/TCP).',
      '',
      'Gained (allowed after, denied before):',
      '  + monitoring/grafana -> production/backend-api on 9090/TCP: NetworkPolicy production/allow-monitoring-access ingress[0]',
      '',
    ].join('\n'));
  });

  test('markdown: a pull-request comment with a table per change kind', async () => {
    const run = await runCli([...BASE, '--format', 'markdown']);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('## Reachability diff');
    expect(lines).toContain('### Gained: allowed now, denied before (1)');
    expect(lines).toContain('| `monitoring/grafana` | `production/backend-api` | 9090/TCP | NetworkPolicy production/allow-monitoring-access ingress[0] |');
    expect(lines).toContain('### Lost: denied now, allowed before (1)');
  });

  test('markdown: --max-rows summarises the rest of a long table', async () => {
    const run = await runCli(['diff', '--cluster', CLUSTER, '--before', AFTER, '--after', fixture('no-policies.yaml'), '--allow-empty-policies', '--format', 'markdown', '--max-rows', '2']);
    expect(run.code).toBe(0);
    const gained = run.stdout.split('\n').filter((line) => line.startsWith('| `'));
    expect(gained).toHaveLength(2);
    expect(run.stdout).toMatch(/…and \d+ more; run `cdk8s-zero-trust diff --format text` for the full list\./);
  });

  test('no change: one line, exit 0 even with --fail-on-gain', async () => {
    const run = await runCli(['diff', '--cluster', CLUSTER, '--before', POLICIES, '--after', POLICIES, '--port', '8080', '--fail-on-gain']);
    expect(run).toEqual({ code: 0, stdout: 'No change in reachability on 1 port (8080/TCP).\n', stderr: '' });
  });

  test('--fail-on-gain exits 1 when a flow is gained, and says so on stderr', async () => {
    const run = await runCli([...BASE, '--fail-on-gain']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('1 flow gained (--fail-on-gain)\n');
  });

  test('only losing flows is not a failure with --fail-on-gain', async () => {
    const run = await runCli([...BASE, '--port', '8080', '--fail-on-gain']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('0 flows gained, 1 lost on 1 port (8080/TCP).');
  });
});
