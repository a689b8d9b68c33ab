import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fixture, runCli } from './support/run-cli';

// `cdk8s-zero-trust import`: existing policies → a cdk8s app of intents, proven by the analyzer
// (synthesized, read back, diffed set-exactly against the input) before anything is written.

const SEED = ['--cluster', fixture('seed-cluster.yaml'), '--policies', fixture('seed-policies.yaml')];
const CIDRS = ['--pod-cidr', '10.244.0.0/16', '--service-cidr', '10.96.0.0/12'];

const CLUSTER = `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: tenant, labels: { tenancy: tenant } } }
  - { apiVersion: v1, kind: Namespace, metadata: { name: other } }
  - { apiVersion: v1, kind: Namespace, metadata: { name: kube-system } }
  - { apiVersion: v1, kind: Pod, metadata: { name: web, namespace: tenant, labels: { app: web } }, status: { podIP: 10.244.1.10 } }
  - { apiVersion: v1, kind: Pod, metadata: { name: api, namespace: tenant, labels: { app: api } }, status: { podIP: 10.244.1.13 } }
  - { apiVersion: v1, kind: Pod, metadata: { name: db, namespace: other, labels: { app: db } }, status: { podIP: 10.244.1.11 } }
  - { apiVersion: v1, kind: Pod, metadata: { name: dns, namespace: kube-system, labels: { k8s-app: kube-dns } }, status: { podIP: 10.244.1.12 } }
`;

const CLUSTER_WIDE = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: tenant-guardrails }
spec:
  tier: Admin
  priority: 10
  subject: { namespaces: { matchLabels: { tenancy: tenant } } }
  egress:
  - { name: metadata-service, action: Deny, to: [{ networks: [169.254.169.254/32] }] }
  - { name: db, action: Accept, to: [{ pods: { namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: other } }, podSelector: { matchLabels: { app: db } } } }],
      protocols: [{ tcp: { destinationPort: { number: 5432 } } }] }
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: baseline-deny }
spec:
  tier: Baseline
  priority: 10
  subject: { namespaces: { matchExpressions: [{ key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system] }] } }
  ingress:
  - { name: deny, action: Deny, from: [{ namespaces: {} }] }
`;

const TENANT = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: tenant }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress:
  - from: [{ podSelector: { matchLabels: { app: api } } }]
    ports: [{ port: 80 }]
`;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-import-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('cdk8s-zero-trust import', () => {
  test('imports the seed article\'s policies, prints the proof and writes a cdk8s app', async () => {
    const out = path.join(dir, 'app');
    const run = await runCli(['import', ...SEED, ...CIDRS, '--out', out]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toMatch(/^proof: compared \d+ endpoint classes \(\d+ pod groups, \d+ outside address classes\), \d+ ordered pairs, on every connection .*: no difference$/m);
    expect(fs.readdirSync(out).sort()).toEqual(['cdk8s.yaml', 'main.ts', 'package.json', 'tsconfig.json']);
    const main = fs.readFileSync(path.join(out, 'main.ts'), 'utf8');
    // Every input policy is named above the intents it became; each workload is declared once.
    for (const name of ['default-deny-all', 'allow-dns', 'allow-frontend-to-backend', 'backend-egress-policy', 'allow-monitoring-access']) {
      expect(main).toContain(`// NetworkPolicy production/${name}`);
    }
    const declarations = [...main.matchAll(/^const (\w+) = Workload\./gm)].map((m) => m[1]);
    expect(declarations.length).toBeGreaterThan(0);
    expect(new Set(declarations).size).toBe(declarations.length);
    expect(main).toContain("Workload.select({ app: 'backend-api' }, { namespace: 'production' })");
  });

  test('writes the same bytes for the same input', async () => {
    const [a, b] = [path.join(dir, 'a'), path.join(dir, 'b')];
    expect((await runCli(['import', ...SEED, ...CIDRS, '--out', a])).code).toBe(0);
    expect((await runCli(['import', ...SEED, ...CIDRS, '--out', b])).code).toBe(0);
    for (const file of fs.readdirSync(a)) expect(fs.readFileSync(path.join(b, file), 'utf8')).toBe(fs.readFileSync(path.join(a, file), 'utf8'));
  });

  test.each(['calico', 'cilium'])('migrates the fixture policies to --engine %s with a proof', async (engine) => {
    const out = path.join(dir, engine);
    const run = await runCli(['import', '--cluster', fixture('cluster.yaml'), '--policies', fixture('policies.yaml'), '--engine', engine, '--out', out]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain(`for Engine.${engine}()`);
    expect(run.stdout).toMatch(/: no difference$/m);
    expect(fs.readFileSync(path.join(out, 'main.ts'), 'utf8')).toContain(`Engine.attach(app, Engine.${engine}(`);
  });

  test.each([
    ['cilium', `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: tenant }
spec:
  endpointSelector: { matchLabels: { app: web } }
  ingress: [{ fromEndpoints: [{ matchLabels: { app: api } }], toPorts: [{ ports: [{ port: '80', protocol: TCP }] }] }]
`],
    ['calico', `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: web, namespace: tenant }
spec:
  selector: app == 'web'
  types: [Ingress]
  ingress: [{ action: Allow, protocol: TCP, source: { selector: app == 'api' }, destination: { ports: [80] } }]
---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: web-staged, namespace: tenant }
spec:
  selector: app == 'web'
  types: [Egress]
  egress: [{ action: Allow, protocol: UDP, destination: { ports: [53] } }]
`],
  ])('writes the app for the input\'s dialect by default: %s', async (engine, policy) => {
    const out = path.join(dir, 'app');
    const run = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'p.yaml', '--out', out], { files: { 'cluster.yaml': CLUSTER, 'p.yaml': policy } });
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain(`for Engine.${engine}()`);
    expect(run.stdout).toMatch(/: no difference$/m);
    if (engine === 'calico') {
      // The staged policy observes only: an intent at PolicyStage.AUDIT, which the calico engine writes as a staged policy.
      expect(fs.readFileSync(path.join(out, 'main.ts'), 'utf8')).toMatch(/\/\/ projectcalico\.org\/StagedNetworkPolicy tenant\/web-staged[^\n]*\n[^]*?stage: PolicyStage\.AUDIT,/);
    }
  });

  test('imports ClusterNetworkPolicy admin rules and a baseline deny as cluster-wide intents', async () => {
    const files = { 'cluster.yaml': CLUSTER, 'policies.yaml': `${CLUSTER_WIDE}---\n${TENANT}` };
    const out = path.join(dir, 'app');
    const run = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'policies.yaml', ...CIDRS, '--implementation', 'calico', '--out', out], { files });
    expect([run.code, run.stderr]).toEqual([0, '']);
    const main = fs.readFileSync(path.join(out, 'main.ts'), 'utf8');
    expect(main).toContain("new ClusterDeny(clusterWideChart, 'tenant-guardrails-egress-0', {");
    expect(main).toContain("new ClusterAlwaysAllow(clusterWideChart, 'tenant-guardrails-egress-1', {");
    expect(main).toContain("new ClusterDefaultDeny(clusterWideChart, 'baseline-deny', {");
    // The Accept after the Deny at one priority keeps its place after it.
    expect(main.indexOf('priority: 10,')).toBeLessThan(main.indexOf('priority: 11,'));
    expect(main).toContain('baselineIngressFromPodsOnly: true');
  });

  test('fails with exit 1 and writes nothing when the proof finds a difference (ipBlock over pod addresses on Cilium)', async () => {
    // Kubernetes ipBlocks match pod IPs (--ip-block-pods match, Calico's behaviour); Cilium CIDR rules never do.
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: tenant }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Egress]
  egress: [{ to: [{ ipBlock: { cidr: 10.244.0.0/16 } }], ports: [{ port: 5432 }] }]
`;
    const out = path.join(dir, 'app');
    const run = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'p.yaml', ...CIDRS, '--engine', 'cilium', '--out', out],
      { files: { 'cluster.yaml': CLUSTER, 'p.yaml': policy } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^proof: .*: DIFFERENT \(nothing written\)$/m);
    expect(run.stdout).toContain('Lost (denied after, allowed before):');
    expect(run.stdout).toMatch(/^ {2}- tenant\/web -> .*other\/db.*: TCP 5432$/m);
    expect(run.stderr).toMatch(/^cannot import: the app the input maps to allows 0 pairs more and \d+ fewer than the input/);
    expect(fs.existsSync(out)).toBe(false);
    // The same input imports for its own dialect.
    const same = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'p.yaml', ...CIDRS, '--out', out], { files: { 'cluster.yaml': CLUSTER, 'p.yaml': policy } });
    expect(same.code).toBe(0);
  });

  test('fails with exit 1 naming the object, the field and why for what no intent says, and writes nothing', async () => {
    const calico = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: no-db, namespace: tenant }
spec:
  selector: app == 'web'
  types: [Egress]
  egress:
  - { action: Deny, destination: { selector: app == 'db' } }
  - { action: Allow }
`;
    const out = path.join(dir, 'app');
    const run = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'calico.yaml', '--out', out], { files: { 'cluster.yaml': CLUSTER, 'calico.yaml': calico } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe('cannot import: 1 part of the input is not what any intent says exactly (nothing approximated, nothing written):');
    expect(lines[1]).toMatch(/^ {2}- projectcalico\.org\/NetworkPolicy tenant\/no-db \(calico\.yaml, document 1\) egress\[0\]: a deny rule in a namespace tier: /);
    expect(lines).toHaveLength(2);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('fails with exit 1 for a Cilium toFQDNs rule, which import does not plan yet, instead of dropping it', async () => {
    const fqdn = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: tenant }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toFQDNs: [{ matchName: api.example.com }]
    toPorts: [{ ports: [{ port: '443', protocol: TCP }] }]
`;
    const out = path.join(dir, 'app');
    const run = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'fqdn.yaml', '--out', out], { files: { 'cluster.yaml': CLUSTER, 'fqdn.yaml': fqdn } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('- CiliumNetworkPolicy tenant/web (fqdn.yaml, document 1) egress[0]: a rule on DNS names (Cilium toFQDNs), which import does not plan as an intent yet');
    expect(fs.existsSync(out)).toBe(false);
  });

  test('an Istio policy: without meshed pods the data plane must be given (exit 2); for a CNI engine it is refused by name (exit 1)', async () => {
    const istio = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: web, namespace: tenant }
spec:
  selector: { matchLabels: { app: web } }
  action: ALLOW
  rules: [{ from: [{ source: { namespaces: [tenant] } }] }]
`;
    const files = { 'cluster.yaml': CLUSTER, 'istio.yaml': istio };
    const unknown = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'istio.yaml', '--out', path.join(dir, 'app')], { files });
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('the app\'s Engine.istio() needs the data plane: no pod of the cluster model is in the mesh')]);
    const cni = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'istio.yaml', '--engine', 'kubernetes', '--out', path.join(dir, 'app')], { files });
    expect(cni.code).toBe(1);
    expect(cni.stderr).toContain('- AuthorizationPolicy tenant/web (istio.yaml, document 1) spec: a mesh-layer policy (Istio): import writes network intents only for a CNI engine; '
      + 'write an Istio app with --engine istio-sidecar or istio-ambient');
    const both = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'istio.yaml', '--engine', 'istio-sidecar', '--keep-mesh-policies', '--out', path.join(dir, 'app')], { files });
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('--keep-mesh-policies imports the CNI\'s policies alone')]);
    const stray = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'istio.yaml', '--engine', 'kubernetes', '--cni', 'cilium', '--out', path.join(dir, 'app')], { files });
    expect([stray.code, stray.stderr]).toEqual([2, expect.stringContaining('--cni names the CNI layer of an Istio engine')]);
    expect(fs.existsSync(path.join(dir, 'app'))).toBe(false);
  });

  test('fails with exit 1 for --keep-mesh-policies when the app allows more on the CNI than the input, even where a kept mesh DENY hides it', async () => {
    const sidecar = 'spec: { containers: [{ name: app }, { name: istio-proxy }] }';
    const cluster = `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: tenant } }
  - { apiVersion: v1, kind: Namespace, metadata: { name: other } }
  - { apiVersion: v1, kind: Pod, metadata: { name: web, namespace: tenant, labels: { app: web } }, ${sidecar}, status: { podIP: 10.244.1.10 } }
  - { apiVersion: v1, kind: Pod, metadata: { name: db, namespace: other, labels: { app: db } }, ${sidecar}, status: { podIP: 10.244.1.11 } }
`;
    // A Cilium CIDR rule never matches pods; the Kubernetes ipBlock it migrates to does under --ip-block-pods match: web -> db on 5432 more
    // on the CNI, which the Istio DENY on 5432 at db (kept) denies end to end.
    const policies = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: tenant }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress: [{ toCIDR: [10.244.0.0/16], toPorts: [{ ports: [{ port: '5432', protocol: TCP }] }] }]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: deny-5432, namespace: other }
spec:
  action: DENY
  rules: [{ to: [{ operation: { ports: ['5432'] } }] }]
`;
    const out = path.join(dir, 'app');
    const run = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'p.yaml', ...CIDRS, '--engine', 'kubernetes', '--ip-block-pods', 'match',
      '--keep-mesh-policies', '--out', out], { files: { 'cluster.yaml': cluster, 'p.yaml': policies } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^proof: .* between the input's network policies and the 1 policy synthesized from the app \(the 1 mesh policy kept .*: DIFFERENT/m);
    expect(run.stdout).toMatch(/^ {2}\+ tenant\/web -> other\/db: TCP 5432$/m);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('fails with one line and exit 2 when the policies name CIDR blocks and the cluster\'s CIDRs are not given', async () => {
    const run = await runCli(['import', ...SEED, '--out', path.join(dir, 'app')]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^error: the policies name CIDR blocks \(10\.100\.0\.0\/16, 0\.0\.0\.0\/0\), .*: pass --pod-cidr and --service-cidr/);
  });

  test('fails with one line and exit 2 for cluster-wide rules on the kubernetes engine without --implementation', async () => {
    const run = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'p.yaml', ...CIDRS, '--out', path.join(dir, 'app')],
      { files: { 'cluster.yaml': CLUSTER, 'p.yaml': CLUSTER_WIDE } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: the policies hold cluster-wide rules, .* with --implementation \(calico, cilium, antrea, ovn-kubernetes, kube-network-policies\)/);
  });

  test('fails with one line and exit 2 when --out already holds an app, and leaves it alone', async () => {
    fs.writeFileSync(path.join(dir, 'main.ts'), '// mine\n');
    const run = await runCli(['import', ...SEED, ...CIDRS, '--out', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('already holds main.ts; import writes a new app and never overwrites one');
    expect(fs.readFileSync(path.join(dir, 'main.ts'), 'utf8')).toBe('// mine\n');
  });

  test('fails with one line and exit 2 for an empty --out instead of writing into the working directory', async () => {
    const run = await runCli(['import', ...SEED, ...CIDRS, '--out', '']);
    expect([run.code, run.stderr]).toEqual([2, 'error: --out is empty; give the folder to write the app into (it is created when missing)\n']);
    expect(fs.existsSync(path.join(process.cwd(), 'main.ts'))).toBe(false);
  });

  test('fails with one line and exit 2 for an empty --library instead of writing a main.ts that imports from nothing', async () => {
    const out = path.join(dir, 'app');
    const run = await runCli(['import', ...SEED, ...CIDRS, '--library', ' ', '--out', out]);
    expect([run.code, run.stderr]).toEqual([2, 'error: --library is empty; give the module main.ts imports the intents from (default cdk8s-zero-trust), or leave the option out\n']);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('fails with one line and exit 2 when a file of the app cannot be written, and leaves none of the app behind', async () => {
    // A dangling symlink where tsconfig.json goes: main.ts and package.json are written first, then the exclusive create fails.
    const out = path.join(dir, 'half');
    fs.mkdirSync(out);
    fs.symlinkSync(path.join(out, 'nowhere'), path.join(out, 'tsconfig.json'));
    const run = await runCli(['import', ...SEED, ...CIDRS, '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: cannot write the app into --out .*\n$/);
    expect(fs.readdirSync(out)).toEqual(['tsconfig.json']);
  });

  test('fails with one line and exit 2 for a missing policy file or an invalid CIDR, as the other commands do', async () => {
    const missing = await runCli(['import', '--cluster', fixture('seed-cluster.yaml'), '--policies', path.join(dir, 'nope.yaml'), '--out', path.join(dir, 'app')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: cannot read policy file \(--policies\) .*nope\.yaml: no such file\n$/);
    const cidr = await runCli(['import', ...SEED, '--pod-cidr', '10.244.0.0', '--out', path.join(dir, 'app')]);
    expect(cidr.code).toBe(2);
    expect(cidr.stderr).toContain("option '--pod-cidr <cidr...>' argument '10.244.0.0' is invalid");
  });

  test('fails for an empty policy file, and imports it as an app without intents with --allow-empty-policies', async () => {
    const files = { 'cluster.yaml': CLUSTER, 'empty.yaml': '# nothing\n' };
    const refused = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'empty.yaml', '--out', path.join(dir, 'a')], { files });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('contains no object');
    const allowed = await runCli(['import', '--cluster', 'cluster.yaml', '--policies', 'empty.yaml', '--allow-empty-policies', '--out', path.join(dir, 'b')], { files });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('import: 0 intents');
    expect(allowed.stdout).toMatch(/: no difference$/m);
  });
});
