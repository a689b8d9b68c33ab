import * as fs from 'fs';
import * as path from 'path';
import { Testing, Yaml } from 'cdk8s';
import { runCli } from './support/run-cli';
import { example } from '../../examples/istio-production/app';

// Issue 13 item 2: the istio-production example in ambient mode (a waypoint per namespace, AuthorizationPolicies
// bound to the backend-api Service with targetRefs, `<name>-via-waypoint` ztunnel policies admitting the
// waypoint's identity) used to be refused (spec.targetRefs). On a cluster as kubectl prints it — the pods
// captured by ztunnel, the waypoint Gateway ready with its pod, the Service labelled istio.io/use-waypoint —
// reach and explain answer: through the Service, the frontend may GET/POST /api/v1/* on 8080 and Prometheus
// GET /metrics on 9090; nothing else, and the pod IP that bypasses the waypoint is denied.

const app = Testing.app();
example.build(app, example.engines['istio-ambient-cilium']());
const objects = app.charts.flatMap((chart) => Testing.synth(chart));
/** The same output with the frontend's waypoint policy changed: POST becomes DELETE. */
const changed = objects.map((o) => (o.metadata.name !== 'zero-trust-frontend-to-backend-waypoint' ? o : {
  ...o,
  spec: { ...o.spec, rules: o.spec.rules.map((rule: any) => ({ ...rule, to: rule.to.map((to: any) => ({ operation: { ...to.operation, methods: ['GET', 'DELETE'] } })) })) },
}));
const files = {
  'out.yaml': Yaml.stringify(...objects),
  'changed.yaml': Yaml.stringify(...changed),
  'cluster.yaml': fs.readFileSync(path.join(__dirname, '..', 'analysis', 'istio', 'fixtures', 'ambient-waypoint-cluster.yaml'), 'utf8'),
};
const base = ['--cluster', 'cluster.yaml', '--policies', 'out.yaml', '--ignore-other-kinds'];

describe('the CLI on the istio-production example in ambient mode (waypoint, targetRefs)', () => {
  test('reach lists the Service as a destination with the exact requests each client may send through the waypoint', async () => {
    const run = await runCli(['reach', ...base, '--format', 'json'], { files });
    expect([run.code, run.stderr.split('\n').filter((line) => line.startsWith('error'))]).toEqual([0, []]);
    const document = JSON.parse(run.stdout);
    const summary = document.services.map((service: any) => ({
      service: service.service,
      waypoint: service.waypoint,
      allowed: service.allowed.map((entry: any) => [entry.from, entry.connections.requests.map((r: any) => [r.ports, r.requests, r.withoutRequest])]),
    }));
    expect(summary).toEqual([{
      service: 'production/backend-api',
      waypoint: 'production/waypoint',
      allowed: [
        [['monitoring/prometheus'], [[[[9090, 9090]], ['GET /metrics'], false]]],
        [['production/frontend'], [[[[8080, 8080]], ['GET /api/v1/* or POST /api/v1/*'], false]]],
      ],
    }]);
  });

  test('reach lists no Service without a waypoint, and says why: its connections are the pod rows on the target port', async () => {
    const unbound = { ...files, 'cluster.yaml': files['cluster.yaml'].replace('istio.io/use-waypoint: waypoint', 'istio.io/use-waypoint: none') };
    const run = await runCli(['reach', ...base, '--format', 'json'], { files: unbound });
    const document = JSON.parse(run.stdout);
    expect([run.code, document.services, document.notes]).toEqual([0, [], [expect.stringContaining('1 Service without a waypoint is not listed as destinations')]]);
    const explain = await runCli(['explain', ...base, '--from', 'production/frontend', '--to', 'svc/production/backend-api', '--port', '8080', '--method', 'GET', '--path', '/api/v1/x'], { files: unbound });
    expect(explain.stdout.split('\n').slice(0, 2)).toEqual([
      'DENIED: pod production/frontend -> svc production/backend-api on 8080/TCP GET /api/v1/x',
      '  path: Service production/backend-api is labelled istio.io/use-waypoint=none: it uses no waypoint',
    ]);
  });

  test('explain --to svc/… allows the frontend\'s GET through the waypoint and names the rule at each hop', async () => {
    const run = await runCli(['explain', ...base, '--from', 'production/frontend', '--to', 'svc/production/backend-api',
      '--port', '8080', '--method', 'GET', '--path', '/api/v1/products', '--expect', 'allowed'], { files });
    expect(run.code).toBe(0);
    const hops = run.stdout.split('\n').filter((line) => /^\s+\[(cni|waypoint|destination)\]/.test(line)).map((line) => line.trim().split(' ')[0]);
    expect(hops).toEqual(['[cni]', '[waypoint]', '[destination]']);
    expect(run.stdout).toContain('allowed by AuthorizationPolicy production/zero-trust-frontend-to-backend-waypoint rules[0].to[0]');
    expect(run.stdout).toContain('allowed by AuthorizationPolicy production/zero-trust-frontend-to-backend-via-waypoint rules[0].to[0]');
  });

  test('explain denies what the intent does not allow: DELETE through the Service, and the pod IP that bypasses the waypoint', async () => {
    const remove = await runCli(['explain', ...base, '--from', 'production/frontend', '--to', 'svc/production/backend-api',
      '--port', '8080', '--method', 'DELETE', '--path', '/api/v1/products', '--expect', 'denied'], { files });
    expect([remove.code, remove.stdout.split('\n')[0]]).toEqual([0, 'DENIED: pod production/frontend -> svc production/backend-api on 8080/TCP DELETE /api/v1/products']);
    const bypass = await runCli(['explain', ...base, '--from', 'production/frontend', '--to', '10.244.0.11',
      '--port', '8080', '--method', 'GET', '--path', '/api/v1/products', '--expect', 'denied'], { files });
    expect(bypass.code).toBe(0);
    expect(bypass.stdout).toContain('ztunnel (L4 only)');
  });

  test('diff reports what a waypoint policy change gains and loses through the Service, and --fail-on-gain fails on it', async () => {
    const same = await runCli(['diff', '--cluster', 'cluster.yaml', '--before', 'out.yaml', '--after', 'out.yaml', '--ignore-other-kinds'], { files });
    expect([same.code, same.stdout]).toEqual([0, 'No change in reachability over every connection (TCP, UDP, SCTP, ports 1-65535).\n']);
    const run = await runCli(['diff', '--cluster', 'cluster.yaml', '--before', 'out.yaml', '--after', 'changed.yaml', '--ignore-other-kinds', '--fail-on-gain'], { files });
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('Reachability diff over every connection (TCP, UDP, SCTP, ports 1-65535): connections gained between 0 pairs of endpoints, lost between 0 pairs of endpoints; '
      + 'to Services, gained by 1 client–Service pair, lost by 1 client–Service pair.');
    expect(lines.filter((line) => line.startsWith('  +') || line.startsWith('  -'))).toEqual([
      '  + production/frontend -> svc production/backend-api: TCP 8080 (DELETE /api/v1/*)',
      '  - production/frontend -> svc production/backend-api: TCP 8080 (POST /api/v1/*)',
    ]);
    const json = JSON.parse((await runCli(['diff', '--cluster', 'cluster.yaml', '--before', 'out.yaml', '--after', 'changed.yaml', '--ignore-other-kinds', '--format', 'json'], { files })).stdout);
    expect([json.gainedServicePairs, json.lostServicePairs, json.services.map((c: any) => [c.service, c.from])]).toEqual([1, 1, [['production/backend-api', ['production/frontend']]]]);
  });

  test('fails with exit 2 for a Service the cluster file does not have', async () => {
    const run = await runCli(['explain', ...base, '--from', 'production/frontend', '--to', 'svc/production/nope', '--port', '8080'], { files });
    expect([run.code, run.stderr]).toEqual([2, expect.stringContaining('unknown Service production/nope (Services in production: backend-api)')]);
  });
});
