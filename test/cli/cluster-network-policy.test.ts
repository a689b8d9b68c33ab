import { runCli } from './support/run-cli';

// The CLI over network-policy-api objects: explain names the tier, the policy, the rule and its
// action; lint checks them against the implementation named with --implementation; a lookalike
// kind is one line on stderr and exit 2.

const CLUSTER = `
apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: tenant, labels: { tenancy: tenant } } }
  - { apiVersion: v1, kind: Pod, metadata: { name: web, namespace: tenant, labels: { app: web } }, status: { podIP: 10.244.1.10 } }
`;
const GUARDRAIL = `
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: no-metadata }
spec:
  tier: Admin
  priority: 10
  subject: { namespaces: { matchLabels: { tenancy: tenant } } }
  egress:
  - { name: metadata-service, action: Deny, to: [{ networks: [169.254.169.254/32] }] }
  - { name: dns-names, action: Accept, to: [{ domainNames: [example.com] }] }
`;

describe('the CLI with ClusterNetworkPolicy', () => {
  const files = { 'cluster.yaml': CLUSTER, 'guard.yaml': GUARDRAIL.replace(/  - \{ name: dns-names.*\n/, ''), 'lint.yaml': GUARDRAIL };

  test('explain names the tier, the policy, the rule and its action', async () => {
    const run = await runCli(['explain', '--cluster', 'cluster.yaml', '--policies', 'guard.yaml', '--from', 'tenant/web', '--to', '169.254.169.254', '--port', '80'], { files });
    expect(run.stdout).toContain('DENIED: pod tenant/web -> 169.254.169.254 on 80/TCP');
    expect(run.stdout).toContain('egress at pod tenant/web: denied by ClusterNetworkPolicy no-metadata egress[0] "metadata-service" (Deny, Admin tier, priority 10)');
  });

  test('lint --implementation reports what that implementation does not enforce', async () => {
    const calico = await runCli(['lint', '--policies', 'lint.yaml', '--implementation', 'calico'], { files });
    expect(calico.code).toBe(1);
    expect(calico.stdout).toContain('error cnp-implementation-lacks: ClusterNetworkPolicy no-metadata');
    expect(calico.stdout).toContain('spec.egress[1].to[0].domainNames: Calico 3.32 does not implement domainNames peers');
    const antrea = await runCli(['lint', '--policies', 'lint.yaml', '--implementation', 'antrea'], { files });
    expect(antrea.stdout).not.toContain('cnp-implementation-lacks');
  });

  test('fails with one line and exit 2 for an unknown implementation', async () => {
    const run = await runCli(['lint', '--policies', 'lint.yaml', '--implementation', 'flannel'], { files });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("option '--implementation <name>' argument 'flannel' is invalid. Allowed choices are calico, cilium, antrea, ovn-kubernetes, kube-network-policies.");
  });

  test('fails with one line and exit 2 for Antrea\'s own ClusterNetworkPolicy, even with --ignore-other-kinds', async () => {
    const antrea = 'apiVersion: crd.antrea.io/v1beta1\nkind: ClusterNetworkPolicy\nmetadata: { name: acnp }\nspec: {}\n';
    const run = await runCli(['reach', '--cluster', 'cluster.yaml', '--policies', 'antrea.yaml', '--port', '80', '--ignore-other-kinds'], { files: { ...files, 'antrea.yaml': antrea } });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('is Antrea\'s own ClusterNetworkPolicy (Antrea-native policy, crd.antrea.io)');
  });
  test('lint reports each invalid rule of a ClusterNetworkPolicy as a finding, and lints the rest', async () => {
    const invalid = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: bad-rules }
spec:
  tier: Admin
  priority: 10
  subject: { namespaces: {} }
  egress:
  - { action: Allow, to: [{ namespaces: {} }] }
  - { action: Deny, to: [{ networks: [169.254.169.254/32] }] }
  - { action: Deny, to: [{ namespaces: {} }], protocols: [{ tcp: { destinationPort: { number: 70000 } } }] }
`;
    const run = await runCli(['lint', '--policies', 'bad.yaml', 'lint.yaml', '--implementation', 'calico', '--format', 'json'], { files: { ...files, 'bad.yaml': invalid } });
    expect(run.code).toBe(1);
    const findings = (JSON.parse(run.stdout) as { findings: { ruleId: string; object: { name: string }; path: string; message: string }[] }).findings;
    expect(findings.filter((f) => f.ruleId === 'manifest-invalid').map((f) => `${f.object.name}: ${f.path}`)).toEqual([
      'bad-rules: spec.egress[0].action', 'bad-rules: spec.egress[2].protocols[0].tcp.destinationPort.number',
    ]);
    // The invalid object gets no other finding; the valid one is still linted.
    expect(findings.filter((f) => f.ruleId !== 'manifest-invalid').map((f) => `${f.ruleId} ${f.object.name}`)).toEqual(['cnp-implementation-lacks no-metadata']);
  });
});
