import {
  ALWAYS_EXCEPTED_NAMESPACES, CLUSTER_CHART_ID, ImportPlan, PlanChart, PlanClusterRule, PlanDirection, PlanEngine, PlanEngineKind, PlanExpression,
  PlanAllowDns, PlanHttpRule, PlanIntent, PlanNamespaces, PlanPeer, PlanPort, PlanSource, PlanTarget, PlanWorkload,
} from './import-plan';
import { chartVariable, identifier } from './render-app';
import {
  AnalysisPolicy, ClusterModel, Direction, formatPolicyRef, formatSourceLocation, HttpMatch, matchesSelector, NAMESPACE_NAME_LABEL, PeerMatch,
  PodSelection, PolicyRule, PortMatch, SelectorExpr,
} from '../analysis';
import { selectionMatchesPod } from '../analysis/engine/policy-index';
import { cidrContainsCidr, tryParseCidr } from '../analysis/ip/cidr';
import { ADMIN_TIER, BASELINE_TIER } from '../analysis/ir/network-policy-api-tiers';
import { CILIUM_DENY_TIER } from '../analysis/translate/cilium-network-policy';

/** Something in the input that no intent says exactly: the object, the field, and why. */
export interface CannotExpress {
  /** `NetworkPolicy shop/web`. */
  readonly object: string;
  /** `policies.yaml, document 2`, when read from a file. */
  readonly location?: string;
  /** The field (rule label, `spec.podSelector`, …) that cannot be expressed. */
  readonly field: string;
  /** Why, and what would have to change. */
  readonly reason: string;
}

/** `NetworkPolicy shop/web (policies.yaml, document 2) ingress[0]: <reason>`. */
export function formatCannotExpress(c: CannotExpress): string {
  return `${c.object}${c.location ? ` (${c.location})` : ''} ${c.field}: ${c.reason}`;
}

/** Options of `planImport`. */
export interface PlanImportOptions {
  /** The engine the app is written for. @default - the engine of the input's dialect (`defaultEngineFor`) */
  readonly engine?: PlanEngineKind;
  /** The cluster's pod CIDRs, needed when an intent names a CIDR block. */
  readonly podCidrs?: readonly string[];
  /** The cluster's Service CIDRs, needed when an intent names a CIDR block. */
  readonly serviceCidrs?: readonly string[];
  /**
   * Leave mesh-layer (Istio) policies out of the plan instead of refusing them: the caller keeps them
   * applied and proves the app together with them.
   * @default false - a mesh-layer policy cannot be expressed
   */
  readonly keepMeshPolicies?: boolean;
  /** Cilium's agent normalizes HTTP paths (`http-normalize-path`), declared for HTTP rules. @default - not declared (HTTP rules then fail on Cilium) */
  readonly ciliumHttpNormalizePath?: boolean;
  /**
   * `ClusterNetworkPolicyImplementation.<name>()` for cluster-wide intents on the Kubernetes engine.
   * @default 'kubeNetworkPolicies' - callers that cannot know the cluster's must ask for it (the CLI requires `--implementation`)
   */
  readonly clusterNetworkPolicyImplementation?: string;
}

/** A plan, or what keeps the input from being one: never both, never a plan that approximates. */
export type PlanImportResult =
  | { readonly plan: ImportPlan; readonly cannotExpress?: undefined }
  | { readonly plan?: undefined; readonly cannotExpress: readonly CannotExpress[] };

/** The engine of the input's dialect: Calico objects → calico, Cilium objects → cilium, else kubernetes. */
export function defaultEngineFor(policies: readonly AnalysisPolicy[]): PlanEngineKind {
  if (policies.some(p => p.ref.kind.startsWith('projectcalico.org/') || p.tier.name === 'kube-admin' || p.tier.name === 'kube-baseline')) return 'calico';
  if (policies.some(p => p.ref.kind.startsWith('Cilium'))) return 'cilium';
  return 'kubernetes';
}

/**
 * Turns analysis policies (any dialect the analyzer reads, already translated) into a plan of
 * intents that means the same traffic, or lists what cannot be expressed. The mapping, per network
 * layer tier (docs/IMPORT.md):
 *
 * - the namespace tier (Kubernetes NetworkPolicy, Cilium and Calico allow policies: one tier whose
 *   isolating policies' allow rules are a union): a direction isolated with no rule is a
 *   `DefaultDeny`, an ingress rule an `AllowFrom`, an egress rule an `AllowDns` (the cluster DNS on
 *   UDP and TCP 53, by pod labels), `EgressToCidr` (one per block) or `AllowTo`; a policy selecting
 *   every namespace but some names, with no rule, a `ClusterDefaultDeny`;
 * - the admin tier (ClusterNetworkPolicy `Admin`): each rule a `ClusterDeny`, `ClusterAlwaysAllow`
 *   or `ClusterDelegateToNamespaces` at a priority that keeps the input's order;
 * - the baseline tier: a deny of everything for every namespace but some names, a `ClusterDefaultDeny`.
 *
 * What does not map — deny or pass rules in a namespace tier, several namespace tiers, selectors with
 * `||` or `!`, mesh policies, identities, HTTP rules, entities other than `all` — is listed, never
 * approximated. A peer whose own side an intent would add (the source half of `AllowFrom`, the
 * destination half of `AllowTo`) is written by namespace labels when that side is isolated in the
 * input, so the app allows nothing the input does not.
 */
export function planImport(policies: readonly AnalysisPolicy[], cluster: ClusterModel, options: PlanImportOptions = {}): PlanImportResult {
  return new Planner(policies, cluster, options).run();
}

interface Subject {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly expressions: PlanExpression[];
  readonly serviceAccount?: string;
}

class Planner {
  private readonly problems: CannotExpress[] = [];
  private readonly workloads = new Map<string, PlanWorkload>();
  private readonly usedVariables = new Set<string>();
  private readonly intents: PlanIntent[] = [];
  private readonly intentIds = new Map<string, Set<string>>();
  private readonly cidrs = new Map<string, Extract<PeerMatch, { kind: 'ipBlock' }>>();
  private clusterWide = false;
  private baselineIngressFromPodsOnly = false;
  private lastAdminPriority = -1;
  private readonly lateAllows: { policy: AnalysisPolicy; direction: Direction; rule: PolicyRule; index: number; except?: readonly string[] }[] = [];
  private http = false;
  private readonly engine: PlanEngineKind;

  constructor(
    private readonly policies: readonly AnalysisPolicy[],
    private readonly cluster: ClusterModel,
    private readonly options: PlanImportOptions,
  ) {
    this.engine = options.engine ?? defaultEngineFor(policies);
  }

  public run(): PlanImportResult {
    const network = this.policies.filter(p => p.layer === 'network');
    if (!this.options.keepMeshPolicies) {
      for (const p of this.policies.filter(x => x.layer !== 'network')) {
        this.cannot(p, 'spec', `a ${p.layer}-layer policy (Istio): import writes network intents only for a CNI engine; write an Istio app with --engine istio-sidecar `
          + 'or istio-ambient, or import the CNI\'s policies with --keep-mesh-policies and keep applying the mesh policies as they are');
      }
    }
    for (const p of network.filter(x => !x.enforced && x.ref.kind.startsWith('Cilium'))) {
      // Staged Calico policies observe (an audit intent); a Cilium policy the agent refuses does nothing at all.
      this.cannot(p, 'spec', `Cilium does not enforce it (${(p.notes ?? ['refused by the agent']).join('; ')}): fix or remove it, then import`);
    }
    const namespaceTiers = [...new Set(network.filter(p => !isClusterTier(p)).map(p => p.tier.name))];
    if (namespaceTiers.length > 1) {
      const second = network.find(p => p.tier.name === namespaceTiers[1])!;
      this.cannot(second, 'tier', `its tier ${namespaceTiers[1]} is a second namespace tier besides ${namespaceTiers[0]}: an allow in one tier decides before the next, which no union of intents says`);
    }
    // Cilium's deny rules decide after the Admin tier and before every allow: admin-tier denies after the Admin tier's rules.
    const admin = [...network.filter(isAdminTier).sort(byOrder), ...network.filter(isDenyTier).sort(byOrder)];
    this.planAdmin(admin);
    for (const p of network.filter(isBaselineTier)) this.planBaseline(p);
    for (const p of network.filter(x => !isClusterTier(x) && (x.enforced || !x.ref.kind.startsWith('Cilium')))) this.planNamespaced(p);
    this.planLateAllows();
    if (this.problems.length > 0) return { cannotExpress: this.problems };
    return { plan: this.plan() };
  }

  private plan(): ImportPlan {
    const namespaces = [...new Set(this.intents.map(i => i.chart))].filter(c => c !== CLUSTER_CHART_ID).sort();
    const charts: PlanChart[] = [
      ...(this.clusterWide ? [{ id: CLUSTER_CHART_ID }] : []),
      ...namespaces.map(n => ({ id: n, namespace: n })),
    ];
    const order = new Map(charts.map((c, i) => [c.id, i]));
    const intents = [...this.intents].sort((a, b) => order.get(a.chart)! - order.get(b.chart)!);
    const engine: PlanEngine = {
      kind: this.engine,
      ...(this.cidrs.size > 0 || (this.http && this.options.ciliumHttpNormalizePath !== undefined) ? { target: this.target() } : {}),
      ...(this.clusterWide && this.engine === 'kubernetes' ? {
        clusterNetworkPolicy: {
          implementation: this.options.clusterNetworkPolicyImplementation ?? 'kubeNetworkPolicies',
          ...(this.baselineIngressFromPodsOnly ? { baselineIngressFromPodsOnly: true } : {}),
        },
      } : {}),
    };
    return { engine, charts, workloads: [...this.workloads.values()], intents };
  }

  private target(): PlanTarget {
    const podCidrs = [...this.options.podCidrs ?? []];
    const serviceCidrs = [...this.options.serviceCidrs ?? []];
    const overlapping = [...this.cidrs.values()].some(c => [...podCidrs, ...serviceCidrs].some(range => overlaps(c, range)));
    const declared = this.options.ciliumHttpNormalizePath;
    const normalize = this.http && declared !== undefined ? { ciliumHttpNormalizePath: declared } : {};
    return { podCidrs, serviceCidrs, ...(overlapping ? { acceptCidrsOverlappingPods: true } : {}), ...normalize };
  }

  // ---- the namespace tier ----

  private planNamespaced(p: AnalysisPolicy): void {
    if (p.subject.namespaces.kind !== 'names') {
      this.planClusterIsolation(p);
      return;
    }
    if (p.tier.defaultAction !== 'deny') {
      this.cannot(p, 'tier', `its tier ${p.tier.name} passes unmatched traffic on (defaultAction pass), so its policies isolate nothing; no intent says that`);
      return;
    }
    if (p.peerAuthentication) {
      this.cannot(p, 'spec', 'a PeerAuthentication: import writes network intents only');
      return;
    }
    for (const namespace of p.subject.namespaces.names) {
      const subject = this.subject(p, namespace, p.subject);
      if (!subject) continue;
      this.planDirections(p, subject);
    }
  }

  private planDirections(p: AnalysisPolicy, subject: Subject): void {
    const empty: PlanDirection[] = [];
    for (const direction of ['ingress', 'egress'] as const) {
      const rules = p[direction];
      if (!rules) continue;
      if (!rules.isolates) {
        // Allows that isolate nothing: always allowed, whatever else isolates the pods (see planLateAllows).
        rules.rules.forEach((rule, index) => {
          if (allowsNothing(rule)) return;
          if (rule.action !== 'allow') {
            this.cannot(p, rule.label, `a ${rule.action} rule in a namespace tier: intents of a namespace only allow`);
            return;
          }
          this.lateAllows.push({ policy: p, direction, rule, index });
        });
        continue;
      }
      if (rules.rules.every(allowsNothing)) empty.push(direction);
    }
    if (empty.length > 0) {
      this.add({
        kind: 'DefaultDeny',
        id: this.intentId(subject.namespace, p.ref.name),
        chart: subject.namespace,
        source: this.source(p),
        namespace: subject.namespace,
        ...(this.isEveryPod(subject) ? {} : { pods: this.workload(subject) }),
        directions: empty,
        ...this.audit(p),
        ...(empty.includes('egress') ? { acknowledgeDnsBlocked: true } : {}),
      });
    }
    for (const direction of ['ingress', 'egress'] as const) {
      if (!p[direction]?.isolates) continue;
      // A rule that matches no peer allows nothing (Cilium's default deny is `ingress: [{}]`): the isolation says it all.
      const rules = direction === 'egress' ? withDnsPairsMerged(p.egress?.rules ?? []) : (p.ingress?.rules ?? []).map((rule, index) => ({ rule, index }));
      rules.forEach(({ rule, index }) => (allowsNothing(rule) ? undefined : this.planRule(p, subject, direction, rule, index)));
    }
  }

  private planRule(p: AnalysisPolicy, subject: Subject, direction: Direction, rule: PolicyRule, index: number): void {
    const field = rule.label;
    if (rule.action !== 'allow') {
      this.cannot(p, field, `a ${rule.action} rule in a namespace tier: intents of a namespace only allow (a cluster-wide ClusterDeny is the one deny), so it cannot be written as one`);
      return;
    }
    if (rule.subjectPeers || rule.notPeers || rule.notSubjectPeers) {
      this.cannot(p, field, 'it narrows the policy\'s own pods or excludes peers (Calico source/destination selectors, notSelector, notNets): no intent selects that');
      return;
    }
    let http: PlanHttpRule[] | undefined;
    if (rule.http) {
      http = direction === 'ingress' && rule.nonHttpFlows !== 'match' ? httpRules(rule.http) : undefined;
      if (!http) {
        this.cannot(p, field, 'an HTTP (L7) rule other than exact methods with exact or prefix paths on ingress (Cilium rules.http as AllowFrom writes them: '
          + 'method M, path P(?:\\?.*)? or P.*): no HttpRule says it');
        return;
      }
      this.http = true;
    }
    const ports = this.ports(p, field, rule.ports);
    if (!ports) return;
    const base = `${p.ref.name}-${direction}-${index}`;
    const source = this.source(p, field);
    const dns = direction === 'egress' && !http ? dnsShape(rule) : undefined;
    if (dns) {
      // AllowDns adds nothing on the DNS pods' side: their ingress is the input's business alone.
      this.add({
        kind: 'AllowDns',
        id: this.intentId(subject.namespace, base),
        chart: subject.namespace,
        source,
        namespace: subject.namespace,
        ...(this.isEveryPod(subject) ? {} : { pods: this.workload(subject) }),
        ...dns,
        ...this.audit(p),
      });
      return;
    }
    const peers = this.peers(p, field, rule.peers, direction === 'ingress' ? 'egress' : 'ingress');
    if (!peers) return;
    if (direction === 'ingress') {
      this.add({
        kind: 'AllowFrom',
        id: this.intentId(subject.namespace, base),
        chart: subject.namespace,
        source,
        to: this.workload(subject),
        peers,
        ports,
        ...(http ? { http } : {}),
        ...this.audit(p),
      });
      return;
    }
    const cidrs = peers.filter((x): x is Extract<PlanPeer, { kind: 'cidr' }> => x.kind === 'cidr');
    const others = peers.filter(x => x.kind !== 'cidr');
    cidrs.forEach((c, j) => {
      this.add({
        kind: 'EgressToCidr',
        id: this.intentId(subject.namespace, cidrs.length === 1 && others.length === 0 ? base : `${base}-cidr-${j}`),
        chart: subject.namespace,
        source,
        workload: this.workload(subject),
        cidr: c.cidr,
        except: c.except,
        ports,
        acknowledgeDnsBlocked: true,
        ...this.audit(p),
      });
    });
    if (others.length > 0) {
      this.add({
        kind: 'AllowTo',
        id: this.intentId(subject.namespace, cidrs.length === 0 ? base : `${base}-pods`),
        chart: subject.namespace,
        source,
        workload: this.workload(subject),
        peers: others,
        ports,
        acknowledgeDnsBlocked: true,
        ...this.audit(p),
      });
    }
  }

  /** A namespace-tier policy over namespaces by labels: a ClusterDefaultDeny when it is one. */
  private planClusterIsolation(p: AnalysisPolicy): void {
    const scope = p.subject.namespaces;
    if (scope.kind !== 'selector') return;
    const except = exceptedNames(scope.selector);
    const directions = (['ingress', 'egress'] as const).filter(d => p[d] !== undefined);
    if (directions.length > 0 && directions.every(d => !p[d]!.isolates)) {
      // Allows over namespaces that isolate nothing: cluster-wide always-allows (planLateAllows); no DefaultDeny, no workload.
      this.planDirections(p, { namespace: '', labels: {}, expressions: [] });
      return;
    }
    const isolation = directions.every(d => p[d]!.isolates) && directions.length > 0;
    if (!except || p.subject.pods.op !== 'all' || p.subject.serviceAccounts || !isolation) {
      this.cannot(p, 'spec', 'a policy over namespaces by labels, or over some pods of them, that isolates: the cluster-wide isolating intents (ClusterDefaultDeny, '
        + 'ClusterAllowDns) cover every pod of every namespace but some names');
      return;
    }
    if (!this.alwaysExceptedHold(p, except, SELECT_EVERYTHING)) return;
    const isolated: PlanDirection[] = [];
    for (const d of directions) {
      const rules = (d === 'egress' ? withDnsPairsMerged(p[d]!.rules) : p[d]!.rules.map((rule, index) => ({ rule, index }))).filter(r => !allowsNothing(r.rule));
      // ClusterAllowDns isolates what it covers itself: a direction of DNS allowances only needs no ClusterDefaultDeny.
      if (d === 'ingress' || rules.length === 0 || !rules.every(r => dnsShape(r.rule))) isolated.push(d);
      for (const { rule, index } of rules) {
        if (rule.action !== 'allow') {
          this.cannot(p, rule.label, `a ${rule.action} rule in a namespace tier: intents of a namespace only allow`);
          continue;
        }
        this.lateAllows.push({ policy: p, direction: d, rule, index, except });
      }
    }
    this.clusterWide = true;
    if (isolated.length === 0) return;
    this.add({
      kind: 'ClusterDefaultDeny',
      id: this.intentId(CLUSTER_CHART_ID, p.ref.name),
      chart: CLUSTER_CHART_ID,
      source: this.source(p),
      exceptNamespaces: except,
      directions: isolated,
      ...(isolated.includes('egress') ? { acknowledgeDnsBlocked: true } : {}),
      ...this.audit(p),
    });
  }

  // ---- cluster-wide tiers ----

  /**
   * Admin-tier rules in evaluation order (policy by ascending priority, then rule by rule), each an
   * intent at a priority: the input's own priority when that keeps the order, else the next free number.
   */
  private planAdmin(admin: readonly AnalysisPolicy[]): void {
    let last = -1;
    const done = () => {
      this.lastAdminPriority = last;
    };
    let lastAction: string | undefined;
    for (const p of admin) {
      const subject = this.clusterSubject(p);
      for (const direction of ['ingress', 'egress'] as const) {
        const rules = p[direction];
        if (!rules) continue;
        let priority = Math.max(p.order ?? 0, last);
        rules.rules.forEach((rule, index) => {
          // Rules of one action may share a priority (their order changes nothing); a change of action needs a later one.
          if (priority === last && lastAction !== undefined && lastAction !== `${direction}:${rule.action}`) priority = last + 1;
          if (priority > 1000) {
            this.cannot(p, rule.label, 'the admin rules before it use up the priorities 0-1000 that keep their order; split the input over fewer rules with distinct actions');
            return;
          }
          last = priority;
          lastAction = `${direction}:${rule.action}`;
          if (!subject) return;
          const kind = rule.action === 'deny' ? 'ClusterDeny' : rule.action === 'allow' ? 'ClusterAlwaysAllow' : rule.action === 'pass' ? 'ClusterDelegateToNamespaces' : undefined;
          if (!kind) {
            this.cannot(p, rule.label, `a ${rule.action} rule: cluster-wide intents deny, always allow or delegate`);
            return;
          }
          if (rule.subjectPeers || rule.notPeers || rule.notSubjectPeers || rule.http) {
            this.cannot(p, rule.label, 'it narrows the policy\'s own pods, excludes peers or matches HTTP: no cluster-wide intent says that');
            return;
          }
          const ports = this.ports(p, rule.label, rule.ports);
          const peers = this.peers(p, rule.label, rule.peers, undefined);
          if (!ports || !peers) return;
          const intent: PlanClusterRule = {
            kind,
            id: this.intentId(CLUSTER_CHART_ID, `${p.ref.name}-${direction}-${index}`),
            chart: CLUSTER_CHART_ID,
            source: this.source(p, rule.label),
            priority,
            direction,
            peers,
            ports,
            ...subject,
            ...this.audit(p),
          };
          this.clusterWide = true;
          this.add(intent);
        });
      }
    }
    done();
  }

  /**
   * Allow rules that isolate nothing (Cilium `enableDefaultDeny: false`, our own admin allows on
   * Cilium) and the allow rules of a cluster-wide isolating policy: each a ClusterAlwaysAllow (a DNS
   * rule of a cluster-wide policy a ClusterAllowDns) at priority 1000, after every admin deny. The same
   * traffic: namespace intents only allow, so what an allow in the union allows is always allowed,
   * and what the admin rules deny is denied first, as Cilium's denies win over every allow.
   */
  private planLateAllows(): void {
    if (this.lateAllows.length === 0) return;
    if (this.lastAdminPriority >= 1000) {
      const first = this.lateAllows[0];
      this.cannot(first.policy, first.rule.label, 'it must come after every admin rule, which use up the priorities 0-1000');
      return;
    }
    for (const { policy: p, direction, rule, index, except } of this.lateAllows) {
      if (except !== undefined && direction === 'egress') {
        const dns = dnsShape(rule);
        if (dns) {
          this.clusterWide = true;
          this.add({
            kind: 'ClusterAllowDns',
            id: this.intentId(CLUSTER_CHART_ID, `${p.ref.name}-${direction}-${index}`),
            chart: CLUSTER_CHART_ID,
            source: this.source(p, rule.label),
            exceptNamespaces: [...new Set([...except, ...ALWAYS_EXCEPTED_NAMESPACES])].sort(),
            priority: 1000,
            ...dns,
            ...this.audit(p),
          });
          continue;
        }
      }
      const subject = this.clusterSubject(p);
      if (!subject) continue;
      if (rule.subjectPeers || rule.notPeers || rule.notSubjectPeers || rule.http) {
        this.cannot(p, rule.label, 'it narrows the policy\'s own pods, excludes peers or matches HTTP: no cluster-wide intent says that');
        continue;
      }
      const ports = this.ports(p, rule.label, rule.ports);
      const peers = this.peers(p, rule.label, rule.peers, undefined);
      if (!ports || !peers) continue;
      this.clusterWide = true;
      this.add({
        kind: 'ClusterAlwaysAllow',
        id: this.intentId(CLUSTER_CHART_ID, `${p.ref.name}-${direction}-${index}`),
        chart: CLUSTER_CHART_ID,
        source: this.source(p, rule.label),
        priority: 1000,
        direction,
        peers,
        ports,
        ...subject,
        ...this.audit(p),
      });
    }
  }

  /** A Baseline-tier policy: a ClusterDefaultDeny when it denies everything of every namespace but some names. */
  private planBaseline(p: AnalysisPolicy): void {
    const scope = p.subject.namespaces;
    const except = scope.kind === 'selector' ? exceptedNames(scope.selector) : undefined;
    const directions: PlanDirection[] = [];
    let podsOnly = false;
    for (const direction of ['ingress', 'egress'] as const) {
      const rules = p[direction];
      if (!rules) continue;
      const [rule, ...rest] = rules.rules;
      const everything = rule !== undefined && rest.length === 0 && rule.action === 'deny' && rule.ports === undefined && !rule.subjectPeers && !rule.notPeers
        && !rule.notSubjectPeers && (rule.peers === undefined || rule.peers.some(isEveryPod));
      if (!everything) {
        this.cannot(p, direction, 'a Baseline-tier rule other than one Deny of everything: the Baseline tier decides only for pods no NetworkPolicy selects, '
          + 'and the one intent that says that is ClusterDefaultDeny (every pod of every namespace but some names, every peer and port)');
        return;
      }
      if (direction === 'ingress' && rule.peers !== undefined) podsOnly = true;
      directions.push(direction);
    }
    if (!except || p.subject.pods.op !== 'all' || directions.length === 0) {
      this.cannot(p, 'spec.subject', 'a Baseline tier policy over some pods, or over namespaces by labels: ClusterDefaultDeny covers every pod of every namespace but some names');
      return;
    }
    if (!this.alwaysExceptedHold(p, except, SELECT_EVERYTHING)) return;
    if (podsOnly) this.baselineIngressFromPodsOnly = true;
    this.clusterWide = true;
    this.add({
      kind: 'ClusterDefaultDeny',
      id: this.intentId(CLUSTER_CHART_ID, p.ref.name),
      chart: CLUSTER_CHART_ID,
      source: this.source(p),
      exceptNamespaces: except,
      directions,
      ...(directions.includes('egress') ? { acknowledgeDnsBlocked: true } : {}),
      ...this.audit(p),
    });
  }

  /** The subject fields of a cluster-wide rule, from an admin policy's selection. */
  private clusterSubject(p: AnalysisPolicy): Pick<PlanClusterRule, 'exceptNamespaces' | 'namespaceLabels' | 'namespaceExpressions' | 'podLabels' | 'podExpressions'> | undefined {
    const s = p.subject;
    if (s.serviceAccounts) {
      this.cannot(p, 'spec.subject', 'a subject by service account: cluster-wide intents select pods by labels');
      return undefined;
    }
    const pods = labelsOf(s.pods);
    if (!pods) {
      this.cannot(p, 'spec.subject', 'its pod selector uses || or !, which no label selector says');
      return undefined;
    }
    let except: string[] = [];
    let namespaces: { labels: Record<string, string>; expressions: PlanExpression[] } | undefined;
    if (s.namespaces.kind === 'names') {
      namespaces = { labels: {}, expressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...s.namespaces.names].sort() }] };
    } else {
      const split = splitExcept(s.namespaces.selector);
      namespaces = split ? labelsOf(split.rest) : undefined;
      except = split?.except ?? [];
    }
    if (!namespaces) {
      this.cannot(p, 'spec.subject', 'its namespace selector uses || or !, which no label selector says');
      return undefined;
    }
    const selection: SelectorExpr = s.pods;
    if (!this.alwaysExceptedHold(p, except, selection, s)) return undefined;
    return {
      exceptNamespaces: [...new Set([...except, ...ALWAYS_EXCEPTED_NAMESPACES])].sort(),
      namespaceLabels: namespaces.labels,
      namespaceExpressions: namespaces.expressions,
      podLabels: pods.labels,
      podExpressions: pods.expressions,
    };
  }

  /**
   * Cluster-wide intents always leave kube-system and calico-system alone: an input that covers a
   * pod there cannot be written as one.
   */
  private alwaysExceptedHold(p: AnalysisPolicy, except: readonly string[], pods: SelectorExpr, selection?: PodSelection): boolean {
    for (const name of ALWAYS_EXCEPTED_NAMESPACES) {
      if (except.includes(name)) continue;
      const covered = this.cluster.pods.find(pod => pod.namespace === name
        && (selection ? selectionMatchesPod(this.cluster, selection, pod) : !pod.hostNetwork && matchesSelector(pods, pod.labels)));
      if (covered) {
        this.cannot(p, 'spec.subject', `it covers pod ${covered.namespace}/${covered.name}, and every cluster-wide intent leaves ${name} alone; except ${name} in the input, `
          + 'or write its policies for that namespace as NetworkPolicies');
        return false;
      }
    }
    return true;
  }

  // ---- pieces ----

  private subject(p: AnalysisPolicy, namespace: string, selection: PodSelection): Subject | undefined {
    const labels = labelsOf(selection.pods);
    if (!labels) {
      this.cannot(p, 'subject', 'its pod selector uses || or ! (a Calico selector), which no label selector says');
      return undefined;
    }
    if (selection.serviceAccounts && selection.serviceAccounts.length > 1) {
      this.cannot(p, 'subject', `it selects pods of ${selection.serviceAccounts.length} service accounts; a workload names one`);
      return undefined;
    }
    const serviceAccount = selection.serviceAccounts ? { serviceAccount: selection.serviceAccounts[0] } : {};
    return { namespace, labels: labels.labels, expressions: labels.expressions, ...serviceAccount };
  }

  private isEveryPod(s: Subject): boolean {
    return Object.keys(s.labels).length === 0 && s.expressions.length === 0 && s.serviceAccount === undefined;
  }

  /** The variable of the workload of a subject, declared on first use. */
  private workload(s: Subject): string {
    const key = JSON.stringify([s.namespace, sortedLabels(s.labels), s.expressions, s.serviceAccount ?? null]);
    const known = this.workloads.get(key);
    if (known) return known.id;
    const base = this.isEveryPod(s) ? `${s.namespace}-pods`
      : s.labels.app ?? s.labels['app.kubernetes.io/name'] ?? s.labels.name ?? s.labels['k8s-app'] ?? s.serviceAccount
        ?? Object.values(s.labels)[0] ?? s.expressions[0]?.key ?? 'workload';
    let id = identifier(base, 'Workload');
    if (id.endsWith('Chart')) id = `${id}Workload`;
    if (this.usedVariables.has(id)) id = identifier(`${s.namespace}-${base}`, 'Workload');
    for (let n = 2; this.usedVariables.has(id) || this.isChartVariable(id); n++) id = `${identifier(`${s.namespace}-${base}`, 'Workload')}${n}`;
    this.usedVariables.add(id);
    this.workloads.set(key, {
      id,
      namespace: s.namespace,
      labels: sortedLabels(s.labels),
      expressions: s.expressions,
      ...(s.serviceAccount ? { serviceAccount: s.serviceAccount } : {}),
    });
    return id;
  }

  private isChartVariable(id: string): boolean {
    return id.endsWith('Chart') || id === chartVariable({ id: CLUSTER_CHART_ID });
  }

  private ports(p: AnalysisPolicy, field: string, ports: readonly PortMatch[] | undefined): PlanPort[] | undefined {
    if (ports === undefined) return [{ kind: 'allTraffic' }];
    const out: PlanPort[] = [];
    for (const port of ports) {
      const protocols = port.protocol === 'ANY' ? (['TCP', 'UDP', 'SCTP'] as const) : [port.protocol];
      if (port.namedPortResolution === 'cluster') {
        this.cannot(p, field, `named port ${String(port.port)} resolved over the whole cluster (Cilium egress): no intent names a port that way; write its number`);
        return undefined;
      }
      if (port.protocol === 'ANY' && port.port === undefined) {
        out.push({ kind: 'allTraffic' });
        continue;
      }
      for (const protocol of protocols) {
        if (port.port === undefined) out.push({ kind: 'all', protocol });
        else if (typeof port.port === 'string') out.push({ kind: 'named', protocol, name: port.port });
        else if (port.endPort !== undefined && port.endPort !== port.port) out.push({ kind: 'range', protocol, from: port.port, to: port.endPort });
        else out.push({ kind: 'port', protocol, port: port.port });
      }
    }
    if (out.some(x => x.kind === 'allTraffic')) return [{ kind: 'allTraffic' }];
    return out;
  }

  /**
   * The peers of a rule. `otherSide`: the direction an intent would add on pod peers in one named
   * namespace (undefined for cluster-wide rules, which add none); when some of those pods are
   * isolated in it, the peer is written by namespace labels, so that no side is added.
   */
  private peers(p: AnalysisPolicy, field: string, peers: readonly PeerMatch[] | undefined, otherSide: Direction | undefined): PlanPeer[] | undefined {
    if (peers === undefined) return [{ kind: 'anyone' }];
    if (peers.length === 0) {
      this.cannot(p, field, 'a rule on ports with an empty peer list: it allows nothing; remove it');
      return undefined;
    }
    if (peers.some((peer) => peer.kind === 'dnsName')) {
      // The analyzer decides DNS names (docs/ANALYSIS.md "DNS names"), but import does not plan EgressToFqdn yet.
      this.cannot(p, field, 'a rule on DNS names (Cilium toFQDNs), which import does not plan as an intent yet; write it as EgressToFqdn by hand');
      return undefined;
    }
    const out: PlanPeer[] = [];
    for (const peer of peers) {
      switch (peer.kind) {
        case 'entity':
          if (peer.entity === 'all') {
            out.push({ kind: 'anyone' });
          } else {
            this.cannot(p, field, `the Cilium entity ${peer.entity}: of the entities, only all (Peer.anyone()) is an intent's peer`);
            return undefined;
          }
          break;
        case 'ipBlock':
          this.cidrs.set(`${peer.cidr.text} ${peer.except.map(c => c.text).join(' ')}`, peer);
          out.push({ kind: 'cidr', cidr: peer.cidr.text, except: peer.except.map(c => c.text) });
          break;
        case 'pods': {
          if (peer.requiresMtls || peer.identity) {
            this.cannot(p, field, 'a peer by mTLS identity (Istio principal): import writes network intents only');
            return undefined;
          }
          const pods = labelsOf(peer.selection.pods);
          if (!pods) {
            this.cannot(p, field, 'a peer selector with || or ! (Calico), which no label selector says');
            return undefined;
          }
          const accounts: (string | undefined)[] = peer.selection.serviceAccounts ? [...peer.selection.serviceAccounts] : [undefined];
          const scope = peer.selection.namespaces;
          for (const serviceAccount of accounts) {
            if (scope.kind === 'names') {
              for (const name of scope.names) out.push(this.namedPeer(name, pods, serviceAccount, otherSide, peer));
            } else {
              const ns = labelsOf(scope.selector);
              if (!ns) {
                this.cannot(p, field, 'a namespace selector with || or ! (Calico), which no label selector says');
                return undefined;
              }
              const keys = Object.keys(ns.labels);
              if (keys.length === 1 && keys[0] === NAMESPACE_NAME_LABEL && ns.expressions.length === 0) {
                // The name label the API server sets: the namespace by its name, as the user would write it.
                out.push(this.namedPeer(ns.labels[NAMESPACE_NAME_LABEL], pods, serviceAccount, otherSide, peer));
                continue;
              }
              const namespaces: PlanNamespaces = keys.length === 0 && ns.expressions.length === 0 ? { kind: 'all' } : { kind: 'labels', ...ns };
              out.push({ kind: 'pods', podLabels: pods.labels, podExpressions: pods.expressions, namespaces, ...(serviceAccount ? { serviceAccount } : {}) });
            }
          }
          break;
        }
      }
    }
    return out;
  }

  private namedPeer(name: string, pods: { labels: Record<string, string>; expressions: PlanExpression[] },
    serviceAccount: string | undefined, otherSide: Direction | undefined, peer: Extract<PeerMatch, { kind: 'pods' }>): PlanPeer {
    const selection: PodSelection = { namespaces: { kind: 'names', names: [name] }, pods: peer.selection.pods, ...(serviceAccount ? { serviceAccounts: [serviceAccount] } : {}) };
    const isolated = otherSide !== undefined
      && this.cluster.pods.some(pod => selectionMatchesPod(this.cluster, selection, pod) && this.isolatedIn(pod, otherSide));
    if (isolated || otherSide === undefined) {
      // Written by the namespace's name label: no other side is added (and cluster-wide rules need a namespace anyway).
      const namespaces: PlanNamespaces = otherSide === undefined ? { kind: 'name', name } : { kind: 'labels', labels: { [NAMESPACE_NAME_LABEL]: name }, expressions: [] };
      return { kind: 'pods', podLabels: pods.labels, podExpressions: pods.expressions, namespaces, ...(serviceAccount ? { serviceAccount } : {}) };
    }
    if (Object.keys(pods.labels).length === 0 && pods.expressions.length === 0 && serviceAccount === undefined) return { kind: 'namespace', name };
    return { kind: 'workload', workload: this.workload({ namespace: name, labels: pods.labels, expressions: pods.expressions, ...(serviceAccount ? { serviceAccount } : {}) }) };
  }

  /** Whether an enforced namespace-tier policy of the input isolates the pod in the direction. */
  private isolatedIn(pod: ClusterModel['pods'][number], direction: Direction): boolean {
    return this.policies.some(x => x.layer === 'network' && x.enforced && !isClusterTier(x)
      && x[direction]?.isolates === true && selectionMatchesPod(this.cluster, x.subject, pod))
      || this.policies.some(x => x.layer === 'network' && x.enforced && isBaselineTier(x) && x[direction] !== undefined);
  }

  private add(intent: PlanIntent): void {
    this.intents.push(intent);
  }

  private audit(p: AnalysisPolicy): { audit?: boolean } {
    return p.enforced ? {} : { audit: true };
  }

  private intentId(chart: string, base: string): string {
    const ids = this.intentIds.get(chart) ?? new Set<string>();
    this.intentIds.set(chart, ids);
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
    ids.add(id);
    return id;
  }

  private source(p: AnalysisPolicy, field?: string): PlanSource {
    return { object: formatPolicyRef(p.ref), ...(field ? { field } : {}), ...(p.source ? { location: formatSourceLocation(p.source) } : {}) };
  }

  private cannot(p: AnalysisPolicy, field: string, reason: string): void {
    this.problems.push({ object: formatPolicyRef(p.ref), ...(p.source ? { location: formatSourceLocation(p.source) } : {}), field, reason });
  }
}

const SELECT_EVERYTHING: SelectorExpr = { op: 'all' };

function byOrder(a: AnalysisPolicy, b: AnalysisPolicy): number {
  const x = a.order ?? Number.POSITIVE_INFINITY;
  const y = b.order ?? Number.POSITIVE_INFINITY;
  if (x !== y) return x < y ? -1 : 1;
  const ka = formatPolicyRef(a.ref);
  const kb = formatPolicyRef(b.ref);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Whether a peer matches every pod of every namespace. */
export function isEveryPod(peer: PeerMatch): boolean {
  return peer.kind === 'entity' ? peer.entity === 'all' || peer.entity === 'cluster'
    : peer.kind === 'pods' && !peer.requiresMtls && !peer.identity && !peer.selection.serviceAccounts && peer.selection.pods.op === 'all'
      && peer.selection.namespaces.kind === 'selector' && peer.selection.namespaces.selector.op === 'all';
}

/** The leaves of an `and` of leaves, flattened; undefined for `or` and `not`. */
function leaves(s: SelectorExpr): SelectorExpr[] | undefined {
  switch (s.op) {
    case 'all': return [];
    case 'and': {
      const out: SelectorExpr[] = [];
      for (const t of s.terms) {
        const l = leaves(t);
        if (!l) return undefined;
        out.push(...l);
      }
      return out;
    }
    case 'or':
    case 'not':
      return undefined;
    default:
      return [s];
  }
}

/** A selector as matchLabels and expressions, when it is an `and` of Kubernetes requirements. */
export function labelsOf(s: SelectorExpr): { labels: Record<string, string>; expressions: PlanExpression[] } | undefined {
  const terms = leaves(s);
  if (!terms) return undefined;
  const labels: Record<string, string> = {};
  const expressions: PlanExpression[] = [];
  for (const t of terms) {
    switch (t.op) {
      case 'in':
        if (t.values.length === 1 && !Object.prototype.hasOwnProperty.call(labels, t.key)) labels[t.key] = t.values[0];
        else expressions.push({ key: t.key, operator: 'In', values: [...new Set(t.values)].sort() });
        break;
      case 'notIn':
        expressions.push({ key: t.key, operator: 'NotIn', values: [...new Set(t.values)].sort() });
        break;
      case 'exists':
        expressions.push({ key: t.key, operator: 'Exists' });
        break;
      case 'doesNotExist':
        expressions.push({ key: t.key, operator: 'DoesNotExist' });
        break;
      default:
        return undefined;
    }
  }
  return { labels: sortedLabels(labels), expressions };
}

/** The names a namespace selector leaves out and the rest of it, when its only name condition is a `NotIn` of names. */
function splitExcept(s: SelectorExpr): { except: string[]; rest: SelectorExpr } | undefined {
  const terms = leaves(s);
  if (!terms) return undefined;
  const except: string[] = [];
  const rest: SelectorExpr[] = [];
  for (const t of terms) {
    if (t.op === 'notIn' && t.key === NAMESPACE_NAME_LABEL) except.push(...t.values);
    else if (t.op !== 'exists' || t.key !== NAMESPACE_NAME_LABEL) rest.push(t); // every namespace has its name label (Cilium writes the Exists)
  }
  return { except: [...new Set(except)].sort(), rest: rest.length === 0 ? { op: 'all' } : { op: 'and', terms: rest } };
}

/** The names of a selector that means "every namespace but these names" (nothing else), or undefined. */
function exceptedNames(s: SelectorExpr): string[] | undefined {
  const split = splitExcept(s);
  if (!split || (leaves(split.rest) ?? [null]).length > 0) return undefined;
  return split.except;
}

function sortedLabels(l: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(l).sort()) out[k] = l[k];
  return out;
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  return JSON.stringify(sortedLabels(a)) === JSON.stringify(sortedLabels(b));
}

/** network-policy-api's Admin tier, or Calico's tier for it. */
function isAdminTier(p: AnalysisPolicy): boolean {
  return p.tier.name === ADMIN_TIER.name || p.tier.name === 'kube-admin';
}

/** network-policy-api's Baseline tier, or Calico's tier for it. */
function isBaselineTier(p: AnalysisPolicy): boolean {
  return p.tier.name === BASELINE_TIER.name || p.tier.name === 'kube-baseline';
}

/** Cilium's deny rules (`ingressDeny` / `egressDeny`): a tier before the allows, whose rules all deny. */
function isDenyTier(p: AnalysisPolicy): boolean {
  return p.tier.name === CILIUM_DENY_TIER.name;
}

/** The tiers that are not the namespace tier of allowances. */
function isClusterTier(p: AnalysisPolicy): boolean {
  return isAdminTier(p) || isBaselineTier(p) || isDenyTier(p);
}

/** Whether a block (minus its excepts) shares addresses with a range of the cluster's (target checks decide the same, and fail closed). */
function overlaps(block: Extract<PeerMatch, { kind: 'ipBlock' }>, range: string): boolean {
  const r = tryParseCidr(range);
  if (typeof r === 'string' || r.family !== block.cidr.family) return false;
  if (cidrContainsCidr(r, block.cidr)) return true;
  return cidrContainsCidr(block.cidr, r) && !block.except.some(e => cidrContainsCidr(e, r));
}

/**
 * An allow rule that matches no peer and names no port (Cilium's default deny `ingress: [{}]`), or
 * matches no port: it allows nothing. A rule with ports and no peer the analyzer knows is not one:
 * Cilium reads `toFQDNs` (DNS names, which the cluster model cannot resolve) that way, and that
 * allowance must not be dropped in silence (`planRule` names it).
 */
function allowsNothing(rule: PolicyRule): boolean {
  return rule.action === 'allow' && ((rule.peers !== undefined && rule.peers.length === 0 && rule.ports === undefined)
    || (rule.ports !== undefined && rule.ports.length === 0));
}

/**
 * HTTP matches as HttpRules, when each is what the Cilium dialect writes for one (an exact method
 * `M`; a path `P(?:\?.*)?` for exact `P`, `P.*` for prefix `P`, with `P` a literal), or undefined.
 */
function httpRules(matches: readonly HttpMatch[]): PlanHttpRule[] | undefined {
  const out: PlanHttpRule[] = [];
  for (const m of matches) {
    if (m.host || m.methods || m.methodCondition || m.urlPathCondition) return undefined;
    let method: string | undefined;
    if (m.method) {
      if (m.method.kind !== 'regex' && m.method.kind !== 'exact') return undefined;
      if (!/^[A-Z][A-Z0-9_-]*$/.test(m.method.value)) return undefined;
      method = m.method.value;
    }
    let path: PlanHttpRule['path'];
    if (m.path) {
      if (m.path.kind !== 'regex') return undefined;
      const exact = m.path.value.endsWith('(?:\\?.*)?') ? literalOfRe2(m.path.value.slice(0, -'(?:\\?.*)?'.length)) : undefined;
      const prefix = exact === undefined && m.path.value.endsWith('.*') ? literalOfRe2(m.path.value.slice(0, -2)) : undefined;
      if (exact !== undefined) path = { kind: 'exact', value: exact };
      else if (prefix !== undefined) path = { kind: 'prefix', value: prefix };
      else return undefined;
    }
    if (method === undefined && path === undefined) return undefined;
    out.push({ ...(method !== undefined ? { method } : {}), ...(path ? { path } : {}) });
  }
  return out.length > 0 ? out : undefined;
}

/** The string an RE2 regex matches when it is a literal (metacharacters escaped), or undefined. */
function literalOfRe2(regex: string): string | undefined {
  const meta = '\\^$.|?*+()[]{}';
  let out = '';
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i];
    if (c === '\\') {
      const next = regex[i + 1];
      if (next === undefined || !meta.includes(next)) return undefined;
      out += next;
      i++;
    } else if (meta.includes(c)) {
      return undefined;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * `AllowDns` props when the rule is exactly one: one peer of pods by labels in one namespace (by
 * name, or by namespace labels), on UDP 53 and TCP 53 and nothing else; undefined otherwise.
 */
function dnsShape(rule: PolicyRule): Pick<PlanAllowDns, 'dnsNamespaceLabels' | 'dnsPodLabels'> | undefined {
  const [peer, ...others] = rule.peers ?? [];
  if (!peer || others.length > 0 || peer.kind !== 'pods' || peer.requiresMtls || peer.identity || peer.selection.serviceAccounts) return undefined;
  const ports = (rule.ports ?? []).map(x => (typeof x.port === 'number' && (x.endPort === undefined || x.endPort === x.port) ? `${x.protocol} ${x.port}` : '')).sort();
  if (ports.length !== 2 || ports[0] !== 'TCP 53' || ports[1] !== 'UDP 53') return undefined;
  const pods = labelsOf(peer.selection.pods);
  if (!pods || pods.expressions.length > 0 || Object.keys(pods.labels).length === 0) return undefined;
  const scope = peer.selection.namespaces;
  let namespaceLabels: Record<string, string>;
  if (scope.kind === 'names') {
    if (scope.names.length !== 1) return undefined;
    namespaceLabels = { [NAMESPACE_NAME_LABEL]: scope.names[0] };
  } else {
    const ns = labelsOf(scope.selector);
    if (!ns || ns.expressions.length > 0 || Object.keys(ns.labels).length === 0) return undefined;
    namespaceLabels = ns.labels;
  }
  const defaultNamespace = sameLabels(namespaceLabels, { [NAMESPACE_NAME_LABEL]: 'kube-system' });
  const defaultPods = sameLabels(pods.labels, { 'k8s-app': 'kube-dns' });
  return { ...(defaultNamespace ? {} : { dnsNamespaceLabels: namespaceLabels }), ...(defaultPods ? {} : { dnsPodLabels: pods.labels }) };
}

/**
 * The rules with their indexes, where a rule on UDP 53 and a rule on TCP 53 to the same peers (Calico
 * writes one protocol per rule) are taken as one rule on both ports — a union, so the same traffic —
 * for `AllowDns` to recognize; every other rule as it is.
 */
function withDnsPairsMerged(rules: readonly PolicyRule[]): { rule: PolicyRule; index: number }[] {
  const out: { rule: PolicyRule; index: number }[] = [];
  const used = new Set<number>();
  const only = (r: PolicyRule, protocol: string) => r.action === 'allow' && !r.http && !r.subjectPeers && !r.notPeers && !r.notSubjectPeers
    && r.ports?.length === 1 && r.ports[0].protocol === protocol && r.ports[0].port === 53 && r.ports[0].endPort === undefined
    && r.peers !== undefined;
  rules.forEach((rule, index) => {
    if (used.has(index)) return;
    if (only(rule, 'UDP')) {
      const twin = rules.findIndex((r, j) => !used.has(j) && j !== index && only(r, 'TCP') && JSON.stringify(r.peers) === JSON.stringify(rule.peers));
      if (twin >= 0 && dnsShape({ ...rule, ports: [...rule.ports!, ...rules[twin].ports!] })) {
        used.add(twin);
        out.push({ rule: { ...rule, label: `${rule.label} and ${rules[twin].label}`, ports: [...rule.ports!, ...rules[twin].ports!] }, index });
        return;
      }
    }
    out.push({ rule, index });
  });
  return out;
}
