import * as fs from 'fs';
import { CLUSTER, fixture, POLICIES, runCli } from './support/run-cli';
import { ZERO_TRUST_PACK } from '../../src/cli/lint/zero-trust-pack';

const FOOTGUNS = fixture('footguns.yaml');

describe('lint command', () => {
  test('text: one block per finding (severity, rule, object, file and document, field, message, fix), then a summary; exit 1 on errors', async () => {
    const run = await runCli(['lint', '--policies', FOOTGUNS]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const blocks = run.stdout.trimEnd().split('\n\n');
    expect(blocks.map((block) => block.split('\n')[0])).toEqual([
      `error egress-deny-without-dns: NetworkPolicy shop/default-deny-egress (${FOOTGUNS}, document 1)`,
      `error k8s-allow-all-rule: NetworkPolicy shop/open-ingress (${FOOTGUNS}, document 2)`,
      `warning k8s-missing-policy-types: NetworkPolicy shop/open-ingress (${FOOTGUNS}, document 2)`,
      `warning k8s-split-peers: NetworkPolicy shop/scrape (${FOOTGUNS}, document 3)`,
      '2 errors, 2 warnings in 3 objects.',
    ]);
    expect(blocks[1].split('\n')[1]).toBe('  spec.ingress[0]: ingress[0] has no from and no ports: it allows all ingress traffic from any source '
      + '(any pod, any namespace, any address outside the cluster) on every port');
    expect(blocks[1].split('\n')[2]).toMatch(/^ {2}fix: list the allowed peers under from/);
  });

  test('json: the findings with object, location, path, message and fix, and a summary', async () => {
    const run = await runCli(['lint', '--policies', FOOTGUNS, '--format', 'json']);
    expect(run.code).toBe(1);
    const output = JSON.parse(run.stdout) as { findings: Record<string, unknown>[]; summary: Record<string, number> };
    expect(output.summary).toEqual({ errors: 2, warnings: 2, objects: 3 });
    expect(output.findings[3]).toEqual({
      ruleId: 'k8s-split-peers',
      severity: 'warning',
      object: { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', namespace: 'shop', name: 'scrape', file: FOOTGUNS, document: 3 },
      path: 'spec.ingress[0].from',
      message: expect.stringContaining('namespace-only peer (namespaceSelector {team=monitoring})'),
      fix: expect.stringContaining('put both selectors in one list item'),
    });
  });

  test('warnings alone exit 0, or 1 with --strict', async () => {
    const after = fixture('policies-after.yaml');
    const relaxed = await runCli(['lint', '--policies', after]);
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout).toContain('0 errors, 2 warnings in 4 objects.');
    expect((await runCli(['lint', '--policies', after, '--strict'])).code).toBe(1);
  });

  test('the seed-like fixture has one warning, on the DNS peer that is all of kube-system, and exits 0', async () => {
    const run = await runCli(['lint', '--policies', POLICIES]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^warning dns-whole-namespace: NetworkPolicy production\/allow-dns .*\n {2}spec\.egress\[0\]\.to\[0\]: /);
    expect(run.stdout).toMatch(/\n0 errors, 1 warning in 5 objects\.\n$/);
  });

  test('the seed article\'s own policy set on its cluster: the two half-open flows are errors', async () => {
    const run = await runCli(['lint', '--policies', fixture('seed-policies.yaml'), '--cluster', fixture('seed-cluster.yaml'), '--format', 'json']);
    expect(run.code).toBe(1);
    type Finding = { ruleId: string; severity: string; object: { name: string }; path: string };
    const findings = (JSON.parse(run.stdout) as { findings: Finding[] }).findings;
    expect(findings.map((f) => `${f.severity} ${f.ruleId} ${f.object.name}: ${f.path}`)).toEqual([
      'warning dns-whole-namespace allow-dns: spec.egress[0].to[0]',
      'error half-open-flow allow-frontend-to-backend: spec.ingress[0]',
      'warning dns-whole-namespace backend-egress-policy: spec.egress[3].to[0]',
      'error half-open-flow backend-egress-policy: spec.egress[0]',
    ]);
  });

  test('--skip leaves rules out', async () => {
    const run = await runCli(['lint', '--policies', FOOTGUNS, '--skip', 'egress-deny-without-dns', 'k8s-allow-all-rule', '--format', 'json']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId)).toEqual(['k8s-missing-policy-types', 'k8s-split-peers']);
  });

  test('--cluster enables the rules that need pod IPs and namespace labels', async () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: egress-anywhere, namespace: production }
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{ ipBlock: { cidr: 0.0.0.0/0 } }]
`;
    const files = { 'p.yaml': policy };
    const without = await runCli(['lint', '--policies', 'p.yaml', '--format', 'json'], { files });
    const withCluster = await runCli(['lint', '--policies', 'p.yaml', '--cluster', fixture('seed-cluster.yaml'), '--format', 'json'], { files });
    const withoutCni = await runCli(['lint', '--policies', 'p.yaml', '--cluster', CLUSTER, '--format', 'json'], { files });
    const ids = (run: { stdout: string }) => (JSON.parse(run.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId);
    expect(ids(without)).toEqual([]);
    expect(ids(withCluster)).toEqual(['k8s-ip-block-overlaps-pods']);
    expect(ids(withoutCni)).toEqual(['k8s-ip-block-overlaps-pods', 'no-enforcing-cni']);
  });

  test('Cilium and Istio objects are linted as written, with a note on stderr', async () => {
    const policy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: nothing, namespace: prod }
spec:
  endpointSelector: {}
`;
    const run = await runCli(['lint', '--policies', 'cnp.yaml'], { files: { 'cnp.yaml': policy } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('note: CiliumNetworkPolicy objects were linted as written, without schema validation\n');
    expect(run.stdout).toContain('error cilium-ruleless-policy: CiliumNetworkPolicy prod/nothing (cnp.yaml, document 1)');
  });

  test('reports each invalid rule of a Kubernetes or Calico policy as a finding, and lints the rest of the file', async () => {
    const badRules = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: bad-rules, namespace: shop }
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from: [{}]
  - ports: [{ port: 8080 }]
  - ports: [{ protocol: TCP, port: 70000 }]
`;
    const files = {
      'mixed.yaml': `${badRules}---\n${fs.readFileSync(FOOTGUNS, 'utf8')}`,
      'calico.yaml': 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: { name: p, namespace: x }\nspec: { selector: "app ==", types: [Ingress] }\n',
    };
    const run = await runCli(['lint', '--policies', 'mixed.yaml', 'calico.yaml', '--format', 'json'], { files });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const findings = (JSON.parse(run.stdout) as { findings: { ruleId: string; object: { name: string }; path: string; message: string }[] }).findings;
    const invalid = findings.filter((finding) => finding.ruleId === 'manifest-invalid');
    expect(invalid.map((finding) => `${finding.object.name}: ${finding.path}`)).toEqual([
      'bad-rules: spec.ingress[0].from[0]', 'bad-rules: spec.ingress[2].ports[0].port', 'p: spec.selector',
    ]);
    expect(invalid[0].message).toMatch(/^must specify a peer: .*; the API server rejects the object as written, so none of it applies$/);
    // The valid objects of the same file are still linted; the invalid one gets no other finding.
    expect(findings.filter((finding) => finding.ruleId !== 'manifest-invalid').map((finding) => finding.object.name))
      .toEqual(['default-deny-egress', 'open-ingress', 'open-ingress', 'scrape']);
  });

  test('still fails on YAML it cannot read, and on a document that is not a mapping', async () => {
    const files = { 'broken.yaml': 'a: [1\n', 'list.yaml': '- 1\n- 2\n' };
    const broken = await runCli(['lint', '--policies', 'broken.yaml'], { files });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^error: broken\.yaml/);
    const list = await runCli(['lint', '--policies', 'list.yaml'], { files });
    expect(list.code).toBe(2);
    expect(list.stderr).toMatch(/^error: list\.yaml, document 1: expected an object/);
  });

  test('fails on an object that is not a policy, unless --ignore-other-kinds', async () => {
    const files = { 'mixed.yaml': `apiVersion: v1\nkind: Service\nmetadata: { name: web }\n---\n${fs.readFileSync(FOOTGUNS, 'utf8')}` };
    const strict = await runCli(['lint', '--policies', 'mixed.yaml'], { files });
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/^error: mixed\.yaml, document 1: kind: expected a policy .*got kind Service \(v1\); pass --ignore-other-kinds to skip objects of kinds that carry no network policy$/m);
    const skipping = await runCli(['lint', '--policies', 'mixed.yaml', '--ignore-other-kinds'], { files });
    expect(skipping.stdout).toContain('2 errors, 2 warnings in 3 objects.');
  });

  test('reports an object defined twice as a finding on the second definition', async () => {
    const run = await runCli(['lint', '--policies', POLICIES, POLICIES, '--format', 'json']);
    expect(run.code).toBe(1);
    const findings = (JSON.parse(run.stdout) as { findings: { ruleId: string; object: { name: string }; path: string; message: string }[] }).findings;
    const invalid = findings.filter((finding) => finding.ruleId === 'manifest-invalid');
    expect(invalid.map((finding) => finding.path)).toEqual(Array(5).fill('metadata.name'));
    expect(invalid[0].message).toMatch(/^NetworkPolicy production\/default-deny-all is defined twice \(first in .*policies\.yaml, document 1\)/);
  });

  test('--list-rules prints every rule of the pack, without needing --policies', async () => {
    const text = await runCli(['lint', '--list-rules']);
    expect(text.code).toBe(0);
    for (const rule of ZERO_TRUST_PACK) {
      expect(text.stdout).toMatch(new RegExp(`^${rule.id} +${rule.severity} +`, 'm'));
    }
    const json = await runCli(['lint', '--list-rules', '--format', 'json']);
    expect((JSON.parse(json.stdout) as { id: string }[]).map((rule) => rule.id)).toEqual(ZERO_TRUST_PACK.map((rule) => rule.id));
  });
});
