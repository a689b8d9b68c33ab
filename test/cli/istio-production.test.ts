import { Testing, Yaml } from 'cdk8s';
import { runCli } from './support/run-cli';
import { example } from '../../examples/istio-production/app';

// Issue 13, "tried as a new user": reach, diff and explain refused the istio-production example's STRICT
// PeerAuthentication (exit 2). On a cluster where its workloads run with sidecars (kubectl's shape: the
// injected istio-proxy container) they read it, and what they answer follows from the example's intent:
// the frontend's account may GET/POST /api/v1/* on 8080, a pod outside the mesh is plaintext and STRICT
// rejects it before any policy.

const app = Testing.app();
example.build(app, example.engines['istio-sidecar-kubernetes']());
const output = Yaml.stringify(...app.charts.flatMap((chart) => Testing.synth(chart)));

const pod = (ns: string, name: string, sa: string, ip: string, meshed: boolean) => `---
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${ns}, labels: { app: ${name} } }
spec:
  serviceAccountName: ${sa}
  containers: [{ name: app, ports: [{ containerPort: 8080 }, { containerPort: 9090 }] }${meshed ? ', { name: istio-proxy }' : ''}]
status: { podIP: ${ip} }
`;
const cluster = ['production', 'monitoring'].map((ns) => `---\napiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n`).join('')
  + pod('production', 'frontend', 'frontend', '10.244.0.1', true)
  + pod('production', 'backend-api', 'backend-api', '10.244.0.2', true)
  + pod('production', 'legacy', 'frontend', '10.244.0.3', false)
  + pod('monitoring', 'prometheus', 'prometheus', '10.244.0.4', true);
const files = { 'cluster.yaml': cluster, 'out.yaml': output };
const base = ['--cluster', 'cluster.yaml', '--ignore-other-kinds'];

describe('the CLI on the istio-production example (STRICT mTLS, sidecars)', () => {
  test('reach and diff read it: exit 0, and the output against itself is no change', async () => {
    const reach = await runCli(['reach', ...base, '--policies', 'out.yaml', '--port', '8080', '--format', 'json'], { files });
    expect(reach.code).toBe(0);
    const diff = await runCli(['diff', ...base, '--before', 'out.yaml', '--after', 'out.yaml'], { files });
    expect([diff.code, diff.stdout]).toEqual([0, 'No change in reachability over every connection (TCP, UDP, SCTP, ports 1-65535).\n']);
  });

  test('explain: the frontend\'s GET /api/v1/orders is allowed over mTLS; the same account outside the mesh is rejected by STRICT', async () => {
    const explain = (from: string, extra: string[] = []) => runCli(['explain', ...base, '--policies', 'out.yaml', '--from', from, '--to', 'production/backend-api',
      '--port', '8080', ...extra], { files });
    const meshed = await explain('production/frontend', ['--method', 'GET', '--path', '/api/v1/orders']);
    expect([meshed.code, meshed.stdout.split('\n')[0]]).toEqual([0, 'ALLOWED: pod production/frontend -> pod production/backend-api on 8080/TCP over IPv4']);
    expect(meshed.stdout).toContain('[mesh] ingress at pod production/backend-api: sidecar: mTLS connection (client sidecar, server sidecar, STRICT on port 8080)');
    const plaintext = await explain('production/legacy', ['--method', 'GET', '--path', '/api/v1/orders']);
    expect(plaintext.stdout.split('\n')[0]).toBe('DENIED: pod production/legacy -> pod production/backend-api on 8080/TCP over IPv4');
    expect(plaintext.stdout).toMatch(/\[mesh\] ingress at pod production\/backend-api: mTLS STRICT \(PeerAuthentication production\/[^)]+\) rejects the plaintext connection/);
  });
});
