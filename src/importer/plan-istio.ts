import {
  CLUSTER_CHART_ID, ImportPlan, PlanChart, PlanEngineKind, PlanHttpRule, PlanIntent, PlanMtlsMode, PlanPeer, PlanPort, PlanSource, PlanTarget,
  PlanServicePort, PlanWorkload,
} from './import-plan';
import { CannotExpress, isEveryPod, labelsOf, planImport, PlanImportOptions, PlanImportResult } from './plan-import';
import { identifier } from './render-app';
import {
  AnalysisPolicy, ClusterModel, ClusterPod, ClusterService, DirectionalRules, formatPolicyRef, formatSourceLocation, IdentityCondition, isWaypointPod,
  NAMESPACE_NAME_LABEL,
  PeerMatch, PodSelection, PolicyRule,
  PortMatch, resolveTargetPort, StringMatch,
} from '../analysis';
import { selectionMatchesPod } from '../analysis/engine/policy-index';
import { selectorFromLabelSelector } from '../analysis/ir/selector';
import { ISTIO_ALLOW_TIER } from '../analysis/translate/istio-authorization-policy';
import { AMBIENT_PROBE_SOURCES, GATEWAY_NAME_LABEL, HBONE_PORT, ISTIOD_XDS_PORT } from '../dialects/istio/options';

/** The Istio data plane of the generated app. */
export type IstioImportMode = 'sidecar' | 'ambient';

/** Options of `planIstioImport`: those of `planImport` (for the CNI layer), and the mesh. */
export interface PlanIstioImportOptions extends PlanImportOptions {
  /** The data plane the app's `Engine.istio()` is written for. */
  readonly mode: IstioImportMode;
  /** The CNI engine Istio is layered on. @default - the engine of the input's CNI objects (`defaultEngineFor`) */
  readonly cni?: PlanEngineKind;
  /**
   * The mesh's `meshConfig.pathNormalization`, as the user declared it; HTTP path rules need it.
   * @default - not declared (HTTP path rules then fail on the engine's target check)
   */
  readonly istioPathNormalization?: PlanTarget['istioPathNormalization'];
}

/** The trust domain `Engine.istio()` writes principals in by default, and the one principals are read in. */
const TRUST_DOMAIN = 'cluster.local';
/** The defaults of `Engine.istio()` the plumbing is recognized by: istiod's namespace and labels, the waypoint's name and account. */
const ISTIOD_NAMESPACE = 'istio-system';
const ISTIOD_LABELS: Readonly<Record<string, string>> = { app: 'istiod' };
const WAYPOINT = 'waypoint';
/** The rule the Istio translator puts first in every AuthorizationPolicy: UDP and SCTP pass no proxy. */
const NON_TCP_RULE = '(UDP and SCTP: not intercepted by Istio)';

/** The pods of the cluster model the mesh layer of the input isolates on ingress (an enforced ALLOW policy selects them). */
type Governed = ReadonlySet<ClusterModel['pods'][number]>;

/**
 * Whether the input holds Istio policies an import can plan (AuthorizationPolicies or
 * PeerAuthentications): then `import` defaults to an Istio engine.
 */
export function hasMeshPolicies(policies: readonly AnalysisPolicy[]): boolean {
  return policies.some(p => p.layer === 'mesh');
}

/**
 * The Istio data plane of the cluster model's pods: `sidecar` or `ambient` when every pod in the
 * mesh uses that one, else a sentence saying why the mode must be given (`--engine istio-sidecar`
 * or `istio-ambient`).
 */
export function meshModeOf(cluster: ClusterModel): IstioImportMode | { readonly problem: string } {
  const modes = new Set<IstioImportMode>();
  for (const pod of cluster.pods) {
    if (isWaypointPod(cluster, pod)) continue; // a waypoint's proxy is not a sidecar of an application
    const enrollment = pod.mesh?.enrollment;
    if (enrollment === 'sidecar' || enrollment === 'ambient') modes.add(enrollment);
  }
  if (modes.size === 1) return [...modes][0];
  return {
    problem: modes.size === 0
      ? 'no pod of the cluster model is in the mesh (an istio-proxy container, or the annotation ambient.istio.io/redirection: enabled), so the data plane is unknown'
      : 'the cluster model has pods with sidecars and pods in ambient mode, and one app has one data plane',
  };
}

/**
 * Turns analysis policies of both layers — the CNI's (network) and Istio's AuthorizationPolicies
 * and PeerAuthentications (mesh) — into a plan for `Engine.istio({ mode, cni })`, or lists what
 * cannot be expressed. What each part becomes (docs/IMPORT.md, "Istio"):
 *
 * - an ALLOW AuthorizationPolicy's rule → `AllowFrom` for the pods its selector names (matchLabels
 *   only): `principals` of a service account → `Peer.serviceAccount`, `namespaces` of a name →
 *   `Peer.namespace`, `ipBlocks` → `Peer.cidr`, no `from` → `Peer.anyone()`; the TCP `ports` (none:
 *   `Port.allTcp()`); exact `methods` with exact or prefix `paths` → `HttpRule`s. Ambient: a policy
 *   bound to a Service (`targetRefs`) → the same for `Workload.select(<the Service's selector>, { service })`,
 *   and the rule admitting the waypoint's account at the pods is the waypoint's plumbing;
 * - an ALLOW policy with no rules (the ALLOW-nothing baseline), the isolation every `DefaultDeny`
 *   and isolating allowance renders: nothing of its own — the CNI layer's isolation says it;
 * - a PeerAuthentication of a namespace or of pods by labels, STRICT or PERMISSIVE (per port too)
 *   → `MutualTls`;
 * - the CNI layer: as `planImport` plans it, without the mesh's plumbing the engine renders itself
 *   (sidecar: egress to istiod on TCP 15012; ambient: ingress on HBONE TCP 15008 from every pod, from
 *   the kubelet probe addresses, egress on TCP 15008 to pods and the waypoint's own egress) and
 *   without the TCP part of ingress rules at pods the mesh isolates: each `AllowFrom` of the Istio
 *   layer writes its own L4 rule there (the CNI decides UDP and SCTP alone, which stay).
 *
 * DENY, AUDIT and dry-run policies, root-namespace policies, principal patterns no `Peer` says,
 * `notPorts`/`notMethods`/`notPaths`, method or path patterns, UNSET and DISABLE mTLS, and a CNI
 * policy whose pods the mesh isolates only in part are listed, never approximated. The caller
 * proves the plan against the whole input (both layers).
 */
export function planIstioImport(policies: readonly AnalysisPolicy[], cluster: ClusterModel, options: PlanIstioImportOptions): PlanImportResult {
  return new IstioPlanner(policies, cluster, options).run();
}

/** A workload as the mesh layer names it, before it gets its variable. */
interface MeshSubject {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly service?: string;
  readonly servicePorts?: readonly PlanServicePort[];
}

/** An intent of the mesh layer whose workloads are subjects (given ids when merged with the CNI plan). */
type MeshIntent =
  | { readonly kind: 'AllowFrom'; readonly base: string; readonly source: PlanSource; readonly to: MeshSubject; readonly peers: PlanPeer[]; readonly ports: PlanPort[]; readonly http?: PlanHttpRule[] }
  | {
    readonly kind: 'MutualTls';
    readonly base: string;
    readonly source: PlanSource;
    readonly namespace: string;
    readonly pods?: MeshSubject;
    readonly mode: PlanMtlsMode;
    readonly portExceptions: { port: number; mode: PlanMtlsMode }[];
  };

class IstioPlanner {
  private readonly problems: CannotExpress[] = [];
  private readonly meshIntents: MeshIntent[] = [];
  private http = false;
  private cidr = false;

  constructor(
    private readonly policies: readonly AnalysisPolicy[],
    private readonly cluster: ClusterModel,
    private readonly options: PlanIstioImportOptions,
  ) {}

  public run(): PlanImportResult {
    const mesh = this.policies.filter(p => p.layer === 'mesh');
    const network = this.policies.filter(p => p.layer === 'network');
    const governed = new Set<ClusterModel['pods'][number]>();
    for (const p of mesh) this.planMesh(p, governed);
    const cni = this.options.cni ?? 'kubernetes';
    const stripped = network.flatMap(p => this.strip(p, governed));
    const result = planImport(stripped, this.cluster, { ...this.options, engine: cni, keepMeshPolicies: false });
    if (result.cannotExpress) this.problems.push(...result.cannotExpress);
    if (this.problems.length > 0) return { cannotExpress: this.problems };
    return { plan: this.merge(result.plan!) };
  }

  // ---- the mesh layer ----

  private planMesh(p: AnalysisPolicy, governed: Set<ClusterModel['pods'][number]>): void {
    if (p.peerAuthentication) {
      this.planPeerAuthentication(p);
      return;
    }
    if (p.tier.name !== ISTIO_ALLOW_TIER.name) {
      const audit = p.ingress?.rules.some(r => r.action === 'log');
      this.cannot(p, 'spec.action', audit
        ? 'an AUDIT policy: no intent renders one (the Istio engine writes ALLOW policies only)'
        : 'a DENY policy: no intent renders one (the Istio engine writes ALLOW policies only, and an intent only allows); '
          + 'say what is allowed instead, or keep the mesh policies as they are with --keep-mesh-policies');
      return;
    }
    if (!p.enforced) {
      this.cannot(p, 'metadata.annotations', 'a dry-run policy (istio.io/dry-run: the mesh only observes it, as in the prepare and network phases of a MeshMigration): '
        + 'import writes the Istio layer of enforced intents only; import a phase whose mesh policies are enforced, or keep the mesh policies as they are '
        + 'with --engine <cni> --keep-mesh-policies');
      return;
    }
    if (p.waypointTargets) {
      this.planWaypointPolicy(p);
      return;
    }
    if (p.subject.namespaces.kind !== 'names' || p.subject.namespaces.names.length !== 1) {
      this.cannot(p, 'metadata.namespace', 'a policy in the root namespace applies to every namespace of the mesh; the Istio engine writes ALLOW policies per namespace');
      return;
    }
    const namespace = p.subject.namespaces.names[0];
    const labels = labelsOf(p.subject.pods);
    if (!labels || labels.expressions.length > 0) {
      this.cannot(p, 'spec.selector', 'a selector with set-based requirements, which an Istio selector (matchLabels) cannot hold');
      return;
    }
    const pods = this.cluster.pods.filter(pod => selectionMatchesPod(this.cluster, p.subject, pod));
    pods.forEach(pod => governed.add(pod));
    if (!this.cniIsolates(p, pods)) return;
    this.planRules(p, { namespace, labels: labels.labels });
  }

  /** Ambient: an ALLOW policy bound to a Service (targetRefs), which the waypoint enforces: the allowances of the Service's pods. */
  private planWaypointPolicy(p: AnalysisPolicy): void {
    const targets = p.waypointTargets!;
    if (this.options.mode !== 'ambient') {
      this.cannot(p, 'spec.targetRefs', 'a waypoint policy (targetRefs) in an import for sidecars: waypoints are ambient mode\'s; import with --engine istio-ambient');
      return;
    }
    const [target, ...others] = targets;
    if (!target || others.length > 0 || target.kind !== 'Service') {
      this.cannot(p, 'spec.targetRefs', 'a policy bound to something other than one Service (a Gateway, a GatewayClass, several targets): the Istio engine binds each HTTP allowance\'s policy to its workload\'s Service');
      return;
    }
    const service = this.cluster.findService(target.namespace, target.name);
    if (!service || !service.selector || Object.keys(service.selector).length === 0) {
      this.cannot(p, 'spec.targetRefs', `the Service ${target.namespace}/${target.name} is not in the cluster model with a selector, so the pods the policy protects are unknown: add the Service to --cluster`);
      return;
    }
    const selection: PodSelection = { namespaces: { kind: 'names', names: [target.namespace] }, pods: selectorFromLabelSelector({ ...service.selector }, undefined) };
    if (!this.cniIsolates(p, this.cluster.pods.filter(pod => selectionMatchesPod(this.cluster, selection, pod)))) return;
    const servicePorts = this.servicePorts(p, service, this.cluster.pods.filter(pod => selectionMatchesPod(this.cluster, selection, pod)));
    if (!servicePorts) return;
    this.planRules(p, { namespace: target.namespace, labels: { ...service.selector }, service: target.name, servicePorts });
  }

  /**
   * The Service's TCP ports with the container port each forwards to (a named targetPort resolved on the
   * Service's pods, which must agree), as the workload declares them for the waypoint's policies.
   */
  private servicePorts(p: AnalysisPolicy, service: ClusterService, pods: readonly ClusterPod[]): PlanServicePort[] | undefined {
    const out: PlanServicePort[] = [];
    for (const sp of service.ports.filter(x => x.protocol === 'TCP')) {
      const targets = new Set(pods.map(pod => resolveTargetPort(sp, pod)));
      const [target, ...others] = [...targets];
      if (target === undefined || others.length > 0) {
        this.cannot(p, 'spec.targetRefs', `port ${sp.port} of the Service ${service.namespace}/${service.name} forwards to ${others.length > 0 ? 'different container ports on its pods' : `a container port named ${String(sp.targetPort)} that its pods do not declare`}, `
          + 'so the Service ports the waypoint policy names cannot be declared as one servicePorts list: give the Service a numeric targetPort');
        return undefined;
      }
      out.push({ port: sp.port, targetPort: target });
    }
    return out;
  }

  /**
   * Whether the input's CNI layer isolates the ingress of every pod the ALLOW policy protects, as each intent that
   * renders an ALLOW policy isolates it on the CNI too (UDP and SCTP, which no proxy sees, included); lists it when not.
   */
  private cniIsolates(p: AnalysisPolicy, pods: readonly ClusterModel['pods'][number][]): boolean {
    const open = pods.filter(pod => !this.policies.some(x => x.layer === 'network' && x.enforced && x.ingress?.isolates === true
      && selectionMatchesPod(this.cluster, x.subject, pod)));
    if (open.length === 0) return true;
    this.cannot(p, p.waypointTargets ? 'spec.targetRefs' : 'spec.selector', `it isolates pods whose ingress the CNI layer does not isolate (${open.slice(0, 3).map(x => `${x.namespace}/${x.name}`).join(', ')}`
      + `${open.length > 3 ? ', …' : ''}), and every intent that renders an ALLOW policy isolates the pods on the CNI too (UDP and SCTP, which no proxy sees, included); `
      + 'add the CNI\'s default deny (a NetworkPolicy selecting the pods with policyTypes: [Ingress]) to the input if that is what the cluster enforces, '
      + 'or keep the mesh policies as they are with --engine <cni> --keep-mesh-policies');
    return false;
  }

  private planRules(p: AnalysisPolicy, to: MeshSubject): void {
    const rules = (p.ingress?.rules ?? []).filter((r, i) => !(i === 0 && r.label === NON_TCP_RULE));
    rules.forEach((rule, index) => {
      if (rule.action !== 'allow') {
        this.cannot(p, `spec.${rule.label}`, `a ${rule.action} rule in an ALLOW policy, which no intent says`);
        return;
      }
      if (this.options.mode === 'ambient' && !to.service && this.isWaypointAdmission(rule, to.namespace)) return; // the waypoint's plumbing
      const peers = this.peers(p, rule);
      const ports = this.ports(p, rule);
      const http = rule.http ? this.httpRules(p, rule) : undefined;
      if (!peers || !ports || (rule.http && !http)) return;
      if (http) this.http = true;
      if (peers.some(x => x.kind === 'cidr')) this.cidr = true;
      this.meshIntents.push({
        kind: 'AllowFrom',
        base: rules.length === 1 ? p.ref.name : `${p.ref.name}-${index}`,
        source: this.source(p, `spec.${rule.label}`),
        to,
        peers,
        ports,
        ...(http ? { http } : {}),
      });
    });
  }

  /** Ambient: a rule admitting only the namespace's waypoint account, as the engine writes next to each waypoint-bound allowance. */
  private isWaypointAdmission(rule: PolicyRule, namespace: string): boolean {
    const [peer, ...others] = rule.peers ?? [];
    if (!peer || others.length > 0 || peer.kind !== 'pods' || !peer.identity || rule.http) return false;
    const anyOf = identityAlternatives(peer.identity);
    return anyOf !== undefined && anyOf.length === 1 && sameMatch(anyOf[0], { kind: 'exact', value: `spiffe://${TRUST_DOMAIN}/ns/${namespace}/sa/${WAYPOINT}` });
  }

  private peers(p: AnalysisPolicy, rule: PolicyRule): PlanPeer[] | undefined {
    if (rule.peers === undefined) return [{ kind: 'anyone' }];
    const out: PlanPeer[] = [];
    for (const peer of rule.peers) {
      if (peer.kind === 'ipBlock') {
        out.push({ kind: 'cidr', cidr: peer.cidr.text, except: peer.except.map(e => e.text) });
        continue;
      }
      if (peer.kind !== 'pods' || !peer.requiresMtls || !peer.identity) {
        this.cannot(p, `spec.${rule.label}`, `a source the Istio translator does not write (${peer.kind}), which no Peer says`);
        return undefined;
      }
      const alternatives = identityAlternatives(peer.identity);
      if (alternatives === undefined) {
        this.cannot(p, `spec.${rule.label}`, 'a source whose identity fields combine or negate (notPrincipals, notNamespaces, notServiceAccounts, '
          + 'several identity fields or `when` conditions on them), which no Peer says: Peer.serviceAccount and Peer.namespace each allow one identity or namespace');
        return undefined;
      }
      for (const match of alternatives) {
        const identity = identityPeer(match);
        if (!identity) {
          this.cannot(p, `spec.${rule.label}`, `the identity pattern ${describeMatch(match)} is not one service account (principal ${TRUST_DOMAIN}/ns/<namespace>/sa/<account>, `
            + 'serviceAccounts <namespace>/<account>) nor one namespace by name (namespaces <name>), which is all a Peer says in Istio; '
            + 'list the accounts or namespaces it means one by one');
          return undefined;
        }
        out.push(identity);
      }
    }
    return dedupe(out);
  }

  private ports(p: AnalysisPolicy, rule: PolicyRule): PlanPort[] | undefined {
    if (rule.ports === undefined) return [{ kind: 'all', protocol: 'TCP' }];
    const out: PlanPort[] = [];
    for (const port of rule.ports) {
      if (port.protocol !== 'TCP' || typeof port.port !== 'number') {
        this.cannot(p, `spec.${rule.label}`, 'a port the Istio translator does not write, which no Port says');
        return undefined;
      }
      out.push(port.endPort !== undefined && port.endPort !== port.port
        ? { kind: 'range', protocol: 'TCP', from: port.port, to: port.endPort }
        : { kind: 'port', protocol: 'TCP', port: port.port });
    }
    if (out.length === 0) {
      this.cannot(p, `spec.${rule.label}`, 'an operation whose notPorts exclude every port it names: it matches no connection, which no intent says (remove the rule)');
      return undefined;
    }
    return out;
  }

  /** The operation's methods × paths as HttpRules, when each method is exact (or `*`) and each path exact or a prefix. */
  private httpRules(p: AnalysisPolicy, rule: PolicyRule): PlanHttpRule[] | undefined {
    const field = `spec.${rule.label}`;
    const [m, ...more] = rule.http ?? [];
    if (!m || more.length > 0 || m.method || m.methods || m.path || m.host) {
      this.cannot(p, field, 'an HTTP condition the Istio translator does not write, which no HttpRule says');
      return undefined;
    }
    if (m.methodCondition?.noneOf || m.urlPathCondition?.noneOf) {
      this.cannot(p, field, 'notMethods or notPaths: an HttpRule allows requests, it never excludes them; list the methods and paths that are allowed');
      return undefined;
    }
    if (!m.methodCondition && !m.urlPathCondition) {
      this.cannot(p, field, 'an operation without methods or paths in a rule whose other operations have them: Istio then admits only HTTP requests on it (no plain TCP), '
        + 'which no intent says; give it its own rule');
      return undefined;
    }
    const methods: (string | undefined)[] = [];
    for (const x of m.methodCondition?.anyOf ?? [{ kind: 'present' } as StringMatch]) {
      if (x.kind === 'present') {methods.push(undefined);} else if (x.kind === 'exact' && /^[A-Za-z][A-Za-z0-9_-]*$/.test(x.value)) {methods.push(x.value);} else {
        this.cannot(p, field, `the method ${describeMatch(x)}: an HttpRule names one method exactly (or any method)`);
        return undefined;
      }
    }
    const paths: PlanHttpRule['path'][] = [];
    for (const x of m.urlPathCondition?.anyOf ?? [{ kind: 'present' } as StringMatch]) {
      if (x.kind === 'present' || (x.kind === 'regex' && x.value === '.+')) {paths.push(undefined);} else if ((x.kind === 'exact' || x.kind === 'prefix') && x.value.startsWith('/')) {paths.push({ kind: x.kind, value: x.value });} else {
        this.cannot(p, field, `the path ${describeMatch(x)}: an HttpRule's path is exact or a prefix (ending in *) starting with /`);
        return undefined;
      }
    }
    const out: PlanHttpRule[] = [];
    const anyMethod = methods.includes(undefined);
    for (const path of paths) {
      if (anyMethod) {
        if (path === undefined) {
          this.cannot(p, field, 'an operation that admits any method on any path: an HttpRule names a method or a path; leave the HTTP fields out to allow the port');
          return undefined;
        }
        out.push({ path });
        continue;
      }
      for (const method of methods) out.push({ method, ...(path ? { path } : {}) });
    }
    return out;
  }

  private planPeerAuthentication(p: AnalysisPolicy): void {
    const spec = p.peerAuthentication!;
    if (spec.level === 'mesh') {
      this.cannot(p, 'metadata.namespace', 'a mesh-wide PeerAuthentication (root namespace, no selector): MutualTls is per namespace; write one per namespace');
      return;
    }
    const mode = mtlsMode(spec.mode);
    if (!mode) {
      this.cannot(p, 'spec.mtls.mode', `mode ${spec.mode ?? 'UNSET'}: MutualTls says STRICT or PERMISSIVE (UNSET inherits the mesh's mode and DISABLE turns mTLS off, which no intent says)`);
      return;
    }
    const portExceptions: { port: number; mode: PlanMtlsMode }[] = [];
    for (const x of spec.portModes) {
      const portMode = mtlsMode(x.mode);
      if (!portMode) {
        this.cannot(p, `spec.portLevelMtls.${x.port}.mode`, `mode ${x.mode ?? 'UNSET'}: a MutualTls port exception is STRICT or PERMISSIVE`);
        return;
      }
      portExceptions.push({ port: x.port, mode: portMode });
    }
    const pods = spec.level === 'workload' && spec.selector && Object.keys(spec.selector).length > 0
      ? { namespace: spec.namespace, labels: { ...spec.selector } } : undefined;
    this.meshIntents.push({
      kind: 'MutualTls',
      base: p.ref.name,
      source: this.source(p),
      namespace: spec.namespace,
      ...(pods ? { pods } : {}),
      mode,
      portExceptions: portExceptions.sort((a, b) => a.port - b.port),
    });
  }

  // ---- the CNI layer ----

  /**
   * The policy without the mesh plumbing the engine renders and without the TCP part of its ingress
   * rules where the mesh isolates its pods; a direction left without rules by that is dropped (the
   * intents that render those rules isolate the pods themselves); nothing when nothing is left.
   */
  private strip(p: AnalysisPolicy, governed: Governed): AnalysisPolicy[] {
    const pods = this.cluster.pods.filter(pod => selectionMatchesPod(this.cluster, p.subject, pod));
    const inMesh = pods.filter(pod => governed.has(pod));
    const tcpDecidedByMesh = inMesh.length > 0;
    if (p.ingress && p.ingress.rules.length > 0 && inMesh.length > 0 && inMesh.length < pods.length) {
      this.cannot(p, 'spec', `it selects pods the mesh isolates on ingress (${inMesh.slice(0, 3).map(x => `${x.namespace}/${x.name}`).join(', ')}) and pods it does not `
        + `(${pods.filter(x => !governed.has(x)).slice(0, 3).map(x => `${x.namespace}/${x.name}`).join(', ')}), and each AllowFrom writes one rule for both layers; `
        + 'split the policy along the AuthorizationPolicies\' selectors');
      return [p];
    }
    const waypointPods = isWaypointSubject(p.subject);
    const ingress = this.stripDirection(p.ingress, (rule) => {
      if (this.options.mode === 'ambient' && (isHbone(rule) || isProbes(rule))) return undefined;
      return tcpDecidedByMesh ? withoutTcp(rule) : rule;
    });
    const egress = this.stripDirection(p.egress, (rule) => {
      if (this.options.mode === 'sidecar' && isIstiod(rule)) return undefined;
      if (this.options.mode === 'ambient' && waypointPods && (isIstiod(rule) || isHboneTo(rule, isEveryPod))) return undefined;
      const kept = this.options.mode === 'ambient' ? withoutHboneEgress(rule) : rule;
      // To pods the mesh isolates, the destination's ALLOW policies decide TCP, and each AllowFrom planned from them writes its source half.
      return kept && this.toGovernedPods(kept, governed) ? withoutTcp(kept) : kept;
    });
    if (ingress === 'unchanged' && egress === 'unchanged') return [p];
    const out: { -readonly [K in keyof AnalysisPolicy]?: AnalysisPolicy[K] } = { ...p };
    if (ingress !== 'unchanged') {
      if (ingress) out.ingress = ingress;
      else delete out.ingress;
    }
    if (egress !== 'unchanged') {
      if (egress) out.egress = egress;
      else delete out.egress;
    }
    return out.ingress || out.egress ? [out as AnalysisPolicy] : [];
  }

  /** Whether every peer of the rule is pods (no identity), at least one of the cluster's, each of which the mesh isolates on ingress. */
  private toGovernedPods(rule: PolicyRule, governed: Governed): boolean {
    const peers = rule.peers ?? [];
    return peers.length > 0 && peers.every(peer => {
      if (peer.kind !== 'pods' || peer.identity || peer.requiresMtls) return false;
      const pods = this.cluster.pods.filter(pod => selectionMatchesPod(this.cluster, peer.selection, pod));
      return pods.length > 0 && pods.every(pod => governed.has(pod));
    });
  }

  private stripDirection(rules: DirectionalRules | undefined, each: (rule: PolicyRule) => PolicyRule | undefined): DirectionalRules | undefined | 'unchanged' {
    if (!rules || rules.rules.length === 0) return 'unchanged';
    const kept = rules.rules.flatMap(r => {
      const x = each(r);
      return x ? [x] : [];
    });
    if (kept.length === rules.rules.length && kept.every((r, i) => r === rules.rules[i])) return 'unchanged';
    return kept.length === 0 ? undefined : { ...rules, rules: kept };
  }

  // ---- the plan ----

  private merge(cni: ImportPlan): ImportPlan {
    const workloads = [...cni.workloads];
    const used = new Set(workloads.map(w => w.id));
    const byKey = new Map(workloads.map(w => [workloadKey(w), w.id]));
    const workloadOf = (s: MeshSubject): string => {
      const w: PlanWorkload = {
        id: '',
        namespace: s.namespace,
        labels: s.labels,
        expressions: [],
        ...(s.service ? { service: s.service } : {}),
        ...(s.servicePorts ? { servicePorts: s.servicePorts } : {}),
      };
      const key = workloadKey(w);
      const found = byKey.get(key);
      if (found) return found;
      const base = Object.keys(s.labels).length === 0 ? `all-${s.namespace}` : Object.values(s.labels).join('-');
      const first = identifier(base, 'Pods').replace(/Chart$/, 'Pods');
      let id = first;
      for (let n = 2; used.has(id); n++) id = `${first}${n}`;
      used.add(id);
      byKey.set(key, id);
      workloads.push({ ...w, id });
      return id;
    };
    const ids = new Map<string, Set<string>>();
    for (const i of cni.intents) (ids.get(i.chart) ?? ids.set(i.chart, new Set()).get(i.chart)!).add(i.id);
    const intentId = (chart: string, base: string) => {
      const taken = ids.get(chart) ?? ids.set(chart, new Set()).get(chart)!;
      let id = base;
      for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
      taken.add(id);
      return id;
    };
    const mesh: PlanIntent[] = this.meshIntents.map((m): PlanIntent => {
      if (m.kind === 'MutualTls') {
        return {
          kind: 'MutualTls',
          id: intentId(m.namespace, m.base),
          chart: m.namespace,
          source: m.source,
          namespace: m.namespace,
          ...(m.pods ? { pods: workloadOf(m.pods) } : {}),
          mode: m.mode,
          portExceptions: m.portExceptions,
        };
      }
      return {
        kind: 'AllowFrom',
        id: intentId(m.to.namespace, m.base),
        chart: m.to.namespace,
        source: m.source,
        to: workloadOf(m.to),
        peers: m.peers,
        ports: m.ports,
        ...(m.http ? { http: m.http } : {}),
      };
    });
    const all = [...cni.intents, ...mesh];
    const namespaces = [...new Set(all.map(i => i.chart))].filter(c => c !== CLUSTER_CHART_ID).sort();
    const charts: PlanChart[] = [...cni.charts.filter(c => c.id === CLUSTER_CHART_ID), ...namespaces.map(n => ({ id: n, namespace: n }))];
    const order = new Map(charts.map((c, i) => [c.id, i]));
    const intents = all.map((intent, i) => ({ intent, i }))
      .sort((a, b) => order.get(a.intent.chart)! - order.get(b.intent.chart)! || a.i - b.i).map(x => x.intent);
    const needsTarget = this.cidr || (this.http && this.options.istioPathNormalization !== undefined);
    const target: PlanTarget | undefined = cni.engine.target || needsTarget ? {
      podCidrs: cni.engine.target?.podCidrs ?? [...this.options.podCidrs ?? []],
      serviceCidrs: cni.engine.target?.serviceCidrs ?? [...this.options.serviceCidrs ?? []],
      ...(cni.engine.target?.acceptCidrsOverlappingPods ? { acceptCidrsOverlappingPods: true } : {}),
      ...(cni.engine.target?.ciliumHttpNormalizePath !== undefined ? { ciliumHttpNormalizePath: cni.engine.target.ciliumHttpNormalizePath } : {}),
      ...(this.http && this.options.istioPathNormalization !== undefined ? { istioPathNormalization: this.options.istioPathNormalization } : {}),
    } : undefined;
    const { target: _target, ...engine } = cni.engine;
    return { engine: { ...engine, ...(target ? { target } : {}), istio: { mode: this.options.mode } }, charts, workloads, intents };
  }

  private source(p: AnalysisPolicy, field?: string): PlanSource {
    return { object: formatPolicyRef(p.ref), ...(field ? { field } : {}), ...(p.source ? { location: formatSourceLocation(p.source) } : {}) };
  }

  private cannot(p: AnalysisPolicy, field: string, reason: string): void {
    this.problems.push({ object: formatPolicyRef(p.ref), ...(p.source ? { location: formatSourceLocation(p.source) } : {}), field, reason });
  }
}

/** The Peer an identity matcher of the Istio translator means, when it is one service account or one namespace by name. */
function identityPeer(match: StringMatch): PlanPeer | undefined {
  const name = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
  const account = '[a-z0-9]([-a-z0-9.]*[a-z0-9])?';
  if (match.kind === 'exact') {
    const m = new RegExp(`^spiffe://${TRUST_DOMAIN.replace(/\./g, '\\.')}/ns/(${name})/sa/(${account})$`).exec(match.value);
    return m ? serviceAccountPeer(m[1], m[3]) : undefined;
  }
  if (match.kind !== 'regex') return undefined;
  const ns = new RegExp(`^\\.\\*/ns/(${name})/\\.\\*$`).exec(match.value);
  if (ns) return { kind: 'namespace', name: ns[1] };
  // serviceAccounts: `spiffe://.+/ns/<ns>/(.+/|)sa/<account>(/.+)?`, the account's dots escaped; the model's SPIFFE IDs have no other parts.
  const sa = new RegExp(`^spiffe://\\.\\+/ns/(${name})/\\(\\.\\+/\\|\\)sa/((?:[a-z0-9-]|\\\\\\.)+)\\(/\\.\\+\\)\\?$`).exec(match.value);
  if (sa) {
    const accountName = sa[3].replace(/\\\./g, '.');
    return new RegExp(`^${account}$`).test(accountName) ? serviceAccountPeer(sa[1], accountName) : undefined;
  }
  return undefined;
}

/**
 * The SPIFFE ID patterns of an identity condition that is one list of alternatives (`principals`,
 * `namespaces` or `serviceAccounts` alone, as the library writes them); undefined for anything else
 * (negations, several fields ANDed, `when` conditions), which no Peer says.
 */
function identityAlternatives(identity: IdentityCondition): readonly StringMatch[] | undefined {
  if (identity.all.length !== 1) return undefined;
  const [test] = identity.all;
  if (test.attribute !== 'spiffeId' || test.condition.noneOf !== undefined || test.condition.anyOf === undefined) return undefined;
  return test.condition.anyOf;
}

function serviceAccountPeer(namespace: string, serviceAccount: string): PlanPeer {
  return { kind: 'pods', podLabels: {}, podExpressions: [], namespaces: { kind: 'name', name: namespace }, serviceAccount };
}

function describeMatch(m: StringMatch): string {
  return m.kind === 'present' ? 'any value' : `${m.kind} ${JSON.stringify(m.value)}`;
}

function sameMatch(a: StringMatch, b: StringMatch): boolean {
  return a.kind === b.kind && (a.kind === 'present' || a.value === (b as { value: string }).value);
}

function mtlsMode(mode: string | undefined): PlanMtlsMode | undefined {
  return mode === 'STRICT' || mode === 'PERMISSIVE' ? mode : undefined;
}

function dedupe(peers: PlanPeer[]): PlanPeer[] {
  const seen = new Set<string>();
  return peers.filter(p => {
    const key = JSON.stringify(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function workloadKey(w: PlanWorkload): string {
  const labels = Object.keys(w.labels).sort().map(k => [k, w.labels[k]]);
  return JSON.stringify([w.namespace, labels, w.expressions, w.serviceAccount ?? null, w.service ?? null, w.servicePorts ?? null]);
}

/** The rule without its TCP ports (what the mesh decides where it isolates the pods), or undefined when nothing is left. */
function withoutTcp(rule: PolicyRule): PolicyRule | undefined {
  if (rule.peers !== undefined && rule.peers.length === 0) return rule; // matches no peer (Cilium's default deny `ingress: [{}]`): allows nothing, as it is
  const ports: PortMatch[] = rule.ports === undefined ? [{ protocol: 'UDP' }, { protocol: 'SCTP' }]
    : rule.ports.flatMap((x): PortMatch[] => (x.protocol === 'TCP' ? [] : x.protocol === 'ANY' ? [{ ...x, protocol: 'UDP' }, { ...x, protocol: 'SCTP' }] : [x]));
  if (rule.ports !== undefined && ports.length === rule.ports.length && rule.ports.every(x => x.protocol !== 'ANY')) return rule;
  if (ports.length === 0) return undefined;
  const out: { -readonly [K in keyof PolicyRule]?: PolicyRule[K] } = { ...rule, ports };
  delete out.http;
  delete out.nonHttpFlows;
  return out as PolicyRule;
}

/** Exactly one TCP port `port`. */
function onlyTcpPort(rule: PolicyRule, port: number): boolean {
  return rule.action === 'allow' && rule.ports?.length === 1 && rule.ports[0].protocol === 'TCP' && rule.ports[0].port === port
    && (rule.ports[0].endPort === undefined || rule.ports[0].endPort === port)
    && !rule.http && !rule.subjectPeers && !rule.notPeers && !rule.notSubjectPeers;
}

/** Sidecar (and waypoint) plumbing: egress to istiod (`app: istiod` in istio-system) on TCP 15012. */
function isIstiod(rule: PolicyRule): boolean {
  if (!onlyTcpPort(rule, ISTIOD_XDS_PORT)) return false;
  const [peer, ...others] = rule.peers ?? [];
  if (!peer || others.length > 0 || peer.kind !== 'pods' || peer.requiresMtls || peer.identity || peer.selection.serviceAccounts) return false;
  const pods = labelsOf(peer.selection.pods);
  if (!pods || pods.expressions.length > 0 || JSON.stringify(pods.labels) !== JSON.stringify(ISTIOD_LABELS)) return false;
  return namespaceIs(peer.selection, ISTIOD_NAMESPACE);
}

function namespaceIs(selection: PodSelection, name: string): boolean {
  const scope = selection.namespaces;
  if (scope.kind === 'names') return scope.names.length === 1 && scope.names[0] === name;
  const ns = labelsOf(scope.selector);
  return ns !== undefined && ns.expressions.length === 0 && Object.keys(ns.labels).length === 1 && ns.labels[NAMESPACE_NAME_LABEL] === name;
}

/** Ambient plumbing: ingress on HBONE (TCP 15008) from every pod of every namespace. */
function isHbone(rule: PolicyRule): boolean {
  return isHboneTo(rule, isEveryPod);
}

function isHboneTo(rule: PolicyRule, peers: (p: PeerMatch) => boolean): boolean {
  return onlyTcpPort(rule, HBONE_PORT) && (rule.peers ?? []).length > 0 && rule.peers!.every(peers);
}

/** Ambient plumbing: ingress on every TCP port from the kubelet probe addresses istio-cni SNATs to. */
function isProbes(rule: PolicyRule): boolean {
  const peers = rule.peers ?? [];
  const blocks = peers.flatMap(p => (p.kind === 'ipBlock' && p.except.length === 0 ? [p.cidr.text] : [])).sort();
  return rule.action === 'allow' && !rule.http && peers.length === AMBIENT_PROBE_SOURCES.length && blocks.length === peers.length
    && JSON.stringify(blocks) === JSON.stringify([...AMBIENT_PROBE_SOURCES].sort())
    && rule.ports?.length === 1 && rule.ports[0].protocol === 'TCP' && rule.ports[0].port === undefined;
}

/**
 * Ambient egress without the HBONE plumbing: a rule on TCP 15008 alone to pods (the tunnel of an
 * allowance to them, or to the waypoint) is dropped; TCP 15008 next to other ports of a rule to pods
 * (the source half of an allowance) is taken out of it.
 */
function withoutHboneEgress(rule: PolicyRule): PolicyRule | undefined {
  const toPods = (rule.peers ?? []).length > 0 && rule.peers!.every(p => p.kind === 'pods');
  if (!toPods || rule.action !== 'allow') return rule;
  if (onlyTcpPort(rule, HBONE_PORT)) return undefined;
  const ports = rule.ports ?? [];
  const hbone = ports.findIndex(x => x.protocol === 'TCP' && x.port === HBONE_PORT && (x.endPort === undefined || x.endPort === HBONE_PORT));
  if (hbone < 0 || ports.length < 2) return rule;
  return { ...rule, ports: ports.filter((_, i) => i !== hbone) };
}

/** The waypoint pods of a namespace (the Gateway's `gateway-name` label): their egress is the waypoint's plumbing. */
function isWaypointSubject(subject: PodSelection): boolean {
  const pods = labelsOf(subject.pods);
  return pods !== undefined && pods.expressions.length === 0 && Object.keys(pods.labels).length === 1 && pods.labels[GATEWAY_NAME_LABEL] === WAYPOINT;
}
