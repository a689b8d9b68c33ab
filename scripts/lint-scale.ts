// Measures `lint` on a generated, hand-written-style policy set (issue 12 §3: 44,400 policies took 879 s).
// Run by hand, not in CI: `npx ts-node --project scripts/tsconfig.json scripts/lint-scale.ts [namespaces] [pods-per-namespace]`.
// With pods-per-namespace > 0 it also lints with a cluster model (--cluster rules, half-open flows included).
// Prints the size, the time of each phase and the five slowest rules; timings are wall clock on this machine.
import { performance } from 'perf_hooks';
import { ClusterModel, NamespaceInput, PodInput } from '../src/analysis';
import { LintObject } from '../src/cli/lint/lint-object';
import { LintRule } from '../src/cli/lint/lint-rule';
import { loadLintObjects } from '../src/cli/lint/load-lint-objects';
import { runLint } from '../src/cli/lint/run-lint';
import { ZERO_TRUST_PACK } from '../src/cli/lint/zero-trust-pack';

const namespaces = Number(process.argv[2] ?? 4440);
const podsPerNamespace = Number(process.argv[3] ?? 0);

/**
 * About ten policies per namespace, the shapes people write by hand (the seed's, and a few dialects).
 * Dialects are mixed for rule coverage, not realism: a namespace with both Cilium and Calico
 * objects is not a cluster anyone runs, and the --cluster findings it gets follow from that.
 */
function namespacePolicies(i: number): unknown[] {
  const ns = `team-${i}`;
  const meta = (name: string) => ({ name, namespace: ns });
  const np = (name: string, spec: unknown) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(name), spec });
  const app = (name: string) => ({ matchLabels: { app: name } });
  const objects: unknown[] = [
    np('default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    np('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      }],
    }),
    np('frontend-to-backend', { podSelector: app('backend'), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: app('frontend') }], ports: [{ protocol: 'TCP', port: 8080 }] }] }),
    np('frontend-egress', { podSelector: app('frontend'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: app('backend') }], ports: [{ protocol: 'TCP', port: 8080 }] }] }),
    np('backend-to-db', { podSelector: app('backend'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: app('db') }], ports: [{ protocol: 'TCP', port: 5432 }] }] }),
    np('db-from-backend', { podSelector: app('db'), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: app('backend') }], ports: [{ protocol: 'TCP', port: 5432 }] }] }),
    np('monitoring', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'monitoring' } }, podSelector: app('prometheus') }], ports: [{ protocol: 'TCP', port: 9090 }] }],
    }),
    np('backend-internet', {
      podSelector: app('backend'),
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 443 }] }],
    }),
  ];
  if (i % 4 === 0) {
    objects.push({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: meta('fqdn'),
      spec: {
        endpointSelector: app('backend'),
        egress: [
          { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
          { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
        ],
      },
    });
  }
  if (i % 4 === 1) {
    objects.push({
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: meta('calico-deny-admin'),
      spec: { order: 100, selector: "app == 'backend'", types: ['Ingress'], ingress: [{ action: 'Deny', protocol: 'TCP', destination: { ports: [9000] } }] },
    });
  }
  if (i % 4 === 2) {
    objects.push(
      { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: meta('default'), spec: { mtls: { mode: 'STRICT' } } },
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: meta('backend'),
        spec: {
          selector: app('backend'),
          rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/frontend`] } }], to: [{ operation: { ports: ['8080'], methods: ['GET', 'POST'], paths: ['/api/*'] } }] }],
        },
      },
    );
  }
  return objects;
}

function cluster(): ClusterModel | undefined {
  if (podsPerNamespace <= 0) {
    return undefined;
  }
  const spaces: NamespaceInput[] = [{ name: 'kube-system' }, { name: 'monitoring', labels: { team: 'monitoring' } }];
  const pods: PodInput[] = [
    { namespace: 'kube-system', name: 'coredns-1', labels: { 'k8s-app': 'kube-dns' }, ips: ['10.255.0.2'], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
    { namespace: 'kube-system', name: 'calico-node-abcde', labels: { 'k8s-app': 'calico-node' }, ips: ['192.168.0.1'], hostNetwork: true, nodeName: 'node-1' },
    { namespace: 'monitoring', name: 'prometheus-0', labels: { app: 'prometheus' }, ips: ['10.255.0.3'] },
  ];
  const apps = ['frontend', 'backend', 'db'];
  for (let i = 0; i < namespaces; i++) {
    spaces.push({ name: `team-${i}` });
    for (let p = 0; p < podsPerNamespace; p++) {
      const address = i * podsPerNamespace + p + 256;
      pods.push({
        namespace: `team-${i}`,
        name: `pod-${p}`,
        labels: { app: apps[p % apps.length] },
        ips: [`10.${Math.floor(address / 65536) % 256}.${Math.floor(address / 256) % 256}.${address % 256}`],
        ports: [{ port: [8080, 8080, 5432][p % 3], protocol: 'TCP' }],
      });
    }
  }
  return ClusterModel.create({ namespaces: spaces, pods });
}

function timed(pack: readonly LintRule[], spent: Map<string, number>): LintRule[] {
  return pack.map((rule) => ({
    ...rule,
    check: (object: LintObject, context) => {
      const start = performance.now();
      const result = rule.check(object, context);
      spent.set(rule.id, (spent.get(rule.id) ?? 0) + performance.now() - start);
      return result;
    },
  }));
}

const t0 = performance.now();
const items = Array.from({ length: namespaces }, (_, i) => namespacePolicies(i)).flat();
const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const model = cluster();
const t1 = performance.now();
const loaded = loadLintObjects([{ file: 'estate.json', text }]);
const t2 = performance.now();
const spent = new Map<string, number>();
const findings = runLint(timed(ZERO_TRUST_PACK, spent), loaded.objects, model ? { cluster: model } : {});
const t3 = performance.now();

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`${loaded.objects.length} policies in ${namespaces} namespaces${model ? `, cluster of ${model.pods.length} pods` : ''}`);
console.log(`generate ${seconds(t1 - t0)}, read and validate ${seconds(t2 - t1)}, rules ${seconds(t3 - t2)}, total lint ${seconds(t3 - t1)}`);
console.log(`${findings.length} findings: ${[...new Set(findings.map((f) => f.ruleId))].join(', ')}`);
console.log(`slowest rules: ${[...spent].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([id, ms]) => `${id} ${seconds(ms)}`).join(', ')}`);
const halfOpen = findings.filter((f) => f.ruleId === 'half-open-flow');
console.log(`half-open-flow: ${halfOpen.length} findings${halfOpen[0] ? `, first: ${halfOpen[0].message}` : ''}`);
console.log(`heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
