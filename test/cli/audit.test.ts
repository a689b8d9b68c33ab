import * as path from 'path';
import { CLUSTER, POLICIES, runCli } from './support/run-cli';

const FLOWS = path.join(__dirname, '..', 'analysis', 'flows', 'fixtures');
const flows = (name: string) => path.join(FLOWS, name);

// Expected results below are derived by hand from test/cli/fixtures/policies.yaml (production:
// default deny both ways; egress to kube-system on 53; frontend -> backend-api 8080 both ways;
// prometheus of a team=monitoring namespace -> backend-api 9090) and cluster.yaml (monitoring has
// the team label, so prometheus is admitted; monitoring and kube-system are not isolated).

describe('audit', () => {
  test('reports the Hubble flows the policies would deny, the verdicts that differ, and what it could not map', async () => {
    const run = await runCli(['audit', '--flows', flows('hubble-observe.jsonl'), '--cluster', CLUSTER, '--policies', POLICIES, '--format', 'json']);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json.schema).toBe('cdk8s-zero-trust/audit/v1');
    const key = (f: any) => `${f.source} -> ${f.destination} ${f.protocol} ${f.port} @${f.line}`;
    expect(json.denied.map(key)).toEqual([
      'pod production/frontend -> pod production/redis TCP 6379 @3', // frontend's egress allows only DNS and backend-api 8080
      'pod production/frontend -> 203.0.113.10 TCP 443 @6', // no egress to the world
      '10.0.1.1 -> pod production/frontend TCP 80 @7', // the node's address is outside the pod model; frontend admits nothing
      'pod monitoring/grafana -> pod production/backend-api TCP 8080 @11', // only frontend may reach 8080
      'pod monitoring/grafana -> pod production/redis TCP 6379 @16', // redis admits nothing
      'pod production/frontend -> 2001:db8::10 UDP 123 @18', // frontend has no IPv6 address
    ]);
    // Hubble saw both forwarded while the policies deny them: the cluster runs other policies, or none.
    expect(json.differs.map(key)).toEqual(['pod production/frontend -> 203.0.113.10 TCP 443 @6', '10.0.1.1 -> pod production/frontend TCP 80 @7']);
    expect(json.differs[0].difference).toBe('recorded as allowed at the source\'s egress, but the policies deny it there');
    expect(json.unmapped).toEqual([{ reason: 'ICMPv4 flows: the analyzer decides TCP, UDP and SCTP only', count: 1, line: 20 }]);
    expect(json.flows).toEqual({ file: flows('hubble-observe.jsonl'), format: 'hubble', records: 15, distinct: 13, lostEvents: 17 });
    expect(json.skipped.map((s: any) => [s.line, s.count])).toEqual([[2, 3], [13, 1], [14, 1], [17, 1]]);
  });

  test('agrees with every recorded policy decision the policies make the same way', async () => {
    const json = JSON.parse((await runCli(['audit', '--flows', flows('hubble-observe.jsonl'), '--cluster', CLUSTER, '--policies', POLICIES, '--format', 'json'])).stdout);
    const audited = new Map(json.audited.map((f: any) => [f.line, f]));
    // The recorded drops at egress (line 3) and ingress (line 11) are denials there.
    expect(audited.get(3)).toMatchObject({ allowed: false, egressAllowed: false, recorded: { verdict: 'denied', direction: 'egress' } });
    expect(audited.get(11)).toMatchObject({ allowed: false, egressAllowed: true, ingressAllowed: false });
    expect((audited.get(11) as any).difference).toBeUndefined();
    // frontend -> backend-api 8080, as a trace, a bare legacy flow and an HTTP request: allowed, as recorded.
    // The legacy record (line 12) reads as the same flow as line 1, so it is counted there.
    for (const line of [1, 9]) expect(audited.get(line)).toMatchObject({ allowed: true, destination: 'pod production/backend-api', port: 8080 });
    expect((audited.get(1) as any).count).toBe(2);
    expect(audited.has(12)).toBe(false);
    expect((audited.get(9) as any).http).toEqual({ method: 'GET', path: '/api/v1/orders?page=2' });
  });

  test('lists the allowances no observed flow used, sources with identical rows together', async () => {
    const json = JSON.parse((await runCli(['audit', '--flows', flows('hubble-observe.jsonl'), '--cluster', CLUSTER, '--policies', POLICIES, '--format', 'json'])).stdout);
    const unusedFor = (source: string, destination: string) =>
      json.unused.filter((u: any) => u.source.includes(source) && u.destination.includes(destination));
    // The frontend's DNS over UDP was observed (line 4), TCP 53 was not.
    expect(unusedFor('production/frontend', 'kube-system/coredns')).toEqual([{
      source: ['production/frontend'], destination: ['kube-system/coredns'], allowed: { TCP: [[53, 53]], UDP: [[53, 53]] }, unused: { TCP: [[53, 53]] },
    }]);
    // frontend -> backend-api 8080 was observed: nothing of it is unused.
    expect(unusedFor('production/frontend', 'production/backend-api')).toEqual([]);
    // backend-api and redis never resolved a name: one entry for both (the same row).
    expect(unusedFor('production/backend-api', 'kube-system/coredns')).toEqual([{
      source: ['production/backend-api', 'production/redis'],
      destination: ['kube-system/coredns'],
      allowed: { TCP: [[53, 53]], UDP: [[53, 53]] },
      unused: { TCP: [[53, 53]], UDP: [[53, 53]] },
    }]);
    // prometheus -> backend-api 9090 was observed and is the only allowance into backend-api from monitoring.
    expect(unusedFor('monitoring/prometheus', 'production/backend-api')).toEqual([]);
  });

  test('--no-unused leaves the unused allowances out', async () => {
    const json = JSON.parse((await runCli(['audit', '--flows', flows('hubble-observe.jsonl'), '--cluster', CLUSTER, '--policies', POLICIES, '--format', 'json', '--no-unused'])).stdout);
    expect(json.unused).toBeNull();
  });

  test('--fail-on chooses what makes the exit code 1', async () => {
    const args = ['audit', '--flows', flows('neutral-flows.csv'), '--cluster', CLUSTER, '--policies', POLICIES];
    expect((await runCli(args)).code).toBe(1); // frontend -> redis would be denied
    expect((await runCli([...args, '--fail-on', 'none'])).code).toBe(0);
    expect((await runCli([...args, '--fail-on', 'differs,unmapped'])).code).toBe(0); // the CSV's verdicts agree; all mapped
    expect((await runCli([...args, '--fail-on', 'unused'])).code).toBe(1);
  });

  test('reads the neutral CSV with its counts, and Calico flow logs', async () => {
    const csv = JSON.parse((await runCli(['audit', '--flows', flows('neutral-flows.csv'), '--cluster', CLUSTER, '--policies', POLICIES, '--format', 'json'])).stdout);
    expect(csv.flows.records).toBe(173);
    expect(csv.denied.map((f: any) => [f.source, f.destination, f.count])).toEqual([
      ['pod production/frontend', 'pod production/redis', 3], ['pod production/frontend', '203.0.113.10', 1],
    ]);
    const whisker = JSON.parse((await runCli(['audit', '--flows', flows('whisker-flows.json'), '--cluster', CLUSTER, '--policies', POLICIES, '--format', 'json'])).stdout);
    expect(whisker.flows.format).toBe('calico');
    expect(whisker.denied.map((f: any) => f.line)).toEqual([28]);
    expect(whisker.unmapped.map((u: any) => u.reason)).toEqual([
      'public network (Calico pub): an aggregate of addresses, not one address the analyzer can decide',
      'no pod of the cluster model in monitoring has a name starting with prometheus-5d8f7b6c9- (Calico\'s aggregate prometheus-5d8f7b6c9-*)',
    ]);
  });

  test('aggregates identical records and answers each distinct flow once', async () => {
    const line = '{"source":"production/frontend","destination":"production/backend-api","port":8080,"protocol":"TCP"}\n';
    const run = await runCli(['audit', '--flows', 'f.jsonl', '--cluster', CLUSTER, '--policies', POLICIES, '--format', 'json', '--no-unused'],
      { files: { 'f.jsonl': line.repeat(1000) } });
    const json = JSON.parse(run.stdout);
    expect([json.flows.records, json.flows.distinct, json.audited[0].count, json.audited[0].allowed]).toEqual([1000, 1, 1000, true]);
    expect(run.code).toBe(0);
  });

  test('maps a Calico aggregate by name prefix, and says so when its pods are decided differently', async () => {
    const cluster = `apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { kubernetes.io/metadata.name: shop } }
---
apiVersion: v1
kind: Pod
metadata: { name: web-7d9-a, namespace: shop, labels: { app: web } }
status: { podIP: 10.1.0.1 }
---
apiVersion: v1
kind: Pod
metadata: { name: web-7d9-b, namespace: shop, labels: { app: web, canary: "true" } }
status: { podIP: 10.1.0.2 }
---
apiVersion: v1
kind: Pod
metadata: { name: db-0, namespace: shop, labels: { app: db } }
status: { podIP: 10.1.0.3 }
`;
    const policies = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  ingress:
  - from: [{ podSelector: { matchLabels: { app: web } } }]
    ports: [{ port: 5432 }]
  - from: [{ podSelector: { matchLabels: { canary: "true" } } }]
    ports: [{ port: 8080 }]
`;
    const record = (port: number) => JSON.stringify({
      source_name: 'web-7d9-*',
      source_namespace: 'shop',
      dest_name: 'db-0',
      dest_namespace: 'shop',
      protocol: 'tcp',
      dest_port: port,
      action: 'Allow',
      reporter: 'Dst',
    });
    const run = await runCli(['audit', '--flows', 'f.jsonl', '--cluster', 'c.yaml', '--policies', 'p.yaml', '--format', 'json', '--no-unused'],
      { files: { 'f.jsonl': `${record(5432)}\n${record(8080)}\n`, 'c.yaml': cluster, 'p.yaml': policies } });
    const json = JSON.parse(run.stdout);
    expect(json.audited.map((f: any) => [f.source, f.port, f.allowed])).toEqual([['pods shop/web-7d9-* (2)', 5432, true]]);
    expect(json.unmapped).toEqual([{
      reason: 'the pods of pods shop/web-7d9-* (2) -> pod shop/db-0 are decided differently (allowed only for pod shop/web-7d9-b -> pod shop/db-0); '
        + 'the record does not say which pod it was',
      count: 1,
      line: 2,
    }]);
  });

  test('writes markdown for a pull request and text with the summary first', async () => {
    const args = ['audit', '--flows', flows('hubble-observe.jsonl'), '--cluster', CLUSTER, '--policies', POLICIES, '--no-unused'];
    const text = (await runCli(args)).stdout.split('\n');
    expect(text[0]).toBe('15 flow records, 13 distinct flows audited: 6 would be denied, 2 recorded differently than the policies decide, 1 record not mapped to the cluster model');
    expect(text[1]).toBe('  note: the flow source lost 17 events (Hubble lost_events): the capture is incomplete');
    const markdown = (await runCli([...args, '--format', 'markdown', '--max-listed', '2'])).stdout;
    expect(markdown).toContain('### Would be denied (6)');
    expect(markdown).toContain('| `pod production/frontend` | `pod production/redis` | TCP 6379 | 1 |');
    expect(markdown).toContain('… and 4 more');
  });

  test('fails with the file, line and field of an invalid record, and exit code 2', async () => {
    const run = await runCli(['audit', '--flows', 'f.csv', '--cluster', CLUSTER, '--policies', POLICIES], {
      files: { 'f.csv': 'source,destination,port,protocol\nproduction/frontend,production/backend-api,http,TCP\n' },
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('error: flow file f.csv, line 2: port: expected a destination port from 1 to 65535, got "http"\n');
  });

  test('fails on a flow file that does not exist, or is too large, with exit code 2', async () => {
    const missing = await runCli(['audit', '--flows', 'no-such-file.jsonl', '--cluster', CLUSTER, '--policies', POLICIES]);
    expect([missing.code, missing.stderr]).toEqual([2, 'error: cannot read flow file no-such-file.jsonl: no such file\n']);
    const large = await runCli(['audit', '--flows', flows('hubble-observe.jsonl'), '--cluster', CLUSTER, '--policies', POLICIES, '--max-flow-input-size', '0.001']);
    expect(large.code).toBe(2);
    expect(large.stderr).toMatch(/^error: cannot read flow file .*hubble-observe\.jsonl: it is larger than the input limit/);
  });

  test('fails when a file has more distinct flows than --max-distinct-flows, naming the line', async () => {
    const run = await runCli(['audit', '--flows', flows('neutral-flows.csv'), '--cluster', CLUSTER, '--policies', POLICIES, '--max-distinct-flows', '2']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`error: flow file ${flows('neutral-flows.csv')}, line 5: more than 2 distinct flows (each is held until the end); `
      + 'audit a shorter capture, or raise the bound (--max-distinct-flows) if the memory is there\n');
  });

  test('fails on an unknown --fail-on condition', async () => {
    const run = await runCli(['audit', '--flows', flows('neutral-flows.csv'), '--cluster', CLUSTER, '--policies', POLICIES, '--fail-on', 'gains']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/expected denied, differs, unmapped, unused, none/);
  });
});
