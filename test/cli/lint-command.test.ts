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
    expect(relaxed.stdout).toContain('0 errors, 1 warning in 4 objects.');
    expect((await runCli(['lint', '--policies', after, '--strict'])).code).toBe(1);
  });

  test('the seed-like fixture has no findings and exits 0', async () => {
    expect(await runCli(['lint', '--policies', POLICIES])).toEqual({ code: 0, stdout: '0 errors, 0 warnings in 5 objects.\n', stderr: '' });
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
    const withCluster = await runCli(['lint', '--policies', 'p.yaml', '--cluster', CLUSTER, '--format', 'json'], { files });
    const ids = (run: { stdout: string }) => (JSON.parse(run.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId);
    expect(ids(without)).toEqual([]);
    expect(ids(withCluster)).toEqual(['k8s-ip-block-overlaps-pods']);
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

  test('fails on invalid Kubernetes and Calico policies, like reach', async () => {
    const files = {
      'k8s.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p }\nspec: { podSelector: {}, policyTypes: [Ingres] }\n',
      'calico.yaml': 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: { name: p, namespace: x }\nspec: { selector: "app ==", types: [Ingress] }\n',
    };
    const k8s = await runCli(['lint', '--policies', 'k8s.yaml'], { files });
    expect(k8s.code).toBe(2);
    expect(k8s.stderr).toBe('error: k8s.yaml, document 1 (NetworkPolicy default/p): spec.policyTypes[0]: expected "Ingress" or "Egress", got "Ingres"\n');
    const calico = await runCli(['lint', '--policies', 'calico.yaml'], { files });
    expect(calico.code).toBe(2);
    expect(calico.stderr).toMatch(/^error: calico\.yaml, document 1 .*spec\.selector/);
  });

  test('fails on an object that is not a policy, unless --ignore-other-kinds', async () => {
    const files = { 'mixed.yaml': `apiVersion: v1\nkind: Service\nmetadata: { name: web }\n---\n${fs.readFileSync(FOOTGUNS, 'utf8')}` };
    const strict = await runCli(['lint', '--policies', 'mixed.yaml'], { files });
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/^error: mixed\.yaml, document 1: kind: expected a policy .*got kind Service \(v1\); pass --ignore-other-kinds to skip objects of kinds that carry no network policy$/m);
    const skipping = await runCli(['lint', '--policies', 'mixed.yaml', '--ignore-other-kinds'], { files });
    expect(skipping.stdout).toContain('2 errors, 2 warnings in 3 objects.');
  });

  test('fails on an object defined twice', async () => {
    const run = await runCli(['lint', '--policies', POLICIES, POLICIES]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: .*policies\.yaml, document 1 \(NetworkPolicy production\/default-deny-all\): metadata\.name: NetworkPolicy production\/default-deny-all is defined twice/);
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
