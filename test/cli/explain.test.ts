import * as fs from 'fs';
import { CLUSTER, fixture, POLICIES, runCli } from './support/run-cli';
import { parseCluster, parsePolicies, podEndpoint, ReachabilityAnalyzer } from '../../src/analysis';

const BASE = ['explain', '--cluster', CLUSTER, '--policies', POLICIES];

describe('explain', () => {
  test('text: the verdict, each direction\'s reason with the deciding rules, and where each policy is written', async () => {
    const run = await runCli([...BASE, '--from', 'production/frontend', '--to', 'production/backend-api', '--port', '8080', '--protocol', 'TCP']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe([
      'ALLOWED: pod production/frontend -> pod production/backend-api on 8080/TCP over IPv4',
      '  egress at pod production/frontend: allowed by NetworkPolicy production/frontend-egress-to-backend egress[0]',
      '  ingress at pod production/backend-api: allowed by NetworkPolicy production/allow-frontend-to-backend ingress[0]',
      '',
      'policies:',
      `  NetworkPolicy production/default-deny-all            ${POLICIES}, document 1`,
      `  NetworkPolicy production/allow-dns                   ${POLICIES}, document 2`,
      `  NetworkPolicy production/allow-frontend-to-backend   ${POLICIES}, document 3`,
      `  NetworkPolicy production/frontend-egress-to-backend  ${POLICIES}, document 4`,
      `  NetworkPolicy production/allow-monitoring-access     ${POLICIES}, document 5`,
      '',
    ].join('\n'));
  });

  test('text: a denied flow says which side denied it and which rules matched only half of it', async () => {
    const run = await runCli([...BASE, '--from', 'monitoring/grafana', '--to', 'production/backend-api', '--port', '9090', '--protocol', 'TCP']);
    expect(run.code).toBe(0);
    const first = run.stdout.split('\n').slice(0, 3);
    expect(first[0]).toBe('DENIED: pod monitoring/grafana -> pod production/backend-api on 9090/TCP over IPv4');
    expect(first[1]).toBe('  egress at pod monitoring/grafana: not isolated: no policy selects pod monitoring/grafana for egress');
    expect(first[2]).toContain('NetworkPolicy production/allow-monitoring-access ingress[0] allows 9090/TCP but not pod monitoring/grafana');
  });

  test('json: the verdict object, equal to the analyzer\'s', async () => {
    const run = await runCli([...BASE, '--from', 'monitoring/prometheus', '--to', 'production/backend-api', '--port', '9090', '--format', 'json']);
    expect(run.code).toBe(0);
    const cluster = parseCluster({ file: CLUSTER, text: fs.readFileSync(CLUSTER, 'utf8') });
    const analyzer = new ReachabilityAnalyzer(cluster, parsePolicies({ file: POLICIES, text: fs.readFileSync(POLICIES, 'utf8') }));
    const expected = analyzer.evaluate({ source: podEndpoint('monitoring', 'prometheus'), destination: podEndpoint('production', 'backend-api'), port: 9090, protocol: 'TCP' });
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(expected.allowed).toBe(true);
  });

  test('an IP endpoint that belongs to a pod is that pod; an external IP is evaluated as an address', async () => {
    const byIp = await runCli([...BASE, '--from', '10.0.1.10', '--to', 'production/backend-api', '--port', '8080']);
    expect(byIp.stdout).toContain('ALLOWED: pod production/frontend -> pod production/backend-api');
    expect(byIp.stdout).toContain('note: 10.0.1.10 is the IP of pod production/frontend');
    const external = await runCli([...BASE, '--from', 'production/backend-api', '--to', '203.0.113.7', '--port', '443']);
    expect(external.stdout.split('\n')[0]).toBe('DENIED: pod production/backend-api -> 203.0.113.7 on 443/TCP over IPv4');
  });

  test('--expect exits 1 with a message when the verdict differs, 0 when it matches', async () => {
    const flow = ['--from', 'monitoring/grafana', '--to', 'production/backend-api', '--port', '9090'];
    const wrong = await runCli([...BASE, ...flow, '--expect', 'allowed']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe('expected the flow to be allowed, but it is denied\n');
    const right = await runCli([...BASE, ...flow, '--expect', 'denied']);
    expect(right.code).toBe(0);
    expect(right.stderr).toBe('');
  });

  test('--method and --path are passed to the evaluator as an HTTP request (L4 policies ignore them)', async () => {
    const run = await runCli([...BASE, '--from', 'production/frontend', '--to', 'production/backend-api', '--port', '8080', '--method', 'get', '--path', '/api', '--format', 'json']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { allowed: boolean }).allowed).toBe(true);
  });

  test('without --port: the exact set between two endpoints, and the deciding rules for each part of it', async () => {
    const run = await runCli([...BASE, '--from', 'monitoring/prometheus', '--to', 'production/backend-api']);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    // Read from the policies: the backend admits prometheus on TCP 9090 only.
    expect(lines[0]).toBe('pod monitoring/prometheus -> pod production/backend-api: TCP 9090 allowed');
    expect(lines).toContain('ALLOWED TCP 9090 (read from the flow on TCP 9090):');
    expect(lines).toContain('  ingress at pod production/backend-api: allowed by NetworkPolicy production/allow-monitoring-access ingress[0]');
    expect(lines).toContain('DENIED all TCP except 9090, all UDP, all SCTP (read from the flow on TCP 1):');
    const json = JSON.parse((await runCli([...BASE, '--from', 'production/frontend', '--to', 'kube-system/coredns', '--format', 'json'])).stdout) as {
      connections: Record<string, [number, number][]>; decisions: { connections: unknown; allowed: boolean }[];
    };
    expect(json.connections).toEqual({ TCP: [[53, 53]], UDP: [[53, 53]] });
    const allowed = json.decisions.filter((decision) => decision.allowed).map((decision) => decision.connections);
    expect(allowed).toEqual([{ TCP: [[53, 53]], UDP: [[53, 53]] }]);
  });

  test('without --port, a pod without an address has no connection, and says why', async () => {
    const cluster = 'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: a, namespace: shop }\n'
      + '---\napiVersion: v1\nkind: Pod\nmetadata: { name: b, namespace: shop }\nstatus: { podIP: 10.1.0.2 }\n';
    const run = await runCli(['explain', '--cluster', 'c.yaml', '--policies', fixture('no-policies.yaml'), '--allow-empty-policies', '--from', 'shop/b', '--to', 'shop/a'], { files: { 'c.yaml': cluster } });
    expect(run.stdout.split('\n').slice(0, 5)).toEqual([
      'pod shop/b -> pod shop/a: no connection allowed',
      '  note: 1 pod without an IP address (shop/a) have no network: no connection from or to them (not running, or not scheduled yet)',
      '',
      'DENIED all traffic (read from the flow on TCP 1):',
      '  note: pod shop/a has no IP address (not running, or not scheduled yet): it has no network, so no connection from or to it',
    ]);
  });
});
