import * as fs from 'fs';
import { CLUSTER, fixture, POLICIES, runCli } from './support/run-cli';
import { parseCluster, parsePolicies } from '../../src/analysis';
import { bruteAllowed } from '../analysis/support/brute-force';

type Connections = Record<string, [number, number][]>;

interface DiffDocument {
  schema: string;
  focus: Connections;
  notes: string[];
  gainedPairs: number;
  lostPairs: number;
  classes: { id: string; kind: 'pods' | 'external'; pods?: string[]; cidr?: string; except?: string[] }[];
  gained: Change[];
  lost: Change[];
  self: { gained: unknown[]; lost: unknown[] };
}

interface Change {
  from: string[];
  to: string[];
  connections: Connections;
  because: { connections: Connections; reasons: string[]; example: { source: string; destination: string; port: number; protocol: string } }[];
}

const AFTER = fixture('policies-after.yaml');
const BASE = ['diff', '--cluster', CLUSTER, '--before', POLICIES, '--after', AFTER];

/** `from -> to` → connections of every change, expanded from the document's classes (external classes by label). */
function expand(document: DiffDocument, changes: readonly Change[]): Map<string, Connections> {
  const members = new Map(document.classes.map((c) => [c.id, c.kind === 'pods' ? c.pods! : [[c.cidr, ...(c.except ?? [])].join(' except ')]]));
  const pairs = new Map<string, Connections>();
  for (const change of changes) {
    for (const from of change.from.flatMap((id) => members.get(id)!)) {
      for (const to of change.to.flatMap((id) => members.get(id)!)) {
        if (from !== to) pairs.set(`${from} -> ${to}`, change.connections);
      }
    }
  }
  return pairs;
}

function diffPolicies(before: string, after: string, format = 'json', extra: string[] = []) {
  return runCli(['diff', '--cluster', CLUSTER, '--before', 'before.yaml', '--after', 'after.yaml', '--format', format, ...extra],
    { files: { 'before.yaml': before, 'after.yaml': after } });
}

describe('diff', () => {
  test('json: the gained and lost connections, exactly, with their reasons (read from the policies by hand)', async () => {
    const run = await runCli([...BASE, '--format', 'json']);
    expect(run.code).toBe(0);
    const diff = JSON.parse(run.stdout) as DiffDocument;
    expect(diff.schema).toBe('cdk8s-zero-trust/diff/v1');
    // After: the monitoring rule lost its AND (every monitoring pod may scrape on 9090), and the
    // frontend's egress policy is gone (its default-deny egress now blocks 8080 to the backend).
    expect([...expand(diff, diff.gained)]).toEqual([['monitoring/grafana -> production/backend-api', { TCP: [[9090, 9090]] }]]);
    expect([...expand(diff, diff.lost)]).toEqual([['production/frontend -> production/backend-api', { TCP: [[8080, 8080]] }]]);
    expect(diff.gained[0].because).toEqual([{
      connections: { TCP: [[9090, 9090]] },
      reasons: ['NetworkPolicy production/allow-monitoring-access ingress[0]'],
      example: { source: 'monitoring/grafana', destination: 'production/backend-api', port: 9090, protocol: 'TCP' },
    }]);
    expect(diff.lost[0].because[0].reasons).toEqual([
      'before: NetworkPolicy production/frontend-egress-to-backend egress[0]',
      'before: NetworkPolicy production/allow-frontend-to-backend ingress[0]',
      'after: egress at pod production/frontend: isolated by NetworkPolicy production/allow-dns, NetworkPolicy production/default-deny-all; no rule allows it',
    ]);
    expect([diff.gainedPairs, diff.lostPairs]).toEqual([1, 1]);
  });

  test('json: gained and lost agree with brute-force evaluation of both policy sets, pair by pair, on every port either names', async () => {
    const diff = JSON.parse((await runCli([...BASE, '--format', 'json'])).stdout) as DiffDocument;
    const gained = expand(diff, diff.gained);
    const lost = expand(diff, diff.lost);
    const cluster = parseCluster({ file: CLUSTER, text: fs.readFileSync(CLUSTER, 'utf8') });
    const read = (file: string) => parsePolicies({ file, text: fs.readFileSync(file, 'utf8') });
    const [before, after] = [read(POLICIES), read(AFTER)];
    const inside = (connections: Connections | undefined, protocol: string, port: number) =>
      (connections?.[protocol] ?? []).some(([lo, hi]) => port >= lo && port <= hi);
    for (const s of cluster.pods) {
      for (const d of cluster.pods) {
        if (s === d) continue;
        const key = `${s.namespace}/${s.name} -> ${d.namespace}/${d.name}`;
        for (const [port, protocol] of [[1, 'TCP'], [52, 'TCP'], [53, 'TCP'], [53, 'UDP'], [8079, 'TCP'], [8080, 'TCP'], [9090, 'TCP'], [9091, 'TCP'], [80, 'SCTP']] as const) {
          const was = bruteAllowed(cluster, before, {}, { pod: s }, { pod: d }, port, protocol);
          const now = bruteAllowed(cluster, after, {}, { pod: s }, { pod: d }, port, protocol);
          expect([key, port, protocol, inside(gained.get(key), protocol, port), inside(lost.get(key), protocol, port)])
            .toEqual([key, port, protocol, now && !was, was && !now]);
        }
      }
    }
  });

  test('text: a summary line and one +/- line per change, with its reasons', async () => {
    const run = await runCli(BASE);
    expect(run.stdout).toBe([
      'Reachability diff over every connection (TCP, UDP, SCTP, ports 1-65535): connections gained between 1 pair of endpoints, lost between 1 pair of endpoints.',
      '',
      'Gained (allowed after, denied before):',
      '  + monitoring/grafana -> production/backend-api: TCP 9090',
      '      TCP 9090: NetworkPolicy production/allow-monitoring-access ingress[0]',
      '',
      'Lost (denied after, allowed before):',
      '  - production/frontend -> production/backend-api: TCP 8080',
      '      TCP 8080: before: NetworkPolicy production/frontend-egress-to-backend egress[0]; before: NetworkPolicy production/allow-frontend-to-backend ingress[0]; '
        + 'after: egress at pod production/frontend: isolated by NetworkPolicy production/allow-dns, NetworkPolicy production/default-deny-all; no rule allows it',
      '',
    ].join('\n'));
  });

  test('markdown: a pull-request comment with a table per change kind, names and reasons as code spans', async () => {
    const run = await runCli([...BASE, '--format', 'markdown']);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('## Reachability diff');
    expect(lines).toContain('### Gained: allowed now, denied before (1)');
    expect(lines).toContain('| `monitoring/grafana` | `production/backend-api` | TCP 9090 | TCP 9090: `NetworkPolicy production/allow-monitoring-access ingress[0]` |');
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
    const run = await runCli(['diff', '--cluster', CLUSTER, '--before', POLICIES, '--after', POLICIES, '--fail-on-gain']);
    expect(run).toEqual({ code: 0, stdout: 'No change in reachability over every connection (TCP, UDP, SCTP, ports 1-65535).\n', stderr: '' });
  });

  test('--fail-on-gain exits 1 when a connection is gained, and says so on stderr', async () => {
    const run = await runCli([...BASE, '--fail-on-gain']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('connections gained between 1 pair of endpoints (--fail-on-gain)\n');
  });

  test('only losing connections is not a failure with --fail-on-gain; --port narrows the question', async () => {
    const run = await runCli([...BASE, '--port', '8080', '--fail-on-gain']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Reachability diff over TCP 8080: connections gained between 0 pairs of endpoints, lost between 1 pair of endpoints.');
  });
});

describe('diff of a pod\'s connections to itself (--self-traffic evaluate)', () => {
  test('reports the pods that gain them, in text, markdown and JSON, with what was assumed', async () => {
    const args = ['diff', '--cluster', CLUSTER, '--before', POLICIES, '--after', fixture('no-policies.yaml'), '--allow-empty-policies', '--self-traffic', 'evaluate'];
    const text = await runCli(args);
    expect(text.stdout).toContain('  + production/backend-api, production/frontend, production/redis -> itself: all traffic\n');
    const markdown = await runCli([...args, '--format', 'markdown']);
    expect(markdown.stdout).toContain('| `production/backend-api`<br>`production/frontend`<br>`production/redis` | *(itself)* | all traffic | --self-traffic evaluate |');
    const json = JSON.parse((await runCli([...args, '--format', 'json'])).stdout) as DiffDocument;
    expect(json.self.gained).toEqual([{ pods: ['production/backend-api', 'production/frontend', 'production/redis'], connections: { TCP: [[1, 65535]], UDP: [[1, 65535]], SCTP: [[1, 65535]] } }]);
    const bare = 'apiVersion: v1\nkind: Pod\nmetadata: { name: a, namespace: shop }\nstatus: { podIP: 10.9.0.1 }\n';
    const noted = await runCli(['diff', '--cluster', 'bare.yaml', '--implicit-namespaces', '--before', POLICIES, '--after', POLICIES, '--format', 'markdown'],
      { files: { 'bare.yaml': bare } });
    expect(noted.code).toBe(0);
    expect(noted.stdout).toContain('- note: `assumed: 1 namespace without a Namespace object in the cluster file (shop)');
  });
});

describe('diff never samples (issue 12 regressions)', () => {
  const egress = (to: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: egress, namespace: monitoring }
spec:
  podSelector: { matchLabels: { app: grafana } }
  policyTypes: [Egress]
  egress: [{ to: [{ ipBlock: { cidr: "${to}" } }] }]
`;

  test('egress widened from ipBlock 10.0.0.0/8 to 0.0.0.0/0 gains every connection to 0.0.0.0/0 except 10.0.0.0/8', async () => {
    const run = await diffPolicies(egress('10.0.0.0/8'), egress('0.0.0.0/0'), 'json', ['--fail-on-gain']);
    expect(run.code).toBe(1);
    const diff = JSON.parse(run.stdout) as DiffDocument;
    // Every pod of the fixture is in 10.0.0.0/8 and matched by both blocks: only the outside changes.
    expect([...expand(diff, diff.gained)]).toEqual([['monitoring/grafana -> 0.0.0.0/0 except 10.0.0.0/8', { TCP: [[1, 65535]], UDP: [[1, 65535]], SCTP: [[1, 65535]] }]]);
    expect(diff.lost).toEqual([]);
    const text = await diffPolicies(egress('10.0.0.0/8'), egress('0.0.0.0/0'), 'text');
    expect(text.stdout).toContain('  + monitoring/grafana -> 0.0.0.0/0 except 10.0.0.0/8: all traffic\n');
    expect(text.stdout).toContain('      all traffic: NetworkPolicy monitoring/egress egress[0]\n');
  });

  const range = (end: number) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: range, namespace: monitoring }
spec:
  podSelector: { matchLabels: { app: grafana } }
  policyTypes: [Ingress]
  ingress: [{ ports: [{ port: 1000, endPort: ${end}, protocol: TCP }] }]
`;

  test('a range widened from endPort 2000 to 2999 gains TCP 2001-2999 from every endpoint that may connect', async () => {
    const run = await diffPolicies(range(2000), range(2999), 'text', ['--fail-on-gain']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Reachability diff over every connection (TCP, UDP, SCTP, ports 1-65535): connections gained between 6 pairs of endpoints, lost between 0 pairs of endpoints.');
    // Only this policy is in the input, so nothing else is isolated: the five other pods and the
    // outside (one class: 0.0.0.0/0) gain the range.
    expect(run.stdout).toContain('  + kube-system/coredns, monitoring/prometheus, production/backend-api, production/frontend, production/redis, 0.0.0.0/0 (without pod addresses) -> monitoring/grafana: TCP 2001-2999');
    const narrowed = await diffPolicies(range(2000), range(2999), 'text', ['--port', '2000']);
    expect(narrowed.stdout).toBe('No change in reachability over TCP 2000.\n');
  });
});

describe('diff over DNS-name destinations (Cilium toFQDNs)', () => {
  // frontend's egress: the resolver (through the DNS proxy) and DNS names on TCP 443.
  const egress = (peers: string) => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: fe-egress, namespace: production }
spec:
  endpointSelector: { matchLabels: { app: frontend } }
  egress:
  - toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns } }]
    toPorts: [{ ports: [{ port: "53", protocol: ANY }], rules: { dns: [{ matchPattern: "*" }] } }]
${peers === '' ? '' : `  - toFQDNs: ${peers}
    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
`}`;
  const NAME = '[{ matchName: api.example.com }]';
  const WILDCARD = '[{ matchPattern: "*.example.com" }]';
  const EVERY = '[{ matchPattern: "*" }]';

  test.each([
    ['adding toFQDNs matchPattern "*"', egress(''), egress(EVERY), 'dns * (e.g. a)'],
    ['widening api.example.com to *.example.com', egress(NAME), egress(WILDCARD), 'dns *.example.com except api.example.com (e.g. a.example.com)'],
    ['widening api.example.com to every name', egress(NAME), egress(EVERY), 'dns * except api.example.com (e.g. a)'],
  ])('%s is a gain, and fails --fail-on-gain', async (_what, before, after, destination) => {
    const run = await diffPolicies(before, after, 'text', ['--fail-on-gain']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('connections gained between 1 pair of endpoints (--fail-on-gain)\n');
    expect(run.stdout).toContain(`  + production/frontend -> ${destination} at 0.0.0.0/0 (without pod addresses): TCP 443\n`);
    expect(run.stdout).toContain('      TCP 443: CiliumNetworkPolicy production/fe-egress egress[1]\n');
    expect(run.stdout).toContain('note: DNS names: a "dns <names>" destination is an address the source looked the name up by');
  });

  test.each([
    ['narrowing *.example.com to api.example.com', egress(WILDCARD), egress(NAME)],
    ['removing the toFQDNs rule', egress(NAME), egress('')],
  ])('%s is no gain: --fail-on-gain passes, and the loss is listed', async (_what, before, after) => {
    const run = await diffPolicies(before, after, 'text', ['--fail-on-gain']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('connections gained between 0 pairs of endpoints, lost between 1 pair of endpoints.');
    expect(run.stdout).toMatch(/ {2}- production\/frontend -> dns .* at 0\.0\.0\.0\/0 \(without pod addresses\): TCP 443\n/);
  });

  test('json: a class reached by a DNS name says which names, with an example and the patterns they match', async () => {
    const run = await diffPolicies(egress(NAME), egress(WILDCARD), 'json');
    const document = JSON.parse(run.stdout) as { gained: { to: string[] }[]; classes: { id: string; dnsName?: unknown }[] };
    const [to] = document.gained[0].to;
    expect(document.classes.find((c) => c.id === to)?.dnsName).toEqual({
      description: 'dns *.example.com except api.example.com', example: 'a.example.com', matches: [{ matchPattern: '*.example.com' }],
    });
  });
});
