import { IConstruct } from 'constructs';
import { ClusterNetworkPolicyApiVersion } from './cluster-network-policy-api-version';
import { ClusterNetworkPolicyImplementation } from './cluster-network-policy-implementation';
import type { IstioMode } from './istio-mode';
import { EngineKind } from './target-checks';
import { resolveTarget, TargetProfile } from './target-profile';
import { CalicoDialect } from '../dialects/calico';
import { CiliumDialect } from '../dialects/cilium';
import { Dialect } from '../dialects/dialect';
import { createIstioDialect } from '../dialects/istio/create-dialect';
import { IstioDialect } from '../dialects/istio/render';
import { KubernetesDialect, KubernetesDialectOptions } from '../dialects/kubernetes';
import { TargetModel, UNDECLARED_TARGET } from '../model/target';
import { formatProblem, InputProblem } from '../validation/input-error';
import { checkLabelKey, checkNamespaceName } from '../validation/validators';

/**
 * How the Kubernetes engine renders cluster-wide intents: as network-policy-api
 * ClusterNetworkPolicy objects (policy.networking.k8s.io), for the
 * implementation that enforces them in the cluster.
 * @see https://network-policy-api.sigs.k8s.io/api-overview/
 */
export interface ClusterNetworkPolicyOptions {
  /**
   * The implementation that enforces ClusterNetworkPolicy in the cluster; what
   * it does not support fails synthesis.
   */
  readonly implementation: ClusterNetworkPolicyImplementation;
  /**
   * The API version to write.
   * @default ClusterNetworkPolicyApiVersion.V1ALPHA2
   */
  readonly apiVersion?: ClusterNetworkPolicyApiVersion;
  /**
   * Opt into rendering a cluster-wide ingress default deny (`ClusterDefaultDeny`)
   * although ClusterNetworkPolicy ingress rules can only name pods: the
   * Baseline-tier deny then covers connections from pods only. This WIDENS the
   * intent — connections from outside the cluster and from nodes to pods that
   * no NetworkPolicy selects stay open — so it is off unless you name it.
   * @default false - a cluster-wide ingress default deny fails synthesis
   */
  readonly baselineIngressFromPodsOnly?: boolean;
}

/** Options of the Kubernetes NetworkPolicy engine. */
export interface KubernetesEngineOptions {
  /**
   * Opt into approximating service-account (identity) selection with a pod
   * label: pods are assumed to carry this label with their service account's
   * name as the value. This WIDENS the intent — any pod carrying the label
   * matches, whatever account it runs as — so it is off unless you name it.
   * @default - service-account peers and subjects fail synthesis
   */
  readonly serviceAccountLabel?: string;
  /**
   * Render cluster-wide intents (`ClusterDefaultDeny`, `ClusterAllowDns`,
   * `ClusterDeny`, `ClusterAlwaysAllow`, `ClusterDelegateToNamespaces`) as
   * ClusterNetworkPolicy objects, for the implementation named here.
   * @default - cluster-wide intents fail synthesis (NetworkPolicy is namespaced)
   */
  readonly clusterNetworkPolicy?: ClusterNetworkPolicyOptions;
  /**
   * The cluster this engine renders for: pod and Service CIDRs, versions and
   * settings that change what the output means (see TargetProfile).
   * @default - nothing declared: CIDR peers, and output that depends on an undeclared version, fail synthesis
   */
  readonly target?: TargetProfile;
}

/** Options of the Cilium engine. */
export interface CiliumEngineOptions {
  /**
   * Opt into allowing NodeLocal DNSCache (`AllowDns({ nodeLocalDns: true })`)
   * through Cilium's `host` entity. Cilium labels the cache's link-local
   * address `host` or not depending on start order, so the address alone is
   * not reliable; the `host` entity WIDENS the allowance to the DNS ports of
   * every address of the pod's own node.
   * @default - NodeLocal DNSCache peers fail synthesis
   */
  readonly nodeLocalDnsViaHost?: boolean;
  /**
   * The cluster this engine renders for: pod and Service CIDRs, versions and
   * settings that change what the output means (see TargetProfile).
   * @default - nothing declared: CIDR peers, and output that depends on an undeclared version, fail synthesis
   */
  readonly target?: TargetProfile;
}

/** Options of the Calico engine. */
export interface CalicoEngineOptions {
  /**
   * The Calico tier every policy goes to. Calico rejects policies in a tier
   * that does not exist, and the tier's `defaultAction` must be `Deny` (the
   * Tier default): isolation IS the end-of-tier Deny, so with `Pass` nothing
   * would be isolated. `kube-admin` and `kube-baseline` are fixed to `Pass`
   * and refused.
   * @default 'default'
   */
  readonly tier?: string;
  /**
   * The `order` of every policy inside its tier (lower runs first). All our
   * rules are `Allow`, so the value does not change what our policies allow
   * together with each other or with Kubernetes NetworkPolicies (order 1000);
   * it only decides whether your own `Deny` / `Pass` policies in the same
   * tier run before ours (lower order) or after (higher order).
   * @default 1000 - the order Calico gives Kubernetes NetworkPolicies
   */
  readonly order?: number;
  /**
   * Declare that the cluster runs Calico application layer policy (Felix
   * `policySyncPathPrefix`, Dikastes) and that every destination pod of an
   * HTTP rule has an Istio sidecar: then L7 `http` rules render as ingress
   * `http` matches. Without the sidecar, Calico enforces only the L4 part.
   * @default false - HTTP rules fail synthesis
   */
  readonly applicationLayerPolicy?: boolean;
  /**
   * Declare that the cluster runs Calico Enterprise or Calico Cloud: DNS-name
   * egress renders as `destination.domains`, which Calico Open Source does not
   * have (its API server would prune the field and allow every destination).
   * @default false - DNS-name peers fail synthesis
   */
  readonly enterprise?: boolean;
  /**
   * The cluster this engine renders for: pod and Service CIDRs, versions and
   * settings that change what the output means (see TargetProfile).
   * @default - nothing declared: CIDR peers, and output that depends on an undeclared version, fail synthesis
   */
  readonly target?: TargetProfile;
}

/** The waypoint of ambient mode: the proxy that enforces HTTP rules. */
export interface IstioWaypointOptions {
  /**
   * The waypoint Gateway's name in each namespace that needs one. Label the
   * Services whose workloads have HTTP rules `istio.io/use-waypoint: <name>`.
   * @default 'waypoint'
   */
  readonly name?: string;
  /**
   * The waypoint's service account: the identity its connections carry to
   * the destination's ztunnel, which must admit it.
   * @default - the waypoint's name (what Istio's deployment controller uses)
   */
  readonly serviceAccount?: string;
  /**
   * Render the waypoint Gateway. Set false when the waypoint is managed
   * elsewhere (e.g. `istioctl waypoint apply`); it must then have `name`.
   * @default true
   */
  readonly create?: boolean;
}

/** Options of the layered Istio engine. */
export interface IstioEngineOptions {
  /** The data plane: sidecars or ambient (ztunnel + waypoints). */
  readonly mode: IstioMode;
  /**
   * The CNI engine that enforces L3/L4 under Istio (default deny in both
   * directions, DNS, CIDR egress, UDP): `Engine.kubernetes()`,
   * `Engine.cilium()` or `Engine.calico()`. Istio alone authorizes only
   * connections into mesh proxies, so it is always layered on one.
   */
  readonly cni: Engine;
  /**
   * The mesh's SPIFFE trust domain, the first part of every principal
   * (`<trustDomain>/ns/<namespace>/sa/<account>`). Istio maps `cluster.local`
   * to the mesh's real trust domain and its aliases.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * The waypoint (ambient mode only).
   * @default - a Gateway named `waypoint` in each namespace with HTTP rules
   */
  readonly waypoint?: IstioWaypointOptions;
  /**
   * The namespace istiod runs in (sidecars and waypoints fetch configuration
   * and certificates from it on TCP 15012).
   * @default 'istio-system'
   */
  readonly istiodNamespace?: string;
  /**
   * Labels of the istiod pods.
   * @default { app: 'istiod' }
   */
  readonly istiodLabels?: { [key: string]: string };
  /**
   * Opt into matching a peer chosen by pod labels AND a service account by
   * its service account only (Istio cannot see the client's labels). This
   * WIDENS the allowance to every pod running as that account.
   * @default false - such peers fail synthesis; use Peer.serviceAccount()
   */
  readonly matchPeersByServiceAccount?: boolean;
  /**
   * The cluster this engine renders for (see TargetProfile), for both layers.
   * Declare it here or on the CNI engine, not on both with different values.
   * @default - the CNI engine's target
   */
  readonly target?: TargetProfile;
}

const ATTACHED = new WeakMap<IConstruct, Engine>();
const ISTIO_OPTIONS = ['mode', 'cni', 'trustDomain', 'waypoint', 'istiodNamespace', 'istiodLabels', 'matchPeersByServiceAccount', 'target'];

/** The options object of an engine factory: an object with known keys, booleans where `booleans` says so. */
function checkOptions(factory: string, options: unknown, known: readonly string[], booleans: readonly string[] = []): InputProblem[] {
  if (options === undefined) return [];
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    return [{ what: `options of ${factory}`, value: options, expected: `an object with ${known.join(', ')}`, fix: `leave the options out, or pass e.g. ${factory.replace('()', '({})')}` }];
  }
  const out: InputProblem[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) {
      out.push({ what: `option ${JSON.stringify(key)} of ${factory}`, value, expected: `one of ${known.join(', ')}`, fix: 'remove it: an unknown option would be ignored, and with it what it says' });
    } else if (booleans.includes(key) && value !== undefined && typeof value !== 'boolean') {
      out.push({ what: `${key} of ${factory}`, value, expected: 'true or false', fix: `write ${key}: true, or leave it out` });
    }
  }
  return out;
}

/**
 * The policy engine a chart renders for. Choose it once per chart with
 * `Engine.attach(chart, Engine.kubernetes())`; attach a different engine to a
 * construct below the chart to override it for that subtree.
 */
export class Engine {
  /**
   * Plain Kubernetes NetworkPolicy (networking.k8s.io/v1), enforced by the
   * cluster's CNI; with `clusterNetworkPolicy`, cluster-wide intents as
   * ClusterNetworkPolicy (policy.networking.k8s.io). Throws on invalid options.
   */
  public static kubernetes(options: KubernetesEngineOptions = {}): Engine {
    const problems = checkOptions('Engine.kubernetes()', options, ['serviceAccountLabel', 'clusterNetworkPolicy', 'target']);
    if (options?.serviceAccountLabel !== undefined) problems.push(...checkLabelKey('serviceAccountLabel of Engine.kubernetes()', options.serviceAccountLabel));
    const target = resolveTarget('Engine.kubernetes()', options?.target, problems);
    const cnp = options?.clusterNetworkPolicy;
    let clusterNetworkPolicy: KubernetesDialectOptions['clusterNetworkPolicy'];
    if (cnp !== undefined) {
      const shape = checkOptions('clusterNetworkPolicy of Engine.kubernetes()', cnp,
        ['implementation', 'apiVersion', 'baselineIngressFromPodsOnly'], ['baselineIngressFromPodsOnly']);
      problems.push(...shape);
      const isObject = cnp !== null && typeof cnp === 'object' && !Array.isArray(cnp);
      if (isObject && !(cnp.implementation instanceof ClusterNetworkPolicyImplementation)) {
        problems.push({
          what: 'clusterNetworkPolicy.implementation of Engine.kubernetes()',
          value: cnp?.implementation,
          expected: 'the implementation that enforces ClusterNetworkPolicy in the cluster',
          fix: 'pass e.g. ClusterNetworkPolicyImplementation.calico()',
        });
      }
      const apiVersion = (isObject ? cnp.apiVersion : undefined) ?? ClusterNetworkPolicyApiVersion.V1ALPHA2;
      if (!Object.values(ClusterNetworkPolicyApiVersion).includes(apiVersion)) {
        problems.push({
          what: 'clusterNetworkPolicy.apiVersion of Engine.kubernetes()',
          value: apiVersion,
          expected: 'ClusterNetworkPolicyApiVersion.V1ALPHA2 or V1BETA1',
          fix: 'use the enum, or leave it out for v1alpha2',
        });
      }
      if (problems.length === 0) {
        const implementation = cnp.implementation;
        clusterNetworkPolicy = {
          profile: implementation._profile,
          enabled: implementation._enabled,
          readsV1beta1: implementation._readsV1beta1,
          apiVersion,
          baselineIngressFromPodsOnly: cnp.baselineIngressFromPodsOnly === true,
        };
      }
    }
    if (problems.length) throw new Error(problems.map(formatProblem).join('\n'));
    return new Engine('kubernetes', new KubernetesDialect({ serviceAccountLabel: options.serviceAccountLabel, ...(clusterNetworkPolicy ? { clusterNetworkPolicy } : {}) }),
      { family: 'kubernetes', factory: 'Engine.kubernetes()' }, target);
  }

  /**
   * Cilium (cilium.io/v2 CiliumNetworkPolicy, and CiliumClusterwideNetworkPolicy
   * for peers selected by namespace labels), for Cilium 1.16 and later:
   * identity-based peers, L7 HTTP rules and DNS-name (FQDN) egress.
   * @see https://docs.cilium.io/en/stable/security/policy/
   */
  public static cilium(options: CiliumEngineOptions = {}): Engine {
    const problems = checkOptions('Engine.cilium()', options, ['nodeLocalDnsViaHost', 'target'], ['nodeLocalDnsViaHost']);
    const target = resolveTarget('Engine.cilium()', options?.target, problems);
    if (problems.length) throw new Error(problems.map(formatProblem).join('\n'));
    return new Engine('cilium', new CiliumDialect({ nodeLocalDnsViaHost: options.nodeLocalDnsViaHost === true }), { family: 'cilium', factory: 'Engine.cilium()' }, target);
  }

  /**
   * Calico (projectcalico.org/v3): NetworkPolicy per namespace,
   * GlobalNetworkPolicy for cluster-wide intents, StagedNetworkPolicy /
   * StagedGlobalNetworkPolicy for audit-stage intents; identity peers, and
   * opt-in L7 HTTP rules (application layer policy) and DNS names (Enterprise).
   * Throws on an invalid tier or order.
   * @see https://docs.tigera.io/calico/latest/reference/resources/networkpolicy
   */
  public static calico(options: CalicoEngineOptions = {}): Engine {
    const problems = checkOptions('Engine.calico()', options, ['tier', 'order', 'applicationLayerPolicy', 'enterprise', 'target'], ['applicationLayerPolicy', 'enterprise']);
    const target = resolveTarget('Engine.calico()', options?.target, problems);
    if (problems.length) throw new Error(problems.map(formatProblem).join('\n'));
    const tier = options.tier ?? 'default';
    const order = options.order ?? 1000;
    problems.push(...checkNamespaceName('tier of Engine.calico()', tier));
    if (['kube-admin', 'kube-baseline'].includes(tier)) {
      problems.push({ what: 'tier of Engine.calico()', value: tier, expected: 'a tier whose default action is Deny', fix: `"${tier}" always passes unmatched traffic on, so no pod would be isolated; use "default" or a tier of your own` });
    }
    if (typeof order !== 'number' || !Number.isFinite(order) || order < 0) {
      problems.push({ what: 'order of Engine.calico()', value: order, expected: 'a finite number >= 0', fix: 'leave it out for 1000, the order of Kubernetes NetworkPolicies' });
    }
    if (problems.length) throw new Error(problems.map(formatProblem).join('\n'));
    return new Engine('calico', new CalicoDialect({
      tier, order, applicationLayerPolicy: options.applicationLayerPolicy === true, enterprise: options.enterprise === true,
    }), { family: 'calico', factory: 'Engine.calico()', applicationLayerPolicy: options.applicationLayerPolicy === true }, target);
  }

  /**
   * Istio layered on a CNI engine: Istio (security.istio.io/v1
   * AuthorizationPolicy, PeerAuthentication; a Gateway API waypoint in ambient
   * mode) enforces identities, mutual TLS and HTTP rules on connections into
   * mesh pods; the CNI engine enforces L3/L4 (default deny in both directions,
   * DNS, CIDR egress, UDP) and the mesh's own plumbing. Assumes every pod the
   * intents name is in the mesh. Throws on invalid options.
   * @see https://istio.io/latest/docs/reference/config/security/
   */
  public static istio(options: IstioEngineOptions): Engine {
    const unknown = checkOptions('Engine.istio()', options ?? {}, ISTIO_OPTIONS);
    if (unknown.length) throw new Error(unknown.map(formatProblem).join('\n'));
    const cni = options?.cni;
    const { target: given, ...rest } = (options ?? {}) as IstioEngineOptions;
    const dialect = createIstioDialect({
      ...rest,
      cni: cni === undefined || cni === null ? cni : { name: (cni as Partial<Engine>).name, dialect: (cni as Partial<Engine>)._dialect },
    });
    // Every value below passed createIstioDialect's checks: cni is a CNI engine.
    const cniEngine = cni as Engine;
    const problems: InputProblem[] = [];
    let target = resolveTarget('Engine.istio()', given, problems);
    if (given !== undefined && cniEngine._target !== UNDECLARED_TARGET && JSON.stringify(target) !== JSON.stringify(cniEngine._target)) {
      problems.push({ what: 'target of Engine.istio()', value: given, expected: `no target, or the same one as the CNI engine (${cniEngine.name})`, fix: 'declare the cluster once: on Engine.istio() or on its cni engine' });
    }
    if (problems.length) throw new Error(problems.map(formatProblem).join('\n'));
    if (given === undefined) target = cniEngine._target;
    const mode = (options.mode as string) === 'ambient' ? 'ambient' : 'sidecar';
    return new Engine(dialect.name, dialect, { family: 'istio', factory: 'Engine.istio()', mode, cni: cniEngine._kind }, target);
  }

  /**
   * Chooses the engine for every intent at or below `scope`.
   * Fails if `scope` already has an engine: choose once, override below.
   */
  public static attach(scope: IConstruct, engine: Engine): void {
    if (!(engine instanceof Engine)) {
      throw new Error(`[${(scope as Partial<IConstruct>)?.node?.path ?? String(scope)}] ${formatProblem({ what: 'engine of Engine.attach()', value: engine, expected: 'an Engine, e.g. Engine.kubernetes()', fix: 'create it with one of the Engine factories: Engine.kubernetes(), Engine.cilium(), Engine.calico(), Engine.istio({ mode, cni })' })}`);
    }
    const existing = ATTACHED.get(scope);
    if (existing) {
      throw new Error(`[${scope.node.path}] an engine is already attached here (${existing.name}); got a second one (${engine.name}). Fix: attach the engine once per chart, and attach overrides to a construct below the chart.`);
    }
    ATTACHED.set(scope, engine);
  }

  /** The engine of the nearest scope at or above `scope` that has one. */
  public static of(scope: IConstruct): Engine {
    const found = Engine.tryOf(scope);
    if (!found) {
      throw new Error(`[${scope.node.path}] no policy engine is chosen for this construct. Fix: call Engine.attach(chart, Engine.kubernetes()) (or another engine) on its chart before adding intents.`);
    }
    return found;
  }

  /** The engine of the nearest scope at or above `scope` that has one, or undefined. */
  public static tryOf(scope: IConstruct): Engine | undefined {
    for (let s: IConstruct | undefined = scope; s; s = s.node.scope) {
      const e = ATTACHED.get(s);
      if (e) return e;
    }
    return undefined;
  }

  /** The engine's name (`kubernetes`, ...), as used in output folders. */
  public readonly name: string;
  /** @internal */
  public readonly _dialect: Dialect;
  /** @internal */
  public readonly _kind: EngineKind;
  /** @internal */
  public readonly _target: TargetModel;

  private constructor(name: string, dialect: Dialect, kind: EngineKind, target: TargetModel) {
    this.name = name;
    this._dialect = dialect;
    this._kind = kind;
    this._target = target;
  }

  /**
   * The same Istio engine whose mesh layer only observes (`observe`: every
   * AuthorizationPolicy dry-run) or renders no AuthorizationPolicy (`none`),
   * while its CNI layer renders as the statements say: the mesh permissive
   * during a MeshMigration phase. Undefined for other engines.
   * @internal
   */
  public _withMeshPolicies(meshPolicies: 'observe' | 'none'): Engine | undefined {
    if (!(this._dialect instanceof IstioDialect)) return undefined;
    return new Engine(this.name, this._dialect.withMeshPolicies(meshPolicies), { ...this._kind, meshPolicies }, this._target);
  }
}
