import * as fs from 'fs';
import { CLUSTER, fixture, POLICIES, runCli } from './support/run-cli';
import { parseCluster, parsePolicies, ReachabilityAnalyzer } from '../../src/analysis';

const PODS = ['kube-system/coredns', 'monitoring/grafana', 'monitoring/prometheus', 'production/backend-api', 'production/frontend', 'production/redis'];

/** The analyzer run directly on the fixtures: the reference the CLI output is compared with. */
function referenceAnalyzer(policyFile = POLICIES): ReachabilityAnalyzer {
  const cluster = parseCluster({ file: CLUSTER, text: fs.readFileSync(CLUSTER, 'utf8') });
  return new ReachabilityAnalyzer(cluster, parsePolicies({ file: policyFile, text: fs.readFileSync(policyFile, 'utf8') }));
}

describe('reach --format json with --port and --protocol (the contract)', () => {
  test('prints exactly one JSON array: the hand-checked allowed pairs on 8080/TCP, self pairs included', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--port', '8080', '--protocol', 'TCP', '--format', 'json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const pairs = JSON.parse(run.stdout) as unknown;
    // production is default-deny both ways; only the frontend may leave it (egress to backend 8080) and
    // the backend admits it on 8080. The other namespaces have no policy: open among themselves.
    const open = ['kube-system/coredns', 'monitoring/grafana', 'monitoring/prometheus'];
    const expected = [
      ...open.flatMap((source) => open.map((destination) => [source, destination])),
      ['production/backend-api', 'production/backend-api'],
      ['production/frontend', 'production/backend-api'],
      ['production/frontend', 'production/frontend'],
      ['production/redis', 'production/redis'],
    ];
    expect(pairs).toEqual(expected);
  });

  test.each([
    [9090, 'TCP'], [53, 'UDP'], [53, 'TCP'], [6379, 'TCP'], [80, 'SCTP'],
  ] as const)('on %i/%s equals the analyzer\'s allowed pairs over every pod pair, in pod order', async (port, protocol) => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--port', String(port), '--protocol', protocol, '--format', 'json']);
    expect(run.code).toBe(0);
    const expected = referenceAnalyzer().matrix(port, protocol).allowedPairs();
    expect(JSON.parse(run.stdout)).toEqual(expected);
    // Self pairs are part of the answer: every pod reaches itself under the default options.
    for (const pod of PODS) {
      expect(expected).toContainEqual([pod, pod]);
    }
  });

  test('the prometheus scrape is allowed and the grafana one is not (AND of namespace and pod selectors)', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--port', '9090', '--protocol', 'TCP', '--format', 'json']);
    const pairs = JSON.parse(run.stdout) as [string, string][];
    expect(pairs).toContainEqual(['monitoring/prometheus', 'production/backend-api']);
    expect(pairs).not.toContainEqual(['monitoring/grafana', 'production/backend-api']);
  });

  test('the protocol is case-insensitive and --port alone means TCP', async () => {
    const tcp = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--port', '8080', '--protocol', 'TCP', '--format', 'json']);
    const lower = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--port', '8080', '--protocol', 'tcp', '--format', 'json']);
    const implicit = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--port', '8080', '--format', 'json']);
    expect(lower.stdout).toBe(tcp.stdout);
    expect(implicit.stdout).toBe(tcp.stdout);
  });

  test('--self-traffic evaluate applies the policies to self pairs too', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--port', '6379', '--format', 'json', '--self-traffic', 'evaluate']);
    const pairs = JSON.parse(run.stdout) as [string, string][];
    expect(pairs).not.toContainEqual(['production/redis', 'production/redis']);
    expect(pairs).toContainEqual(['kube-system/coredns', 'kube-system/coredns']);
  });
});

describe('reach without --port', () => {
  test('computes one matrix per container port of the cluster and port number of the policies', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--format', 'json']);
    expect(run.code).toBe(0);
    const matrices = JSON.parse(run.stdout) as { port: number; protocol: string; allowed: [string, string][] }[];
    expect(matrices.map((m) => `${m.port}/${m.protocol}`)).toEqual(['53/TCP', '80/TCP', '3000/TCP', '6379/TCP', '8080/TCP', '9090/TCP', '53/UDP']);
    const analyzer = referenceAnalyzer();
    for (const m of matrices) {
      expect(m.allowed).toEqual(analyzer.matrix(m.port, m.protocol as 'TCP' | 'UDP').allowedPairs());
    }
  });

  test('--protocol alone keeps the ports of that protocol', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--protocol', 'UDP', '--format', 'json']);
    expect((JSON.parse(run.stdout) as { port: number }[]).map((m) => m.port)).toEqual([53]);
  });

  test('adds port numbers named only by a policy (a rule on a port no pod declares)', async () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p, namespace: production }
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{ ports: [{ port: 7000, protocol: SCTP }] }]
`;
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', 'p.yaml', '--format', 'json'], { files: { 'p.yaml': policy } });
    expect((JSON.parse(run.stdout) as { port: number; protocol: string }[]).map((m) => `${m.port}/${m.protocol}`)).toContain('7000/SCTP');
  });
});

describe('reach --format text, markdown and mermaid', () => {
  test('text: a numbered grid with + for allowed and . for denied', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--port', '9090', '--protocol', 'TCP']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('9090/TCP: 13 of 36 pod pairs allowed (rows: source, columns: destination; "+" allowed, "." denied)');
    expect(lines[2].trim()).toBe('1 2 3 4 5 6');
    const row = (i: number) => lines[3 + i].slice(lines[3 + i].indexOf(PODS[i]) + PODS[i].length).trim().split(/\s+/).join('');
    // Rows follow PODS; prometheus (row 2) reaches the backend (column 3).
    expect(PODS.map((_, i) => row(i))).toEqual(['+++...', '+++...', '++++..', '...+..', '....+.', '.....+']);
  });

  test('markdown: a table with a header row of destinations and one row per source', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--port', '8080', '--format', 'markdown']);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('### Reachability on 8080/TCP');
    expect(lines).toContain(`| from \\ to | ${PODS.map((pod) => `\`${pod}\``).join(' | ')} |`);
    expect(lines).toContain('| `production/frontend` | ❌ | ❌ | ❌ | ✅ | ✅ | ❌ |');
    expect(lines.filter((line) => line.startsWith('| `'))).toHaveLength(PODS.length);
  });

  test('mermaid: a flowchart LR with one subgraph per namespace and labelled edges for non-self pairs', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--format', 'mermaid']);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines.filter((line) => line.trim().startsWith('subgraph')).map((line) => line.trim()))
      .toEqual(['subgraph ns0 ["kube-system"]', 'subgraph ns1 ["monitoring"]', 'subgraph ns2 ["production"]']);
    expect(lines).toContain('    p3["backend-api"]');
    // frontend (p4) -> backend-api (p3) only on 8080; prometheus (p2) -> backend (p3) only on 9090; no self edges.
    expect(lines).toContain('  p4 -->|8080/TCP| p3');
    expect(lines).toContain('  p2 -->|9090/TCP| p3');
    expect(lines.some((line) => /^ {2}(p\d+) -->\|.*\| \1$/.test(line))).toBe(false);
    // Every edge is an allowed non-self pair of some port, and every such pair has an edge.
    const analyzer = referenceAnalyzer();
    const expectedEdges = new Set<string>();
    for (const [port, protocol] of [[53, 'TCP'], [80, 'TCP'], [3000, 'TCP'], [6379, 'TCP'], [8080, 'TCP'], [9090, 'TCP'], [53, 'UDP']] as const) {
      for (const [s, d] of analyzer.matrix(port, protocol).allowedPairs()) {
        if (s !== d) expectedEdges.add(`p${PODS.indexOf(s)}>p${PODS.indexOf(d)}`);
      }
    }
    const edges = lines.filter((line) => line.includes('-->')).map((line) => line.trim().replace(/ -->\|.*\| /, '>'));
    expect(new Set(edges)).toEqual(expectedEdges);
  });

  test('reads a kubectl-style kind: List of policies like a multi-document file', async () => {
    const list = await runCli(['reach', '--cluster', CLUSTER, '--policies', fixture('policies-after.yaml'), '--port', '9090', '--format', 'json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual(referenceAnalyzer(fixture('policies-after.yaml')).matrix(9090, 'TCP').allowedPairs());
  });
});

describe('reach with Istio policies', () => {
  test('notes on stderr that matrices assume no mTLS, and keeps stdout to the JSON contract', async () => {
    const policy = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: backend, namespace: production }
spec:
  selector: { matchLabels: { app: backend-api } }
  rules:
  - from: [{ source: { principals: [cluster.local/ns/production/sa/frontend] } }]
`;
    const files = { 'ap.yaml': policy };
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, 'ap.yaml', '--port', '8080', '--format', 'json'], { files });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^note: matrices assume connections without mTLS/);
    // Without mTLS the principal never matches: the backend admits nobody on 8080 any more.
    expect((JSON.parse(run.stdout) as [string, string][]).filter(([, d]) => d === 'production/backend-api')).toEqual([['production/backend-api', 'production/backend-api']]);
    const meshed = await runCli(['explain', '--cluster', CLUSTER, '--policies', POLICIES, 'ap.yaml', '--from', 'production/frontend', '--to', 'production/backend-api',
      '--port', '8080', '--mtls', '--format', 'json'], { files });
    expect((JSON.parse(meshed.stdout) as { allowed: boolean }).allowed).toBe(true);
  });
});
