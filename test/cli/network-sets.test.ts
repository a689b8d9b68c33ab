import { CLUSTER, runCli } from './support/run-cli';

// Calico network sets on the command line: evaluated with the cluster's namespace labels (a
// namespaceSelector can match a NetworkSet by its namespace), and linted like policies.

const POLICIES = `apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: { name: scrapers, namespace: monitoring, labels: { role: scrapers } }
spec: { nets: [198.51.100.0/28] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: from-scrapers, namespace: production }
spec:
  order: 10
  selector: all()
  types: [Ingress]
  ingress: [{ action: Allow, protocol: TCP, source: { selector: role == 'scrapers', namespaceSelector: team == 'monitoring' }, destination: { ports: [9090] } }]
`;
const EXPLAIN = ['explain', '--cluster', CLUSTER, '--policies', 'p.yaml', '--to', 'production/backend-api', '--port', '9090'];

describe('Calico network sets in the CLI', () => {
  test('explain: an address in a NetworkSet that the rule selects by its namespace\'s labels is allowed, others are not', async () => {
    const inSet = await runCli([...EXPLAIN, '--from', '198.51.100.3'], { files: { 'p.yaml': POLICIES } });
    expect(inSet.code).toBe(0);
    expect(inSet.stdout.split('\n')[0]).toBe('ALLOWED: 198.51.100.3 -> pod production/backend-api on 9090/TCP over IPv4');
    expect(inSet.stdout).toContain('allowed by projectcalico.org/NetworkPolicy production/from-scrapers ingress[0]');
    const outside = await runCli([...EXPLAIN, '--from', '198.51.100.30', '--expect', 'denied'], { files: { 'p.yaml': POLICIES } });
    expect(outside.code).toBe(0);
  });

  test('lint: a network set the API server would reject is a manifest-invalid finding, and its nets are checked for host bits', async () => {
    const files = {
      'sets.yaml': `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: bad, labels: { projectcalico.org/namespace: x } }
spec: { nets: [10.0.0.0/8] }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: sloppy }
spec: { nets: [10.0.0.1/8] }
`,
    };
    const run = await runCli(['lint', '--policies', 'sets.yaml', '--format', 'json'], { files });
    const findings = JSON.parse(run.stdout).findings as { ruleId: string; object: { name: string }; path: string }[];
    expect(findings.map((f) => [f.ruleId, f.object.name, f.path])).toEqual([
      ['manifest-invalid', 'bad', 'metadata.labels["projectcalico.org/namespace"]'],
      ['cidr-host-bits', 'sloppy', 'spec.nets[0]'],
    ]);
    expect(run.code).toBe(1);
  });
});
