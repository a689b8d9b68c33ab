import * as fs from 'fs';
import { CLUSTER, fixture, POLICIES, runCli } from './support/run-cli';
import { ClusterModel, parseCluster, parseIpAddress, parsePolicies, Protocol } from '../../src/analysis';
import { BruteEnd, bruteAllowed } from '../analysis/support/brute-force';

const PODS = ['kube-system/coredns', 'monitoring/grafana', 'monitoring/prometheus', 'production/backend-api', 'production/frontend', 'production/redis'];

function cluster(): ClusterModel {
  return parseCluster({ file: CLUSTER, text: fs.readFileSync(CLUSTER, 'utf8') });
}

/**
 * The allowed pairs on a port by the independent brute-force evaluator (test/analysis/support),
 * every pod pair in pod order: the reference the CLI's answers are compared with.
 */
function brutePairs(port: number, protocol: Protocol, policyFile = POLICIES, options = {}): [string, string][] {
  const model = cluster();
  const policies = parsePolicies({ file: policyFile, text: fs.readFileSync(policyFile, 'utf8') });
  const pairs: [string, string][] = [];
  for (const source of model.pods) {
    for (const destination of model.pods) {
      if (bruteAllowed(model, policies, options, { pod: source }, { pod: destination }, port, protocol)) {
        pairs.push([`${source.namespace}/${source.name}`, `${destination.namespace}/${destination.name}`]);
      }
    }
  }
  return pairs;
}

interface ReachDocument {
  schema: string;
  focus: Record<string, [number, number][]>;
  selfTraffic: string;
  notes: string[];
  classes: { id: string; kind: 'pods' | 'external'; pods?: string[]; cidr?: string; except?: string[]; family?: string }[];
  allowed: { from: string[]; to: string[]; connections: Record<string, [number, number][]> }[];
  self: { pods: string[]; connections: Record<string, [number, number][]> }[];
}

/** Endpoint → endpoint → connections, expanded from the document's classes (external classes by CIDR). */
function expand(document: ReachDocument): Map<string, Record<string, [number, number][]>> {
  const members = new Map(document.classes.map((c) => [c.id, c.kind === 'pods' ? c.pods! : [c.cidr!]]));
  const pairs = new Map<string, Record<string, [number, number][]>>();
  for (const block of document.allowed) {
    for (const from of block.from.flatMap((id) => members.get(id)!)) {
      for (const to of block.to.flatMap((id) => members.get(id)!)) {
        if (from !== to) {
          expect(pairs.has(`${from} -> ${to}`)).toBe(false); // blocks never overlap
          pairs.set(`${from} -> ${to}`, block.connections);
        }
      }
    }
  }
  return pairs;
}

const FULL = { TCP: [[1, 65535]], UDP: [[1, 65535]], SCTP: [[1, 65535]] };
const DNS = { TCP: [[53, 53]], UDP: [[53, 53]] };

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
    expect(run.stdout).toBe(`[\n${expected.map((pair) => JSON.stringify(pair)).join(',\n')}\n]\n`);
  });

  test.each([
    [9090, 'TCP'], [53, 'UDP'], [53, 'TCP'], [6379, 'TCP'], [80, 'SCTP'], [12345, 'UDP'],
  ] as const)('on %i/%s equals brute-force evaluation of every pod pair, in pod order', async (port, protocol) => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--port', String(port), '--protocol', protocol, '--format', 'json']);
    expect(run.code).toBe(0);
    const expected = brutePairs(port, protocol);
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
    expect(pairs).toEqual(brutePairs(6379, 'TCP', POLICIES, { selfTraffic: 'evaluate' }));
  });

  test('reads a kubectl-style kind: List of policies like a multi-document file', async () => {
    const list = await runCli(['reach', '--cluster', CLUSTER, '--policies', fixture('policies-after.yaml'), '--port', '9090', '--format', 'json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual(brutePairs(9090, 'TCP', fixture('policies-after.yaml')));
  });
});

describe('reach without --port: exact sets', () => {
  test('json: every pair of endpoints with its exact connections, checked by hand and against brute force at every range end', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--format', 'json']);
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout) as ReachDocument;
    expect(document.schema).toBe('cdk8s-zero-trust/reach/v1');
    expect(document.focus).toEqual(FULL);
    expect(document.selfTraffic).toBe('allow');
    // The only CIDRs are the two /0s: the external classes are the IPv4 and the IPv6 space.
    expect(document.classes.filter((c) => c.kind === 'external').map((c) => c.cidr)).toEqual(['0.0.0.0/0', '::/0']);
    const pairs = expand(document);
    // Read from the policies: production is isolated both ways, with DNS, frontend -> backend on TCP
    // 8080 and prometheus -> backend on TCP 9090; the rest is open, the world included (IPv4 only:
    // no pod has an IPv6 address).
    expect(pairs.get('monitoring/prometheus -> production/backend-api')).toEqual({ TCP: [[9090, 9090]] });
    expect(pairs.get('production/frontend -> production/backend-api')).toEqual({ TCP: [[8080, 8080]] });
    expect(pairs.get('production/frontend -> kube-system/coredns')).toEqual(DNS);
    expect(pairs.get('production/redis -> kube-system/coredns')).toEqual(DNS);
    expect(pairs.get('kube-system/coredns -> monitoring/grafana')).toEqual(FULL);
    expect(pairs.get('0.0.0.0/0 -> monitoring/grafana')).toEqual(FULL);
    expect(pairs.get('monitoring/grafana -> 0.0.0.0/0')).toEqual(FULL);
    for (const absent of ['monitoring/grafana -> production/backend-api', 'production/redis -> 0.0.0.0/0', '0.0.0.0/0 -> production/frontend',
      '::/0 -> kube-system/coredns', 'kube-system/coredns -> ::/0']) {
      expect(pairs.has(absent)).toBe(false);
    }
    expect(document.self).toEqual([{ pods: PODS, connections: FULL }]);
    // Brute force at both ends of every range of the answer and just outside them, for every pair.
    const model = cluster();
    const policies = parsePolicies({ file: POLICIES, text: fs.readFileSync(POLICIES, 'utf8') });
    const endOf = (label: string): BruteEnd => {
      const pod = model.pods.find((p) => `${p.namespace}/${p.name}` === label);
      return pod ? { pod } : { ip: parseIpAddress(label.startsWith('0.0.0.0') ? '192.0.2.1' : '2001:db8::1') };
    };
    const endpoints = [...PODS, '0.0.0.0/0', '::/0'];
    for (const from of endpoints) {
      for (const to of endpoints) {
        const external = (label: string) => !PODS.includes(label);
        if (from === to || (external(from) && external(to))) continue;
        const connections = pairs.get(`${from} -> ${to}`) ?? {};
        for (const protocol of ['TCP', 'UDP', 'SCTP'] as const) {
          const ranges = connections[protocol] ?? [];
          const probes = [1, 53, 8080, 9090, 65535, ...ranges.flatMap(([lo, hi]) => [lo - 1, lo, hi, hi + 1])].filter((p) => p >= 1 && p <= 65535);
          for (const port of probes) {
            const inSet = ranges.some(([lo, hi]) => port >= lo && port <= hi);
            const brute = bruteAllowed(model, policies, {}, endOf(from), endOf(to), port, protocol);
            expect([from, to, protocol, port, brute]).toEqual([from, to, protocol, port, inSet]);
          }
        }
      }
    }
  });

  test('text: sources with identical rows together, each destination set with its exact connections', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe([
      'Reachability over every connection (TCP, UDP, SCTP, ports 1-65535): 6 pods, 2 external address classes (addresses outside the cluster model that no rule tells apart).',
      '  rows are about two different endpoints; a pod\'s connections to itself are all allowed (--self-traffic allow)',
      '',
      'from kube-system/coredns',
      '  to monitoring/grafana, monitoring/prometheus: all traffic',
      '  to 0.0.0.0/0 (without pod addresses): all traffic',
      '',
      'from monitoring/grafana',
      '  to kube-system/coredns, monitoring/prometheus: all traffic',
      '  to 0.0.0.0/0 (without pod addresses): all traffic',
      '',
      'from monitoring/prometheus',
      '  to kube-system/coredns, monitoring/grafana: all traffic',
      '  to production/backend-api: TCP 9090',
      '  to 0.0.0.0/0 (without pod addresses): all traffic',
      '',
      'from production/backend-api, production/redis',
      '  to kube-system/coredns: TCP 53, UDP 53',
      '',
      'from production/frontend',
      '  to kube-system/coredns: TCP 53, UDP 53',
      '  to production/backend-api: TCP 8080',
      '',
      'from 0.0.0.0/0 (without pod addresses)',
      '  to kube-system/coredns, monitoring/grafana, monitoring/prometheus: all traffic',
      '',
      'no connection from ::/0',
      '',
    ].join('\n'));
  });

  test('text with --self-traffic evaluate lists each pod\'s connections to itself apart, as the policies decide them', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--self-traffic', 'evaluate']);
    expect(run.stdout).toContain('  rows are about two different endpoints; a pod\'s connections to itself are listed apart: the policies decide them (--self-traffic evaluate)\n');
    // production is isolated both ways and nothing admits a pod from itself; the other namespaces are open.
    expect(run.stdout.endsWith([
      'to itself:',
      '  kube-system/coredns, monitoring/grafana, monitoring/prometheus: all traffic',
      '  production/backend-api, production/frontend, production/redis: nothing',
      '',
    ].join('\n'))).toBe(true);
  });

  test('--protocol and --port only narrow the question', async () => {
    const udp = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--protocol', 'UDP']);
    expect(udp.stdout).toContain('Reachability over all UDP:');
    // Narrowed to UDP, the frontend's row is the other production pods' row: they are one block.
    expect(udp.stdout).toContain('from production/backend-api, production/frontend, production/redis\n  to kube-system/coredns: UDP 53\n');
    expect(udp.stdout).not.toContain('production/backend-api: TCP');
    const port = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--port', '9090']);
    expect(port.stdout).toContain('Reachability over TCP 9090:');
    expect(port.stdout).toContain('from monitoring/prometheus\n  to kube-system/coredns, monitoring/grafana, production/backend-api: TCP 9090\n'
      + '  to 0.0.0.0/0 (without pod addresses): TCP 9090\n');
    const json = JSON.parse((await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--protocol', 'SCTP', '--format', 'json'])).stdout) as ReachDocument;
    expect(json.focus).toEqual({ SCTP: [[1, 65535]] });
    expect(expand(json).get('kube-system/coredns -> monitoring/grafana')).toEqual({ SCTP: [[1, 65535]] });
  });

  test('a range is one set, not its first port: endPort 1000-2999 prints TCP 1000-2999', async () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p, namespace: monitoring }
spec:
  podSelector: { matchLabels: { app: grafana } }
  policyTypes: [Ingress]
  ingress: [{ ports: [{ port: 1000, endPort: 2999, protocol: TCP }, { port: 7000, protocol: SCTP }] }]
`;
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', 'p.yaml'], { files: { 'p.yaml': policy } });
    expect(run.stdout).toContain('  to monitoring/grafana: TCP 1000-2999, SCTP 7000\n');
  });
});

describe('reach --format markdown and mermaid', () => {
  test('markdown: one table row per set of sources and destinations, names as code spans', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--format', 'markdown']);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('### Reachability');
    expect(lines).toContain('| from | to | connections |');
    expect(lines).toContain('| `production/frontend` | `production/backend-api` | TCP 8080 |');
    expect(lines).toContain('| `production/backend-api`<br>`production/redis` | `kube-system/coredns` | TCP 53, UDP 53 |');
    expect(lines).toContain('| `::/0` | *(any endpoint)* | nothing |');
  });

  test('mermaid: a subgraph per namespace and for the outside, one labelled edge per pair of different endpoints', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--format', 'mermaid']);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines.filter((line) => line.trim().startsWith('subgraph')).map((line) => line.trim()))
      .toEqual(['subgraph ns0 ["kube-system"]', 'subgraph ns1 ["monitoring"]', 'subgraph ns2 ["production"]', 'subgraph outside ["outside the cluster"]']);
    expect(lines).toContain('    p3["backend-api"]');
    expect(lines).toContain('    x0["0.0.0.0/0 #40;without pod addresses#41;"]');
    expect(lines).toContain('  p4 -->|"TCP 8080"| p3');
    expect(lines).toContain('  p2 -->|"TCP 9090"| p3');
    expect(lines).toContain('  p3 -->|"TCP 53, UDP 53"| p0');
    expect(lines).toContain('  x0 -->|"all traffic"| p1');
    expect(lines.some((line) => /^ {2}(p\d+) -->\|.*\| \1$/.test(line))).toBe(false);
    // Every pod edge is a pair allowed on some port by brute force, on the ports the policies name.
    const edges = new Set(lines.filter((line) => line.includes('-->') && !line.includes('x')).map((line) => line.trim().replace(/ -->\|.*\| /, '>')));
    const expected = new Set<string>();
    for (const [port, protocol] of [[1, 'TCP'], [53, 'TCP'], [53, 'UDP'], [8080, 'TCP'], [9090, 'TCP']] as const) {
      for (const [s, d] of brutePairs(port, protocol)) {
        if (s !== d) expected.add(`p${PODS.indexOf(s)}>p${PODS.indexOf(d)}`);
      }
    }
    expect(edges).toEqual(expected);
  });
});

describe('reach notes: what was assumed and left out', () => {
  const bare = `apiVersion: v1
kind: Pod
metadata: { name: a, namespace: shop }
status: { podIP: 10.9.0.1 }
---
apiVersion: v1
kind: Pod
metadata: { name: pending, namespace: shop }
---
apiVersion: v1
kind: Pod
metadata: { name: done, namespace: shop }
status: { phase: Succeeded, podIP: 10.9.0.2 }
`;

  test('says which namespaces had no Namespace object, which pods are not running and which have no address, in every format', async () => {
    const files = { 'bare.yaml': bare };
    const reach = (...extra: string[]) => runCli(['reach', '--cluster', 'bare.yaml', '--implicit-namespaces', '--policies', fixture('no-policies.yaml'), '--allow-empty-policies', ...extra], { files });
    const text = await reach();
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('  note: assumed: 1 namespace without a Namespace object in the cluster file (shop) carry only the label kubernetes.io/metadata.name');
    expect(text.stdout).toContain('  note: 1 pod not running (phase Succeeded or Failed: shop/done), read without their last IP addresses, have no network');
    expect(text.stdout).toContain('  note: 1 pod without an IP address (shop/pending) have no network');
    expect(text.stdout).toContain('no connection from shop/done, shop/pending');
    const markdown = await reach('--format', 'markdown');
    expect(markdown.stdout).toContain('- note: `assumed: 1 namespace without a Namespace object');
    expect(markdown.stdout).toContain('- note: `1 pod not running');
    const mermaid = await reach('--format', 'mermaid');
    expect(mermaid.stdout).toContain('  %% assumed: 1 namespace without a Namespace object');
    expect(mermaid.stdout).toContain('  %% 1 pod without an IP address (shop/pending)');
    const json = JSON.parse((await reach('--format', 'json')).stdout) as ReachDocument;
    expect(json.notes).toHaveLength(3);
    // The pair list keeps stdout to the contract; the reader said on stderr what it assumed and left out.
    const pairs = await reach('--port', '80', '--format', 'json');
    expect(JSON.parse(pairs.stdout)).toEqual([['shop/a', 'shop/a']]);
    expect(pairs.stderr.split('\n')).toEqual([
      'note: assumed namespace shop (no Namespace object in bare.yaml) with only the kubernetes.io/metadata.name label (--implicit-namespaces)',
      'note: 1 terminated pod (Succeeded or Failed: shop/done) read without IPs: they have no connectivity, and the last IP kubectl shows for them may belong to another pod now',
      'note: 1 pod without an IP (shop/pending): no address, no connectivity',
      `note: policy file ${fixture('no-policies.yaml')} contains no object: analysed as no policies (--allow-empty-policies)`,
      '',
    ]);
  });
});

describe('reach with Istio policies', () => {
  const policy = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: backend, namespace: production }
spec:
  selector: { matchLabels: { app: backend-api } }
  rules:
  - from: [{ source: { principals: [cluster.local/ns/production/sa/frontend] } }]
`;
  // The fixture's frontend and backend-api with the container Istio's injector adds.
  const meshed = fs.readFileSync(CLUSTER, 'utf8')
    .replace(/(name: frontend\n[\s\S]*?containers:\n)/, '$1    - name: istio-proxy\n')
    .replace(/(name: backend-api\n[\s\S]*?containers:\n)/, '$1    - name: istio-proxy\n');

  test('decides mTLS from the cluster file: the sidecar frontend reaches the backend by principal, plaintext clients do not', async () => {
    const files = { 'ap.yaml': policy, 'meshed.yaml': meshed };
    const run = await runCli(['reach', '--cluster', 'meshed.yaml', '--policies', POLICIES, 'ap.yaml', '--port', '8080', '--format', 'json'], { files });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^note: mesh: 2 pods with a sidecar, 0 ambient, \d+ outside the mesh/);
    expect((JSON.parse(run.stdout) as [string, string][]).filter(([, d]) => d === 'production/backend-api'))
      .toEqual([['production/backend-api', 'production/backend-api'], ['production/frontend', 'production/backend-api']]);
    const explained = await runCli(['explain', '--cluster', 'meshed.yaml', '--policies', POLICIES, 'ap.yaml', '--from', 'production/frontend', '--to', 'production/backend-api',
      '--port', '8080', '--format', 'json'], { files });
    expect((JSON.parse(explained.stdout) as { allowed: boolean }).allowed).toBe(true);
  });

  test('enforces no AuthorizationPolicy at a pod without a sidecar: the CNI alone decides there', async () => {
    const files = { 'ap.yaml': policy };
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, 'ap.yaml', '--port', '8080', '--format', 'json'], { files });
    const plain = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--port', '8080', '--format', 'json']);
    expect(run.stderr).toMatch(/^note: mesh: 0 pods with a sidecar, 0 ambient/);
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(plain.stdout));
    // --mtls stays an override of the connection's mTLS, not of where the policy is enforced.
    const explained = await runCli(['explain', '--cluster', CLUSTER, '--policies', POLICIES, 'ap.yaml', '--from', 'production/frontend', '--to', 'production/backend-api',
      '--port', '8080', '--format', 'text'], { files });
    expect(explained.stdout).toMatch(/ingress at pod production\/backend-api: pod production\/backend-api is not in the mesh/);
  });
});
