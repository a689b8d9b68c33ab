import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLUSTER, runCli } from './support/run-cli';

const FLOWS = path.join(__dirname, '..', 'analysis', 'flows', 'fixtures');
const HUBBLE = path.join(FLOWS, 'hubble-observe.jsonl');
const CIDRS = ['--pod-cidr', '10.0.0.0/16', '--service-cidr', '10.96.0.0/12'];

let out: string;
beforeEach(() => {
  out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'recommend-')), 'app');
});
afterEach(() => fs.rmSync(path.dirname(out), { recursive: true, force: true }));

/** The report's lines between a section title and the next blank line. */
function section(stdout: string, title: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex(l => l.startsWith(title));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

// A Deployment of two replicas (ownerReferences) of which one was observed, and a bare pod.
const REPLICAS_CLUSTER = `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Namespace, metadata: {name: shop, labels: {kubernetes.io/metadata.name: shop}}}
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-6f7d8-aaaaa
    namespace: shop
    labels: {app.kubernetes.io/name: web, pod-template-hash: 6f7d8}
    ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-6f7d8, uid: u1, controller: true}]
  status: {podIP: 10.0.5.1}
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-6f7d8-bbbbb
    namespace: shop
    labels: {app.kubernetes.io/name: web, pod-template-hash: 6f7d8}
    ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-6f7d8, uid: u1, controller: true}]
  status: {podIP: 10.0.5.2}
- apiVersion: v1
  kind: Pod
  metadata: {name: api, namespace: shop, labels: {app: api}}
  spec: {containers: [{name: api, ports: [{containerPort: 8080}, {containerPort: 9090}]}]}
  status: {podIP: 10.0.5.3}
`;

describe('recommend', () => {
  // Expected results are derived by hand from the fixture (test/analysis/flows/fixtures/hubble-observe.jsonl)
  // and test/cli/fixtures/cluster.yaml: lines 1 and 12 (the same trace), 9 (an HTTP request) frontend -> backend-api
  // TCP 8080; line 4 frontend -> coredns UDP 53; line 6 frontend -> 203.0.113.10 TCP 443 (allowed at egress);
  // line 8 prometheus -> backend-api TCP 9090 (a policy verdict). Lines 3, 11, 16, 18 were denied by policy.
  test('writes an app that allows exactly the observed Hubble flows, one intent per pair of workloads, and says why each selector', async () => {
    const run = await runCli(['recommend', '--flows', HUBBLE, '--cluster', CLUSTER, '--out', out, ...CIDRS]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(section(run.stdout, 'ALLOWED (')).toEqual([
      '  workload production/frontend -> 203.0.113.10/32: TCP 443 (1 flow, 1 record, first on line 6)',
      '  workload production/frontend -> workload kube-system/coredns: UDP 53 (1 flow, 1 record, first on line 4)',
      '  workload monitoring/prometheus -> workload production/backend-api: TCP 9090 (1 flow, 1 record, first on line 8)',
      '  workload production/frontend -> workload production/backend-api: TCP 8080 (2 flows, 3 records, first on line 1)',
    ]);
    expect(run.stdout).toContain('isolated both ways (DefaultDeny): kube-system, monitoring, production');
    expect(section(run.stdout, 'WORKLOADS (')).toContain('    why: k8s-app=kube-dns: the k8s-app label of the pod; selects exactly its 1 pod of namespace kube-system');
    expect(run.stdout).toContain('PROOF: 5 observed flows audited with the exact engine against the 10 policies synthesized from the app on the cluster model: all allowed');
    expect(section(run.stdout, 'LEFT OUT: DENIED BY POLICY WHEN OBSERVED (').map(l => l.replace(/ \(.*\): /, ': '))).toEqual([
      '  pod production/frontend -> pod production/redis TCP 6379: denied by the app too',
      '  pod monitoring/grafana -> pod production/backend-api TCP 8080: denied by the app too',
      '  pod monitoring/grafana -> pod production/redis TCP 6379: denied by the app too',
      '  pod production/frontend -> 2001:db8::10 UDP 123: denied by the app too',
    ]);
    // Every other record is accounted for: left out (nodes, a drop that is not a policy's, ICMP, no verdict) or skipped.
    expect(section(run.stdout, 'LEFT OUT (').map(l => l.match(/line (\d+)/)![1])).toEqual(['7', '15', '19', '20', '21']);
    expect(section(run.stdout, 'SKIPPED (').map(l => l.match(/line (\d+)/)![1])).toEqual(['2', '13', '14', '17']);
    expect(fs.readdirSync(out).sort()).toEqual(['cdk8s.yaml', 'main.test.ts', 'main.ts', 'package.json', 'tsconfig.json']);
    const main = fs.readFileSync(path.join(out, 'main.ts'), 'utf8');
    expect(main).toContain("const frontend = Workload.select({ app: 'frontend' }, { namespace: 'production' });");
    expect(main).toContain("cidr: '203.0.113.10/32',");
    expect(main).not.toMatch(/anyone|allTcp|allTraffic|0\.0\.0\.0\/0/);
  });

  test('allows flows without a verdict only when --include-unverdicted asks', async () => {
    const csv = path.join(FLOWS, 'neutral-flows.csv');
    const without = await runCli(['recommend', '--flows', csv, '--cluster', CLUSTER, '--out', out, ...CIDRS]);
    expect(section(without.stdout, 'LEFT OUT (')).toEqual([expect.stringMatching(/^ {2}41 records \(first on line 5\): the record says no verdict/)]);
    fs.rmSync(out, { recursive: true, force: true });
    const withFlag = await runCli(['recommend', '--flows', csv, '--cluster', CLUSTER, '--out', out, ...CIDRS, '--include-unverdicted']);
    expect(section(withFlag.stdout, 'ALLOWED (')).toEqual([
      '  workload production/frontend -> 203.0.113.10/32: TCP 443 (1 flow, 1 record, first on line 6)',
      '  workload production/frontend -> workload kube-system/coredns: UDP 53 (1 flow, 9 records, first on line 7)',
      '  workload monitoring/prometheus -> workload production/backend-api: TCP 9090 (1 flow, 40 records, first on line 5)',
      '  workload production/frontend -> workload production/backend-api: TCP 8080 (1 flow, 120 records, first on line 3)',
    ]);
  });

  test('lists what the workload grouping allows beyond the observed flows: the replica that was not observed', async () => {
    const files = {
      'replicas.yaml': REPLICAS_CLUSTER,
      'flows.csv': 'source,destination,port,protocol,verdict\nshop/web-6f7d8-aaaaa,shop/api,8080,TCP,allowed\n',
    };
    const run = await runCli(['recommend', '--flows', 'flows.csv', '--cluster', 'replicas.yaml', '--out', out], { files });
    expect(run.code).toBe(0);
    expect(section(run.stdout, 'WORKLOADS (')).toEqual([
      '  shop/api {app=api}: 1 pod, Pod api (no controller in the snapshot)',
      '    why: app=api: the app label of the pod; selects exactly its 1 pod of namespace shop',
      '  shop/web {app.kubernetes.io/name=web}: 2 pods, Deployment web (from ReplicaSet web-6f7d8)',
      '    why: app.kubernetes.io/name=web: the app.kubernetes.io/name label its pods share; selects exactly its 2 pods of namespace shop',
    ]);
    expect(section(run.stdout, 'ALSO ALLOWED: PODS OF THE WORKLOADS')).toEqual(['  workload shop/web -> workload shop/api (TCP 8080): from shop/web-6f7d8-bbbbb']);
    // The replicas are one class of the exact engine (no policy tells them apart), and that class was observed.
    expect(run.stdout).toContain('ALSO ALLOWED BEYOND THE OBSERVED FLOWS, per endpoint class of the exact engine: none');
    // The sample asks for an unobserved port of the observed pair: api's other container port.
    expect(fs.readFileSync(path.join(out, 'main.test.ts'), 'utf8'))
      .toContain("expect(app).toDeny({ from: pods.web, to: pods.api, port: 9090, protocol: 'TCP' });");
  });

  test('makes one intent of the allowances into a workload on the same ports, with a peer for each source', async () => {
    const files = {
      'dns.csv': 'source,destination,port,protocol,verdict\nproduction/frontend,kube-system/coredns,53,UDP,allowed\nproduction/backend-api,kube-system/coredns,53,UDP,allowed\n',
    };
    const run = await runCli(['recommend', '--flows', 'dns.csv', '--cluster', CLUSTER, '--out', out], { files });
    expect(run.code).toBe(0);
    expect(section(run.stdout, 'ALLOWED (')).toEqual([
      '  workload production/backend-api -> workload kube-system/coredns: UDP 53 (1 flow, 1 record, first on line 3)',
      '  workload production/frontend -> workload kube-system/coredns: UDP 53 (1 flow, 1 record, first on line 2)',
    ]);
    const main = fs.readFileSync(path.join(out, 'main.ts'), 'utf8');
    expect(main).toContain("new AllowFrom(kubeSystemChart, 'to-coredns', {\n  to: coredns,\n  peers: [Peer.workload(backendApi), Peer.workload(frontend)],\n  ports: [Port.udp(53)],\n});");
    expect(main.match(/new AllowFrom/g)).toHaveLength(1);
  });

  test('isolates only the namespaces --namespaces names: towards a workload of another namespace the app allows the egress side alone (AllowTo)', async () => {
    const run = await runCli(['recommend', '--flows', HUBBLE, '--cluster', CLUSTER, '--out', out, ...CIDRS, '--namespaces', 'production']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('isolated both ways (DefaultDeny): production;');
    expect(run.stdout).toContain('not isolated (peers only, --namespaces): kube-system, monitoring');
    expect(run.stdout).not.toContain('kube-system is isolated');
    const main = fs.readFileSync(path.join(out, 'main.ts'), 'utf8');
    expect(main).toContain("new AllowTo(productionChart, 'frontend-to-kube-system-coredns', {\n  workload: frontend,\n  peers: [Peer.workload(coredns)],\n  ports: [Port.udp(53)],\n  acknowledgeDnsBlocked: true,\n});");
    expect(main.match(/new DefaultDeny/g)).toHaveLength(1);
  });

  test('groups outside addresses by the network --external-ipv4-prefix names, and says so', async () => {
    const run = await runCli(['recommend', '--flows', HUBBLE, '--cluster', CLUSTER, '--out', out, ...CIDRS, '--external-ipv4-prefix', '24']);
    expect(run.code).toBe(0);
    expect(section(run.stdout, 'ALLOWED (')[0]).toBe('  workload production/frontend -> 203.0.113.0/24: TCP 443 (1 flow, 1 record, first on line 6)');
    expect(run.stdout).toContain('note: outside addresses are allowed by their /24 (IPv4) and /128 (IPv6) networks, as --external-ipv4-prefix / --external-ipv6-prefix ask');
  });

  test('fails for an outside network that would cover pods of the cluster', async () => {
    const files = { 'f.csv': 'source,destination,port,protocol,verdict\nproduction/frontend,10.0.9.9,443,TCP,allowed\n' };
    const run = await runCli(['recommend', '--flows', 'f.csv', '--cluster', CLUSTER, '--out', out, ...CIDRS, '--external-ipv4-prefix', '16'], { files });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: outside addresses 10.0.9.9 grouped as 10.0.0.0/16 would also allow pod kube-system/coredns and 5 more: engines disagree '
      + 'on whether a CIDR matches pods; use a longer --external-ipv4-prefix / --external-ipv6-prefix\n');
  });

  test('fails for a Calico aggregate whose pods are more than one workload: the record does not say which pod it was', async () => {
    const cluster = `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Namespace, metadata: {name: shop, labels: {kubernetes.io/metadata.name: shop}}}
- {apiVersion: v1, kind: Pod, metadata: {name: web-a, namespace: shop, labels: {app: web}}, status: {podIP: 10.0.8.1}}
- {apiVersion: v1, kind: Pod, metadata: {name: web-b, namespace: shop, labels: {app: worker}}, status: {podIP: 10.0.8.2}}
- {apiVersion: v1, kind: Pod, metadata: {name: db, namespace: shop, labels: {app: db}}, status: {podIP: 10.0.8.3}}
`;
    const record = {
      start_time: '2026-08-20T10:00:00Z',
      end_time: '2026-08-20T10:00:15Z',
      action: 'Allow',
      source_name: 'web-*',
      source_namespace: 'shop',
      source_labels: '',
      dest_name: 'db',
      dest_namespace: 'shop',
      dest_labels: '',
      protocol: 'tcp',
      dest_port: 5432,
      reporter: 'Dst',
      policies: { enforced: [], pending: [] },
      packets_in: 1,
      packets_out: 1,
      bytes_in: 1,
      bytes_out: 1,
    };
    const files = { 'c.yaml': cluster, 'w.json': `${JSON.stringify({ total: 1, items: [record] })}\n` };
    const run = await runCli(['recommend', '--flows', 'w.json', '--cluster', 'c.yaml', '--out', out], { files });
    expect(run.stderr).toMatch(/^error: flow file w\.json, line \d+: the source \(2 pods of a Calico aggregate\) spans 2 workloads; the record does not say which pod it was/);
    expect(run.code).toBe(2);
  });

  test('fails for an allowed flow of a pod the cluster file does not have, naming the line, and writes nothing', async () => {
    const files = { 'flows.csv': 'source,destination,port,protocol,verdict\nproduction/frontend,production/gone-7d9,8080,TCP,allowed\n' };
    const run = await runCli(['recommend', '--flows', 'flows.csv', '--cluster', CLUSTER, '--out', out], { files });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: flow file flows.csv, line 2: pod production/gone-7d9 is not in the cluster model, by name or address; take the cluster '
      + 'snapshot while the flows are captured, or pass --ignore-unknown-pods to leave such flows out (they are listed)\n');
    expect(fs.existsSync(out)).toBe(false);
  });

  test('fails for a flow of a pod the snapshot shows without an IP, and leaves it out (listed) with --ignore-unknown-pods', async () => {
    const cluster = `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Namespace, metadata: {name: shop, labels: {kubernetes.io/metadata.name: shop}}}
- {apiVersion: v1, kind: Pod, metadata: {name: web, namespace: shop, labels: {app: web}}, status: {phase: Pending}}
- {apiVersion: v1, kind: Pod, metadata: {name: api, namespace: shop, labels: {app: api}}, status: {podIP: 10.0.7.2}}
- {apiVersion: v1, kind: Pod, metadata: {name: db, namespace: shop, labels: {app: db}}, status: {podIP: 10.0.7.3}}
`;
    const files = { 'c.yaml': cluster, 'f.csv': 'source,destination,port,protocol,verdict\nshop/web,shop/api,8080,TCP,allowed\nshop/api,shop/db,5432,TCP,allowed\n' };
    const refused = await runCli(['recommend', '--flows', 'f.csv', '--cluster', 'c.yaml', '--out', out], { files });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^note: 1 pod without an IP \(shop\/web\): no address, no connectivity\nerror: flow file f\.csv, line 2: pod shop\/web has no IP in the cluster model \(pending, or terminated, when the snapshot was taken\)/);
    const ignored = await runCli(['recommend', '--flows', 'f.csv', '--cluster', 'c.yaml', '--out', out, '--ignore-unknown-pods'], { files });
    expect(ignored.code).toBe(0);
    expect(section(ignored.stdout, 'ALLOWED (')).toEqual(['  workload shop/api -> workload shop/db: TCP 5432 (1 flow, 1 record, first on line 3)']);
    expect(section(ignored.stdout, 'LEFT OUT (')).toEqual([expect.stringMatching(/^ {2}1 record \(first on line 2\): pod shop\/web has no IP/)]);
  });

  test('fails for outside addresses without the cluster\'s CIDRs, which the engine needs to render them', async () => {
    const run = await runCli(['recommend', '--flows', HUBBLE, '--cluster', CLUSTER, '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: the observed flows reach outside addresses \(203\.0\.113\.10\/32\), .*pass --pod-cidr and --service-cidr/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('fails for a workload no selector isolates, and merges it with --merge-workloads', async () => {
    const cluster = `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Namespace, metadata: {name: shop, labels: {kubernetes.io/metadata.name: shop}}}
- {apiVersion: v1, kind: Pod, metadata: {name: a, namespace: shop, labels: {app: web, track: canary}}, status: {podIP: 10.0.6.1}}
- {apiVersion: v1, kind: Pod, metadata: {name: b, namespace: shop, labels: {app: web}}, status: {podIP: 10.0.6.2}}
- {apiVersion: v1, kind: Pod, metadata: {name: db, namespace: shop, labels: {app: db}}, status: {podIP: 10.0.6.3}}
`;
    const files = { 'c.yaml': cluster, 'f.csv': 'source,destination,port,protocol,verdict\nshop/b,shop/db,5432,TCP,allowed\n' };
    const refused = await runCli(['recommend', '--flows', 'f.csv', '--cluster', 'c.yaml', '--out', out], { files });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('error: flow file f.csv, line 2: the source shop/b belongs to Pod b (no controller in the snapshot) in shop, which no label selector '
      + 'isolates: the labels its pods share (app=web) also select shop/a; give its pods a label of their own (app.kubernetes.io/name), '
      + 'or pass --merge-workloads to allow the flow for every pod those labels select\n');
    const merged = await runCli(['recommend', '--flows', 'f.csv', '--cluster', 'c.yaml', '--out', out, '--merge-workloads'], { files });
    expect(merged.code).toBe(0);
    expect(section(merged.stdout, 'WORKLOADS (')[2]).toBe('  shop/web {app=web}: 2 pods, Pod a (no controller in the snapshot) + Pod b (no controller in the snapshot)');
    expect(section(merged.stdout, 'ALSO ALLOWED: PODS OF THE WORKLOADS')).toEqual(['  workload shop/web -> workload shop/db (TCP 5432): from shop/a']);
  });

  test('fails for an --out folder that already holds the app\'s files, before reading anything', async () => {
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'main.ts'), '// mine\n');
    const run = await runCli(['recommend', '--flows', HUBBLE, '--cluster', CLUSTER, '--out', out, ...CIDRS]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('already holds main.ts; recommend writes a new app and never overwrites one');
    expect(fs.readFileSync(path.join(out, 'main.ts'), 'utf8')).toBe('// mine\n');
  });

  test('fails with one line when --out cannot be written, and prints no report', async () => {
    const parent = path.dirname(out);
    fs.writeFileSync(path.join(parent, 'file'), '');
    const run = await runCli(['recommend', '--flows', HUBBLE, '--cluster', CLUSTER, '--out', path.join(parent, 'file', 'app'), ...CIDRS]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: cannot write the app into --out .*file\/app: ENOTDIR/);
    expect(run.stdout).toBe('');
  });

  test('fails for a bad flow file with the reader\'s error, naming file, line and field', async () => {
    const files = { 'bad.csv': 'source,destination,port,protocol\nproduction/frontend,production/backend-api,http,TCP\n' };
    const run = await runCli(['recommend', '--flows', 'bad.csv', '--cluster', CLUSTER, '--out', out], { files });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: flow file bad\.csv, line 2: port: /);
  });
});
