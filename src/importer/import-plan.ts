/**
 * The app `cdk8s-zero-trust import` writes, as plain data: which engine it targets, the workloads it
 * declares (once each, under a readable variable name), and one intent per allowance, each naming
 * the object (and field) of the input it came from. `build-intents.ts` constructs it in-process and
 * `render-app.ts` writes it as TypeScript; both read only this, so what is proven is what is written.
 *
 * Everything here is JSON-shaped (strings, numbers, booleans, arrays, plain objects) so that other
 * commands (`recommend`) can produce a plan too and reuse the renderer and the proof.
 */
export interface ImportPlan {
  /** The engine the generated app attaches to every chart. */
  readonly engine: PlanEngine;
  /**
   * The charts of the app, one per namespace that holds an intent (by namespace name, sorted) and,
   * when there are cluster-wide intents, one cluster chart (`namespace` undefined), first.
   */
  readonly charts: readonly PlanChart[];
  /** Every workload an intent names, declared once; ids are unique. */
  readonly workloads: readonly PlanWorkload[];
  /** The intents, in the order the app constructs them; ids are unique inside their chart. */
  readonly intents: readonly PlanIntent[];
}

/** The engine of the generated app and what it needs to know about the cluster. */
export interface PlanEngine {
  readonly kind: PlanEngineKind;
  /**
   * The engine's TargetProfile: the cluster's pod and Service CIDRs, declared when an intent names a
   * CIDR block (empty lists are left out), and proxy settings HTTP rules depend on.
   */
  readonly target?: PlanTarget;
  /**
   * Kubernetes only: render cluster-wide intents as ClusterNetworkPolicy for this implementation
   * (`ClusterNetworkPolicyImplementation.<name>()`).
   * @default - no cluster-wide intent (the engine refuses them)
   */
  readonly clusterNetworkPolicy?: PlanClusterNetworkPolicy;
  /**
   * Layer Istio on the engine: `Engine.istio({ mode, cni: Engine.<kind>(...) })`, `kind` being the
   * CNI engine (with the target, and `clusterNetworkPolicy`).
   * @default - no mesh: the CNI engine alone
   */
  readonly istio?: PlanIstio;
}

/** The engines `import` writes an app for (alone, or as the CNI layer of Istio). */
export type PlanEngineKind = 'kubernetes' | 'cilium' | 'calico';

/** The engines, in a stable order. */
export const PLAN_ENGINE_KINDS: readonly PlanEngineKind[] = ['kubernetes', 'cilium', 'calico'];

/** `Engine.istio({ mode: IstioMode.<MODE>, cni })`. */
export interface PlanIstio {
  /** The data plane: sidecar proxies, or ztunnel (and waypoints for HTTP rules). */
  readonly mode: 'sidecar' | 'ambient';
}

/** `Engine.kubernetes({ clusterNetworkPolicy })`. */
export interface PlanClusterNetworkPolicy {
  /** The factory of `ClusterNetworkPolicyImplementation`, e.g. `calico`. */
  readonly implementation: string;
  /** `baselineIngressFromPodsOnly` (a named approximation: only set when the input's own objects mean exactly that). */
  readonly baselineIngressFromPodsOnly?: boolean;
}

/** The parts of a `TargetProfile` an imported app declares. */
export interface PlanTarget {
  readonly podCidrs: readonly string[];
  readonly serviceCidrs: readonly string[];
  /** Set when an input CIDR block covers pod or Service addresses: that is what the input says, so it is kept. */
  readonly acceptCidrsOverlappingPods?: boolean;
  /** Cilium's agent normalizes HTTP paths (`http-normalize-path`, on by default), as the user declared. @default - not declared */
  readonly ciliumHttpNormalizePath?: boolean;
  /** The mesh's `meshConfig.pathNormalization`, as the user declared it (Istio HTTP path rules need it). @default - not declared */
  readonly istioPathNormalization?: 'NONE' | 'BASE' | 'MERGE_SLASHES' | 'DECODE_AND_MERGE_SLASHES';
}

/** A chart: a namespace's intents, or (no namespace) the cluster-wide ones. */
export interface PlanChart {
  /** The construct id and the variable name of the chart, e.g. `shop` or `ClusterWide`. */
  readonly id: string;
  /** The chart's namespace; undefined for the chart of cluster-wide intents. */
  readonly namespace?: string;
}

/** A set-based label requirement, as Kubernetes spells it. */
export interface PlanExpression {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  /** Values for In and NotIn (sorted); none for Exists and DoesNotExist. */
  readonly values?: readonly string[];
}

/** Pods of one namespace by labels: `Workload.select(labels, …)` or `Workload.allPods(…)`. */
export interface PlanWorkload {
  /** The variable name, unique in the app (`frontend`, `shopApi`). */
  readonly id: string;
  readonly namespace: string;
  /** `matchLabels`; empty with no expressions = every pod of the namespace (`Workload.allPods`). */
  readonly labels: Readonly<Record<string, string>>;
  readonly expressions: readonly PlanExpression[];
  /** The service account the pods run as (engines with identity only). */
  readonly serviceAccount?: string;
  /** The Service that fronts the pods (Istio ambient: the waypoint policies bind to it). @default - none */
  readonly service?: string;
  /**
   * The Service's TCP ports and the container ports they forward to (Istio ambient: a waypoint policy
   * names Service ports), from the cluster model's Service. @default - none
   */
  readonly servicePorts?: readonly PlanServicePort[];
}

/** One port of the Service in front of a workload: `spec.ports[].port` and its numeric `targetPort`. */
export interface PlanServicePort {
  readonly port: number;
  readonly targetPort: number;
}

/** The other end of an allowance or cluster-wide rule. */
export type PlanPeer =
  | { readonly kind: 'workload'; readonly workload: string }
  | { readonly kind: 'namespace'; readonly name: string }
  | PlanPodsPeer
  | { readonly kind: 'cidr'; readonly cidr: string; readonly except: readonly string[] }
  | { readonly kind: 'anyone' };

/** `Peer.pods({ … })`: pods by labels AND namespaces (by name, by labels, or all). */
export interface PlanPodsPeer {
  readonly kind: 'pods';
  readonly podLabels: Readonly<Record<string, string>>;
  readonly podExpressions: readonly PlanExpression[];
  readonly namespaces: PlanNamespaces;
  readonly serviceAccount?: string;
}

/** Which namespaces a pods peer looks in. */
export type PlanNamespaces =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'labels'; readonly labels: Readonly<Record<string, string>>; readonly expressions: readonly PlanExpression[] }
  | { readonly kind: 'all' };

/** A destination port: one, a range, a named container port, every port of a protocol, or everything. */
export type PlanPort =
  | { readonly kind: 'port'; readonly protocol: PlanProtocol; readonly port: number }
  | { readonly kind: 'range'; readonly protocol: PlanProtocol; readonly from: number; readonly to: number }
  | { readonly kind: 'named'; readonly protocol: PlanProtocol; readonly name: string }
  | { readonly kind: 'all'; readonly protocol: PlanProtocol }
  | { readonly kind: 'allTraffic' };

/** Transport protocols of a port. */
export type PlanProtocol = 'TCP' | 'UDP' | 'SCTP';

/** Where an intent came from: the input object, and the field of it the intent says. */
export interface PlanSource {
  /** `NetworkPolicy shop/web`, as the analyzer names the object. */
  readonly object: string;
  /** The field path inside the object (`spec.ingress[0]`), when the intent is one rule of it. */
  readonly field?: string;
  /** `policies.yaml, document 3`, when the object was read from a file. */
  readonly location?: string;
}

/** Fields every intent has. */
export interface PlanIntentBase {
  /** The construct id, unique inside its chart, derived from the policy's name (`web-ingress-0`). */
  readonly id: string;
  /** The chart (`PlanChart.id`) the intent is constructed in. */
  readonly chart: string;
  readonly source: PlanSource;
  /** Observed only (Calico staged policies and the like): `PolicyStage.AUDIT`. */
  readonly audit?: boolean;
}

/** Directions of a default deny. */
export type PlanDirection = 'ingress' | 'egress';

/** `DefaultDeny`: pods of a namespace (all, or a workload) isolated in some directions. */
export interface PlanDefaultDeny extends PlanIntentBase {
  readonly kind: 'DefaultDeny';
  readonly namespace: string;
  /** The workload (`PlanWorkload.id`); undefined = every pod of the namespace. */
  readonly pods?: string;
  readonly directions: readonly PlanDirection[];
  readonly acknowledgeDnsBlocked?: boolean;
}

/** `AllowDns`: a namespace's pods (or a workload's) may reach the cluster DNS. */
export interface PlanAllowDns extends PlanIntentBase {
  readonly kind: 'AllowDns';
  readonly namespace: string;
  readonly pods?: string;
  /** Only when not the default `{ 'kubernetes.io/metadata.name': 'kube-system' }`. */
  readonly dnsNamespaceLabels?: Readonly<Record<string, string>>;
  /** Only when not the default `{ 'k8s-app': 'kube-dns' }`. */
  readonly dnsPodLabels?: Readonly<Record<string, string>>;
  /** Only when not 53. */
  readonly dnsPort?: number;
}

/** `AllowFrom`: peers may connect to a workload on ports. */
export interface PlanAllowFrom extends PlanIntentBase {
  readonly kind: 'AllowFrom';
  readonly to: string;
  readonly peers: readonly PlanPeer[];
  readonly ports: readonly PlanPort[];
  /** L7: only these requests (any of them). @default - no HTTP restriction */
  readonly http?: readonly PlanHttpRule[];
}

/** An `HttpRule`: a method (undefined = any) and a path (exact, or a prefix; undefined = any: then a method is required). */
export interface PlanHttpRule {
  readonly method?: string;
  readonly path?: { readonly kind: 'exact' | 'prefix'; readonly value: string };
}

/** `AllowTo`: a workload may connect to peers on ports. */
export interface PlanAllowTo extends PlanIntentBase {
  readonly kind: 'AllowTo';
  readonly workload: string;
  readonly peers: readonly PlanPeer[];
  readonly ports: readonly PlanPort[];
  readonly acknowledgeDnsBlocked?: boolean;
}

/** `EgressToCidr`: a workload may connect to a CIDR block (minus excepts) on ports. */
export interface PlanEgressToCidr extends PlanIntentBase {
  readonly kind: 'EgressToCidr';
  readonly workload: string;
  readonly cidr: string;
  readonly except: readonly string[];
  readonly ports: readonly PlanPort[];
  readonly acknowledgeDnsBlocked?: boolean;
}

/** `EgressToFqdn`: a workload may connect to DNS names on ports. */
export interface PlanEgressToFqdn extends PlanIntentBase {
  readonly kind: 'EgressToFqdn';
  readonly workload: string;
  readonly names: readonly string[];
  readonly ports: readonly PlanPort[];
  readonly acknowledgeDnsBlocked?: boolean;
}

/** `ClusterDefaultDeny`: every namespace but the excepted ones isolated in some directions (namespace tier). */
export interface PlanClusterDefaultDeny extends PlanIntentBase {
  readonly kind: 'ClusterDefaultDeny';
  /** Besides kube-system and calico-system, which are always left alone. */
  readonly exceptNamespaces: readonly string[];
  readonly directions: readonly PlanDirection[];
  readonly acknowledgeDnsBlocked?: boolean;
}

/** `ClusterAllowDns`: DNS from every namespace but the excepted ones, as an admin rule at `priority`. */
export interface PlanClusterAllowDns extends PlanIntentBase {
  readonly kind: 'ClusterAllowDns';
  readonly exceptNamespaces: readonly string[];
  readonly priority: number;
  readonly dnsNamespaceLabels?: Readonly<Record<string, string>>;
  readonly dnsPodLabels?: Readonly<Record<string, string>>;
  readonly dnsPort?: number;
}

/** `ClusterDeny`, `ClusterAlwaysAllow`, `ClusterDelegateToNamespaces`: one admin-tier rule. */
export interface PlanClusterRule extends PlanIntentBase {
  readonly kind: 'ClusterDeny' | 'ClusterAlwaysAllow' | 'ClusterDelegateToNamespaces';
  readonly priority: number;
  readonly direction: PlanDirection;
  readonly peers: readonly PlanPeer[];
  readonly ports: readonly PlanPort[];
  readonly exceptNamespaces: readonly string[];
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly namespaceExpressions: readonly PlanExpression[];
  readonly podLabels: Readonly<Record<string, string>>;
  readonly podExpressions: readonly PlanExpression[];
}

/** An mTLS mode of `MutualTls` (Istio's DISABLE and UNSET have no intent). */
export type PlanMtlsMode = 'STRICT' | 'PERMISSIVE';

/** `MutualTls`: the mTLS mode connections into a namespace's pods (or a workload's) must use, per port. */
export interface PlanMutualTls extends PlanIntentBase {
  readonly kind: 'MutualTls';
  readonly namespace: string;
  /** The workload (`PlanWorkload.id`); undefined = every pod of the namespace. */
  readonly pods?: string;
  readonly mode: PlanMtlsMode;
  /** Container ports with another mode (workloads only), sorted by port. */
  readonly portExceptions: readonly { readonly port: number; readonly mode: PlanMtlsMode }[];
}

/** One intent of the generated app. */
export type PlanIntent =
  | PlanDefaultDeny | PlanAllowDns | PlanAllowFrom | PlanAllowTo | PlanEgressToCidr | PlanEgressToFqdn
  | PlanClusterDefaultDeny | PlanClusterAllowDns | PlanClusterRule | PlanMutualTls;

/** The kinds of intent a plan can hold. */
export type PlanIntentKind = PlanIntent['kind'];

/** The namespaces every cluster-wide intent leaves alone, whatever it lists. */
export const ALWAYS_EXCEPTED_NAMESPACES: readonly string[] = ['calico-system', 'kube-system'];

/** The id of the chart of cluster-wide intents (upper case: no namespace can be called that). */
export const CLUSTER_CHART_ID = 'ClusterWide';
