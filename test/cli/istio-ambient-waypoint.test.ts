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
const files = {
  'out.yaml': Yaml.stringify(...app.charts.flatMap((chart) => Testing.synth(chart))),
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

  test('fails with exit 2 for a Service the cluster file does not have', async () => {
    const run = await runCli(['explain', ...base, '--from', 'production/frontend', '--to', 'svc/production/nope', '--port', '8080'], { files });
    expect([run.code, run.stderr]).toEqual([2, expect.stringContaining('unknown Service production/nope (Services in production: backend-api)')]);
  });
});
