import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { fixture, runCli } from './support/run-cli';

// The main.ts `import` writes is the app it proved: compiled strictly and run as a user would run it
// (against this repository's sources instead of the package), it synthesizes manifests that `diff`
// finds identical to the input. This checks the renderer independently of build-intents.ts, which the
// command's own proof runs. Two cases only: each compiles a program.

const root = path.join(__dirname, '..', '..');

const CLUSTER = `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: tenant, labels: { tenancy: tenant } } }
  - { apiVersion: v1, kind: Namespace, metadata: { name: other } }
  - { apiVersion: v1, kind: Pod, metadata: { name: web, namespace: tenant, labels: { app: web } }, status: { podIP: 10.244.1.10 } }
  - { apiVersion: v1, kind: Pod, metadata: { name: db, namespace: other, labels: { app: db, tier: data } }, status: { podIP: 10.244.1.11 } }
`;
const POLICIES = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: tenant-guardrails }
spec:
  tier: Admin
  priority: 20
  subject: { namespaces: { matchLabels: { tenancy: tenant } } }
  egress:
  - { name: metadata, action: Deny, to: [{ networks: [169.254.169.254/32] }] }
  - { name: to-namespaces, action: Pass, to: [{ namespaces: {} }] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db, namespace: other }
spec:
  podSelector: { matchExpressions: [{ key: tier, operator: In, values: [data, cache] }] }
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{ namespaceSelector: { matchLabels: { tenancy: tenant } }, podSelector: { matchLabels: { app: web } } }]
    ports: [{ protocol: TCP, port: 5432 }, { protocol: UDP, port: 6000, endPort: 6010 }]
`;

describe('the app import writes', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(root, 'test', '.import-'));
    fs.writeFileSync(path.join(dir, 'cluster.yaml'), CLUSTER);
    fs.writeFileSync(path.join(dir, 'policies.yaml'), POLICIES);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    ['the seed article', fixture('seed-cluster.yaml'), fixture('seed-policies.yaml'), []],
    ['cluster-wide rules and set-based selectors', 'cluster.yaml', 'policies.yaml', ['--implementation', 'calico']],
  ])('from %s compiles strictly, synthesizes, and diff finds it identical to the input', async (name, cluster, policies, extra) => {
    const out = path.join(dir, name.replace(/\W+/g, '-'));
    const at = (f: string) => (path.isAbsolute(f) ? f : path.join(dir, f));
    const library = path.relative(out, path.join(root, 'src')).split(path.sep).join('/');
    const run = await runCli(['import', '--cluster', at(cluster), '--policies', at(policies), '--pod-cidr', '10.244.0.0/16', '--service-cidr', '10.96.0.0/12',
      '--library', library, ...extra, '--out', out]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const main = path.join(out, 'main.ts');

    const program = ts.createProgram([main], {
      strict: true,
      noUnusedLocals: true,
      skipLibCheck: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      types: ['node'],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter(d => d.file?.fileName === main)
      .map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);

    const synthDir = path.join(out, 'dist');
    process.env.CDK8S_OUTDIR = synthDir;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      jest.isolateModules(() => require(main));
    } finally {
      delete process.env.CDK8S_OUTDIR;
    }
    const synthesized = fs.readdirSync(synthDir).filter(f => f.endsWith('.k8s.yaml')).map(f => path.join(synthDir, f));
    expect(synthesized.length).toBeGreaterThan(0);
    const diff = await runCli(['diff', '--cluster', at(cluster), '--before', at(policies), '--after', ...synthesized, '--format', 'json']);
    expect(diff.code).toBe(0);
    const json = JSON.parse(diff.stdout) as { gainedPairs: number; lostPairs: number };
    expect([json.gainedPairs, json.lostPairs]).toEqual([0, 0]);
  });
});
