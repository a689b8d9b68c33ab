// The benchmark's estate: N namespaces, each a ZeroTrustNamespace with M workloads and K allowances per
// workload, and the cluster model the analysis runs on (P pods per workload). Deterministic: the same size
// always builds the same intents, objects and pods.
import { App, Chart } from 'cdk8s';
import { AllowFrom, EgressToCidr, Engine, HttpRule, IstioMode, IstioPathNormalization, Peer, Port, TargetProfile, Workload, ZeroTrustNamespace } from '../../src';
import { ClusterModel, NamespaceInput, PodInput } from '../../src/analysis';

/** One benchmark size. */
export interface EstateSize {
  readonly name: string;
  /** N: namespaces (one chart and one ZeroTrustNamespace each). */
  readonly namespaces: number;
  /** M: workloads per namespace. */
  readonly workloads: number;
  /** K: allowances per workload. */
  readonly allowances: number;
  /** P: pods per workload in the cluster model. */
  readonly podsPerWorkload: number;
}

export const SIZES: Readonly<Record<string, EstateSize>> = {
  small: { name: 'small', namespaces: 10, workloads: 10, allowances: 3, podsPerWorkload: 2 },
  medium: { name: 'medium', namespaces: 100, workloads: 20, allowances: 4, podsPerWorkload: 2 },
  large: { name: 'large', namespaces: 500, workloads: 20, allowances: 5, podsPerWorkload: 2 },
};

/** The engines the benchmark synthesizes for, by the name printed in the tables. */
export const ENGINE_NAMES = ['kubernetes', 'cilium', 'calico', 'istio-on-kubernetes'] as const;
export type EngineName = typeof ENGINE_NAMES[number];

/**
 * The five kinds of allowance, rotated over workloads so that every size has all of them:
 * allowance k of workload j is `KINDS[(j + k) % 5]`.
 */
export const KINDS = ['same-namespace', 'cross-namespace', 'identity', 'cidr-egress', 'l7'] as const;
export type AllowanceKind = typeof KINDS[number];

/** What each engine can express of the five kinds; where it cannot, the allowance is rendered as `substitute`. */
export interface EngineProfile {
  readonly engine: () => Engine;
  /** Identity (service-account) peers: exact on this engine. */
  readonly identity: boolean;
  /** L7 HTTP rules: exact on this engine. */
  readonly l7: boolean;
  /** Every pod peer must be an identity (Istio): same-namespace, cross-namespace and L7 peers are service accounts. */
  readonly identityOnlyPeers: boolean;
  /** CNI-only engines filter but do not encrypt: the namespace acknowledges it. */
  readonly mtls: boolean;
}

/** The estate's cluster: its CIDR egress (172.16.0.0/12) is outside the pod and Service CIDRs; HTTP path rules need the mesh's path normalization. */
const CLUSTER: TargetProfile = { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/16'], istioPathNormalization: IstioPathNormalization.DECODE_AND_MERGE_SLASHES };

export const PROFILES: Readonly<Record<EngineName, EngineProfile>> = {
  // Identity peers need an opt-in that widens them (a pod label) and HTTP rules are impossible: the
  // identity allowance selects the peer's pods by label instead, and the L7 allowance is its L4 part.
  'kubernetes': { engine: () => Engine.kubernetes({ target: CLUSTER }), identity: false, l7: false, identityOnlyPeers: false, mtls: false },
  'cilium': { engine: () => Engine.cilium({ target: CLUSTER }), identity: true, l7: true, identityOnlyPeers: false, mtls: false },
  // Calico renders HTTP rules only when the cluster runs application layer policy: declared here.
  'calico': { engine: () => Engine.calico({ applicationLayerPolicy: true, target: CLUSTER }), identity: true, l7: true, identityOnlyPeers: false, mtls: false },
  'istio-on-kubernetes': { engine: () => Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes({ target: CLUSTER }) }), identity: true, l7: true, identityOnlyPeers: true, mtls: true },
};

/** Namespace `i`'s name. */
export function namespaceName(i: number): string {
  return `team-${String(i).padStart(3, '0')}`;
}

/** Workload `j`'s label value, Service and service account name. */
export function workloadName(j: number): string {
  return `svc-${String(j).padStart(2, '0')}`;
}

/** The kind of allowance `k` of workload `j`. */
export function kindOf(j: number, k: number): AllowanceKind {
  return KINDS[(j + k) % KINDS.length];
}

/** Number of allowances of each kind in an estate. */
export function kindCounts(size: EstateSize): Record<AllowanceKind, number> {
  const counts = Object.fromEntries(KINDS.map(k => [k, 0])) as Record<AllowanceKind, number>;
  for (let j = 0; j < size.workloads; j++) {
    for (let k = 0; k < size.allowances; k++) counts[kindOf(j, k)] += size.namespaces;
  }
  return counts;
}

/** Total allowances (N × M × K). */
export function allowanceCount(size: EstateSize): number {
  return size.namespaces * size.workloads * size.allowances;
}

/**
 * How the estate is split into charts: one chart (and file) per namespace, as a platform pipeline
 * that writes one manifest per namespace does, or one chart for the whole estate.
 */
export type ChartLayout = 'per-namespace' | 'one';

/**
 * Builds the estate's intents into `app`, the engine attached to each chart. Returns the charts.
 */
export function buildEstate(app: App, size: EstateSize, engineName: EngineName, layout: ChartLayout = 'per-namespace'): Chart[] {
  const profile = PROFILES[engineName];
  const engine = profile.engine();
  const charts: Chart[] = [];
  const { namespaces: n, workloads: m } = size;
  const single = layout === 'one' ? new Chart(app, 'estate') : undefined;
  if (single) {
    Engine.attach(single, engine);
    charts.push(single);
  }
  for (let i = 0; i < n; i++) {
    const ns = namespaceName(i);
    let chart = single;
    if (!chart) {
      chart = new Chart(app, ns, { namespace: ns });
      Engine.attach(chart, engine);
      charts.push(chart);
    }
    const zt = new ZeroTrustNamespace(chart, single ? ns : 'zero-trust', {
      ...(single ? { namespace: ns } : {}), ...(profile.mtls ? {} : { acknowledgeNoEncryption: true }),
    });
    for (let j = 0; j < m; j++) {
      const name = workloadName(j);
      const to = Workload.select({ app: name }, { service: name });
      for (let k = 0; k < size.allowances; k++) {
        const id = `${name}-a${k}`;
        const other = workloadName((j + 1 + k) % m);
        // Istio's proxies see identities, not labels: there every pod peer is a service account.
        const peerPods = (namespace?: string) => (profile.identityOnlyPeers
          ? Peer.serviceAccount(other, namespace)
          : Peer.workload(Workload.select({ app: other }, namespace ? { namespace } : {})));
        switch (kindOf(j, k)) {
          case 'same-namespace':
            zt.allowFrom(id, { to, peers: [peerPods()], ports: [Port.tcp(8080)] });
            break;
          case 'cross-namespace':
            zt.allowFrom(id, { to, peers: [peerPods(namespaceName((i + 1 + k) % n))], ports: [Port.tcp(8080)] });
            break;
          case 'identity':
            zt.allowFrom(id, { to, peers: [profile.identity ? Peer.serviceAccount(other) : peerPods()], ports: [Port.tcp(8080)] });
            break;
          case 'cidr-egress':
            zt.egressToCidr(id, { workload: to, cidr: `172.${16 + (i % 16)}.${(j * 8 + k) % 256}.0/24`, ports: [Port.tcp(5432)] });
            break;
          case 'l7':
            zt.allowFrom(id, {
              to,
              peers: [peerPods()],
              ports: [Port.tcp(8080)],
              ...(profile.l7 ? { http: [HttpRule.get('/api/v1/*'), HttpRule.post(`/api/v1/${name}/orders`)] } : {}),
            });
            break;
        }
      }
    }
  }
  return charts;
}

/** Keeps the imports the type checker needs for the intent classes (they are created through ZeroTrustNamespace). */
export type EstateIntent = AllowFrom | EgressToCidr;

/**
 * The estate's cluster: every namespace (labelled with its team), P pods per workload (labels
 * `app`, service account = workload name, one IPv4 address, named port `http` 8080), spread over 50
 * nodes, plus kube-system's DNS pods.
 */
export function buildCluster(size: EstateSize): ClusterModel {
  const namespaces: NamespaceInput[] = [{ name: 'kube-system' }];
  const pods: PodInput[] = [];
  let index = 0;
  const ip = () => {
    const x = 1 + index++;
    return `10.${Math.floor(x / 65536) % 256}.${Math.floor(x / 256) % 256}.${x % 256}`;
  };
  for (let i = 0; i < size.namespaces; i++) {
    const ns = namespaceName(i);
    namespaces.push({ name: ns, labels: { team: ns } });
    for (let j = 0; j < size.workloads; j++) {
      const name = workloadName(j);
      for (let p = 0; p < size.podsPerWorkload; p++) {
        pods.push({
          namespace: ns,
          name: `${name}-${p}`,
          labels: { app: name },
          serviceAccountName: name,
          ips: [ip()],
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
          nodeName: `node-${index % 50}`,
        });
      }
    }
  }
  for (let p = 0; p < 2; p++) {
    pods.push({
      namespace: 'kube-system',
      name: `coredns-${p}`,
      labels: { 'k8s-app': 'kube-dns' },
      serviceAccountName: 'coredns',
      ips: [ip()],
      ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }],
      nodeName: `node-${p}`,
    });
  }
  return ClusterModel.create({ namespaces, pods });
}
