import { fixture, runCli } from './support/run-cli';

// Flow records name addresses, not the DNS name a pod looked up, so audit cannot apply a toFQDNs
// allowance to them: a flow only the name admits would be reported as denied. audit says so and stops,
// unless --ignore-dns-names opts into reading every name allowance as allowing nothing.

const policies = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: fe-egress, namespace: production }
spec:
  endpointSelector: { matchLabels: { app: frontend } }
  egress:
  - toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns } }]
    toPorts: [{ ports: [{ port: "53", protocol: ANY }], rules: { dns: [{ matchPattern: "*" }] } }]
  - toFQDNs: [{ matchName: api.example.com }]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
`;
const flows = `source,destination,port,protocol,verdict
production/frontend,203.0.113.5,443,TCP,allowed
`;
const files = { 'policies.yaml': policies, 'flows.csv': flows };
const base = ['audit', '--flows', 'flows.csv', '--cluster', fixture('cluster.yaml'), '--policies', 'policies.yaml'];

describe('audit of policies that allow DNS names', () => {
  test('stops before any output, naming the rule and the opt-in', async () => {
    const run = await runCli(base, { files });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('CiliumNetworkPolicy production/fe-egress egress[1] allows DNS names (toFQDNs), and flow records name addresses only');
    expect(run.stderr).toContain('pass --ignore-dns-names');
  });

  test('with --ignore-dns-names, the name allowance allows nothing: the flow it may have admitted is listed as denied and differing', async () => {
    const run = await runCli([...base, '--ignore-dns-names', '--format', 'json'], { files });
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json.denied).toHaveLength(1);
    expect(json.differs).toHaveLength(1);
  });

  test('policies without DNS names are audited as before', async () => {
    const plain = policies.split('  - toFQDNs')[0];
    const run = await runCli([...base, '--format', 'json'], { files: { ...files, 'policies.yaml': plain } });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).denied).toHaveLength(1);
  });
});
