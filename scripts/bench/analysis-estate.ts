// The analysis benchmark's estate (issue 12 §3): a cluster file and two policy sets, generated
// directly as the manifests `kubectl get ... -o yaml` prints, because synthesizing 5,000 namespaces
// with cdk8s would take most of an hour (docs/PERFORMANCE.md). The policies have the shapes the
// Kubernetes engine renders for a ZeroTrustNamespace estate (default deny both ways, DNS, AllowFrom's
// ingress and egress halves, EgressToCidr), plus what hand-written policy sets add: port ranges,
// named ports, ipBlocks over pod ranges with excepts, namespace selectors. Deterministic.
import { kubectlStyleYaml } from '../../test/analysis/support/yaml-emitter';

/** One size of the analysis estate. */
export interface AnalysisEstateSize {
  readonly name: string;
  readonly namespaces: number;
  /** Workloads per namespace (10: 8 with an allowance, 2 with only the defaults). */
  readonly workloads: number;
  readonly podsPerWorkload: number;
  /** Nodes; each runs one host-network pod (a node agent), so node-local traffic matters. */
  readonly nodes: number;
}

export const ANALYSIS_SIZES: Readonly<Record<string, AnalysisEstateSize>> = {
  'estate-tiny': { name: 'estate-tiny', namespaces: 20, workloads: 10, podsPerWorkload: 2, nodes: 4 },
  'estate-20k': { name: 'estate-20k', namespaces: 1000, workloads: 10, podsPerWorkload: 2, nodes: 200 },
  'estate': { name: 'estate', namespaces: 5000, workloads: 10, podsPerWorkload: 2, nodes: 1000 },
};

/** Policies per namespace: default deny, DNS, and eight allowances (see `namespacePolicies`). */
export const POLICIES_PER_NAMESPACE = 10;

/** Namespaces whose policies the `after` set changes: every 500th (at least one). */
export function changedNamespaces(size: AnalysisEstateSize): number[] {
  return Array.from({ length: size.namespaces }, (_, i) => i).filter((i) => i % 500 === 7 || (size.namespaces < 500 && i === 7));
}

const ns = (i: number) => `team-${String(i).padStart(4, '0')}`;
const svc = (j: number) => `svc-${String(j).padStart(2, '0')}`;

/** The estate's cluster as `kubectl get namespaces,pods -A -o yaml` prints it (a kind: List, block style). */
export function clusterYaml(size: AnalysisEstateSize): string {
  const items: unknown[] = [];
  const namespace = (name: string, labels: Record<string, string>) => items.push({
    apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
  });
  type PodFields = { ips: string[]; node: string; host?: boolean; ports: unknown[]; owner?: { kind: string; name: string } };
  const pod = (podNamespace: string, name: string, labels: Record<string, string>, fields: PodFields) => items.push({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: podNamespace,
      labels,
      // Each pod names its controller, as kubectl prints it (recommend groups replicas by their controller).
      ...(fields.owner ? {
        ownerReferences: [{ apiVersion: 'apps/v1', kind: fields.owner.kind, name: fields.owner.name, uid: `${podNamespace}-${fields.owner.name}`, controller: true }],
      } : {}),
    },
    spec: {
      nodeName: fields.node,
      serviceAccountName: labels.app ?? 'default',
      ...(fields.host ? { hostNetwork: true } : {}),
      containers: [{ name: 'main', ports: fields.ports }],
    },
    status: { phase: 'Running', ...(fields.ips.length > 0 ? { podIP: fields.ips[0], podIPs: fields.ips.map((ip) => ({ ip })) } : {}) },
  });
  let address = 0;
  const ipv4 = (x: number) => `10.${Math.floor(x / 65536) % 256}.${Math.floor(x / 256) % 256}.${x % 256}`;
  namespace('kube-system', {});
  namespace('node-agents', {});
  for (let i = 0; i < size.namespaces; i++) namespace(ns(i), { team: `t${i % 100}`, tier: i % 3 === 0 ? 'frontend' : 'backend' });
  const dns = [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }];
  for (let p = 0; p < 2; p++) {
    pod('kube-system', `coredns-${p}`, { 'k8s-app': 'kube-dns' }, {
      ips: [ipv4(++address)], node: `node-${p}`, ports: dns, owner: { kind: 'ReplicaSet', name: 'coredns-5d78c9869d' },
    });
  }
  for (let n = 0; n < size.nodes; n++) {
    pod('node-agents', `agent-${n}`, { app: 'agent' }, {
      ips: [`192.168.${Math.floor(n / 256)}.${n % 256}`], node: `node-${n}`, host: true, ports: [{ name: 'metrics', containerPort: 9100 }],
    });
  }
  const ports = [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }];
  let podIndex = 0;
  for (let i = 0; i < size.namespaces; i++) {
    for (let j = 0; j < size.workloads; j++) {
      for (let p = 0; p < size.podsPerWorkload; p++) {
        const x = ++address;
        // Every 10th namespace is dual-stack; in every 100th, one pod is pending (no address yet).
        const pending = i % 100 === 99 && j === size.workloads - 1 && p === size.podsPerWorkload - 1;
        const ips = pending ? [] : i % 10 === 5 ? [ipv4(x), `fd00::${Math.floor(x / 65536).toString(16)}:${(x % 65536).toString(16)}`] : [ipv4(x)];
        pod(ns(i), `${svc(j)}-${p}`, { app: svc(j) }, { ips, node: `node-${podIndex++ % size.nodes}`, ports, owner: { kind: 'StatefulSet', name: svc(j) } });
      }
    }
  }
  return kubectlStyleYaml({ apiVersion: 'v1', kind: 'List', items });
}

/** The estate's policies (`before`), or the changed set (`after`), as multi-document YAML (block style). */
export function policiesYaml(size: AnalysisEstateSize, variant: 'before' | 'after'): string {
  const changed = new Set(variant === 'after' ? changedNamespaces(size) : []);
  const docs: string[] = [];
  for (let i = 0; i < size.namespaces; i++) docs.push(...namespacePolicies(size, i, changed.has(i)).map(kubectlStyleYaml));
  return docs.join('---\n');
}

const policy = (namespace: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec,
});

/**
 * A namespace's ten policies. With `changed`, the change a pull request might make: a port range
 * widened (8080-8090 to 8080-8099), an except dropped from an ipBlock, the internet egress removed
 * and an ingress from the internet added.
 */
function namespacePolicies(size: AnalysisEstateSize, i: number, changed: boolean): unknown[] {
  const name = ns(i);
  const next = ns((i + 1) % size.namespaces);
  const previous = ns((i + size.namespaces - 1) % size.namespaces);
  const app = (j: number) => ({ matchLabels: { app: svc(j) } });
  const namespaceNamed = (n: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': n } });
  const ingress = (j: number, from: unknown[], ports: unknown[]) => ({ podSelector: app(j), policyTypes: ['Ingress'], ingress: [{ from, ports }] });
  const egress = (j: number, to: unknown[], ports: unknown[]) => ({ podSelector: app(j), policyTypes: ['Egress'], egress: [{ to, ports }] });
  const range = [{ port: 8080, endPort: changed ? 8099 : 8090 }];
  return [
    policy(name, 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy(name, 'allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: namespaceNamed('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    }),
    // AllowFrom within the namespace: svc-04 -> svc-00 on 8080, both halves.
    policy(name, 'svc-00-from-svc-04', ingress(0, [{ podSelector: app(4) }], [{ port: 8080 }])),
    policy(name, 'svc-04-to-svc-00', egress(4, [{ podSelector: app(0) }], [{ port: 8080 }])),
    // AllowFrom across namespaces on a port range: the next namespace's svc-05 -> svc-01.
    policy(name, 'svc-01-from-next', ingress(1, [{ namespaceSelector: namespaceNamed(next), podSelector: app(5) }], range)),
    policy(name, 'svc-05-to-previous', egress(5, [{ namespaceSelector: namespaceNamed(previous), podSelector: app(1) }], range)),
    // A hand-written ipBlock over the pod network, on a named port.
    policy(name, 'svc-02-from-pod-network', ingress(2, [{ ipBlock: { cidr: '10.0.0.0/8', ...(changed ? {} : { except: [`10.${i % 4}.0.0/16`] }) } }], [{ port: 'http' }])),
    // Scraping from every pod of some team's namespaces (their egress is not opened: half-open).
    policy(name, 'svc-03-from-team', ingress(3, [{ namespaceSelector: { matchLabels: { team: `t${(i + 2) % 100}` } } }], [{ port: 9090 }])),
    // EgressToCidr: a per-namespace address, and the internet without the private ranges.
    policy(name, 'svc-06-to-partner', egress(6, [{ ipBlock: { cidr: `100.64.${Math.floor(i / 256) % 256}.${i % 256}/32` } }], [{ port: 443 }])),
    changed
      ? policy(name, 'svc-08-from-internet', ingress(8, [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], [{ port: 443 }]))
      : policy(name, 'svc-07-to-internet', egress(7, [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }], [{ port: 443 }])),
  ];
}
