import * as ipaddr from 'ipaddr.js';
import { calicoCapabilities, CalicoDialectOptions } from './capabilities';
import { labelSelectorNode } from './label-selector';
import { CalicoSelectorNode, renderSelector } from './selector-ast';
import {
  toJson_GlobalNetworkPolicySpec, GlobalNetworkPolicySpec, GlobalNetworkPolicySpecTypes,
} from '../../imports/calico-gnp-projectcalico.org';
import {
  toJson_NetworkPolicySpec, toJson_NetworkPolicySpecEgress, toJson_NetworkPolicySpecIngress,
  NetworkPolicySpec, NetworkPolicySpecEgress, NetworkPolicySpecEgressAction, NetworkPolicySpecEgressDestinationPorts,
  NetworkPolicySpecEgressProtocol, NetworkPolicySpecIngress, NetworkPolicySpecIngressAction,
  NetworkPolicySpecIngressDestinationPorts, NetworkPolicySpecIngressProtocol, NetworkPolicySpecTypes,
} from '../../imports/calico-np-projectcalico.org';
import { StagedGlobalNetworkPolicySpecStagedAction } from '../../imports/calico-sgnp-projectcalico.org';
import { StagedNetworkPolicySpecStagedAction } from '../../imports/calico-snp-projectcalico.org';
import {
  AllowStatement, ClusterActionModel, ClusterAllowStatement, ClusterIsolateStatement, ClusterRuleStatement, ClusterSubjectModel, DirectionModel,
  HttpRuleModel, IsolateStatement, LabelSelectorModel, OriginModel, PeerModel, PodSetModel, PortModel, Statement, statementToString,
} from '../../model';
import { Dialect, RenderContext, RenderedObject } from '../dialect';
import { calicoRuleMetadata } from '../intent-metadata';
import { allowSubjects } from '../source-half';

/** The Calico API group and version every object is written in. */
export const CALICO_API_VERSION = 'projectcalico.org/v3';
/** Namespace label Calico puts on every namespace: its name. */
export const CALICO_NAMESPACE_NAME_LABEL = 'projectcalico.org/name';
/** ServiceAccount label Calico puts on every service account: its name. */
export const CALICO_SERVICE_ACCOUNT_NAME_LABEL = 'projectcalico.org/name';
/** Workload-endpoint label that marks Kubernetes pods (not host endpoints, not network sets). */
export const CALICO_ORCHESTRATOR_LABEL = 'projectcalico.org/orchestrator';

/**
 * Calico's fixed tier for cluster-wide admin rules (order 1000, default action Pass), where Calico
 * also puts ClusterNetworkPolicy Admin-tier objects with `order` = their priority [CAL
 * libcalico-go/lib/backend/k8s/conversion/clusternetworkpolicy.go, v3.32.1]: our admin rules and
 * those of ClusterNetworkPolicies share one order.
 */
export const CALICO_ADMIN_TIER = 'kube-admin';

/** `projectcalico.org/orchestrator == 'k8s'`: what Calico itself adds to every pod selector of a Kubernetes NetworkPolicy. */
const KUBERNETES_PODS: CalicoSelectorNode = { op: 'eq', key: CALICO_ORCHESTRATOR_LABEL, value: 'k8s' };

const TYPES: Record<DirectionModel, NetworkPolicySpecTypes> = { ingress: NetworkPolicySpecTypes.INGRESS, egress: NetworkPolicySpecTypes.EGRESS };

/** Where a rule's selectors are evaluated: inside one namespace (NetworkPolicy) or cluster-wide (GlobalNetworkPolicy). */
type RuleScope = { readonly kind: 'namespace'; readonly namespace: string } | { readonly kind: 'global' };

/** An entity rule (source or destination) without ports; empty = every packet. */
interface Entity {
  readonly selector?: string;
  readonly namespaceSelector?: string;
  readonly nets?: string[];
  readonly notNets?: string[];
  readonly serviceAccounts?: { readonly names: string[] };
  /** Calico Enterprise only; not in the Open Source schema. */
  readonly domains?: string[];
}

/** One group of ports that share a rule: a protocol (undefined = every protocol) and ports (undefined = every port). */
interface PortGroup {
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  readonly ports?: (number | string)[];
}

/** Calico rule actions of the admin actions. */
const ADMIN_ACTIONS: Record<ClusterActionModel, NetworkPolicySpecIngressAction> = {
  deny: NetworkPolicySpecIngressAction.DENY,
  allow: NetworkPolicySpecIngressAction.ALLOW,
  delegate: NetworkPolicySpecIngressAction.PASS,
};

/** Where a global policy goes: its tier and order. */
interface Placement {
  readonly tier: string;
  readonly order: number;
}

/** The rule lists of one policy (already JSON) and what they need. */
interface Rules {
  readonly ingress?: Record<string, unknown>[];
  readonly egress?: Record<string, unknown>[];
}

/**
 * Renders the model to projectcalico.org/v3 objects: NetworkPolicy for
 * namespaced statements, GlobalNetworkPolicy for cluster-wide ones, and their
 * Staged* kinds for audit-stage statements.
 *
 * Every policy carries explicit `tier`, `order` and `types`. In the engine's
 * tier there are only `Allow` rules: isolation is the tier's end-of-tier Deny,
 * which applies to every pod some policy of the tier selects. So the meaning
 * is the union of the allows, whatever the order among our policies and
 * Kubernetes NetworkPolicies (`knp.default.*`, Allow-only too). Cluster-wide
 * admin rules (and the allowance of a cluster-wide allow) go to Calico's
 * `kube-admin` tier, before it, with `order` = their priority and their own
 * action (Deny, Allow, Pass); unmatched traffic passes on (the tier's default
 * action). Every pod selector is restricted to
 * Kubernetes pods (`projectcalico.org/orchestrator == 'k8s'`), as Calico does
 * for NetworkPolicies, so host endpoints and network sets never match.
 */
export class CalicoDialect implements Dialect {
  public readonly name = 'calico';
  public readonly capabilities;

  constructor(private readonly options: CalicoDialectOptions) {
    this.capabilities = calicoCapabilities(options);
  }

  /** Calico-specific guardrails the capability table cannot see. */
  public check(s: Statement): string[] {
    return calicoProblems(s);
  }

  public render(s: Statement, ctx: RenderContext): RenderedObject[] {
    const problems = calicoProblems(s);
    if (problems.length) throw new Error(problems.join(' ')); // fail closed even if `check` was not consulted
    switch (s.kind) {
      case 'isolate': return [this.renderIsolate(s, ctx)];
      case 'allow': return this.renderAllow(s, ctx);
      case 'isolate-cluster': return [this.renderClusterIsolate(s, ctx)];
      case 'allow-cluster': return this.renderClusterAllow(s, ctx);
      case 'cluster-rule': return [this.renderClusterRule(s, ctx)];
      case 'mtls': throw new Error('unsupported statement mtls'); // never reached: the capability table marks mTLS unsupported
    }
  }

  private renderIsolate(s: IsolateStatement, ctx: RenderContext): RenderedObject {
    const types = (['ingress', 'egress'] as const).filter(d => s.directions.includes(d));
    return this.namespaced(s, ctx.objectName(s.origin), s.subject, types, {});
  }

  private renderAllow(s: AllowStatement, ctx: RenderContext): RenderedObject[] {
    const subjects = allowSubjects(s, ctx);
    const suffix = s.purpose === 'dns' ? undefined : s.isolating ? s.direction : `${s.direction}-${s.subject.namespace}`;
    return subjects.map((subject, i) => {
      const rules = this.rules(s, s.direction, s.peers, s.ports, s.http, { kind: 'namespace', namespace: subject.namespace });
      const name = ctx.objectName(s.origin, [suffix, subjects.length > 1 ? String(i + 1) : undefined].filter(Boolean).join('-') || undefined);
      return this.namespaced(s, name, subject, [s.direction], rules);
    });
  }

  private renderClusterIsolate(s: ClusterIsolateStatement, ctx: RenderContext): RenderedObject {
    const types = (['ingress', 'egress'] as const).filter(d => s.directions.includes(d));
    return this.global(s, ctx.objectName(s.origin), everyPodExcept(s.exceptNamespaces), types, {}, this.enginePlacement());
  }

  /**
   * The allowance in the kube-admin tier at its priority (an Allow there holds against every
   * namespace's own default deny, which lives in a later tier), and the isolation in the engine's
   * tier: a policy with no rules, whose end-of-tier Deny isolates the pods.
   */
  private renderClusterAllow(s: ClusterAllowStatement, ctx: RenderContext): RenderedObject[] {
    const rules = this.rules(s, s.direction, s.peers, s.ports, undefined, { kind: 'global' });
    const subject = everyPodExcept(s.exceptNamespaces);
    const base = s.purpose === 'dns' ? undefined : s.direction;
    return [
      this.global(s, ctx.objectName(s.origin, base), subject, [s.direction], rules, { tier: CALICO_ADMIN_TIER, order: s.priority }),
      this.global(s, ctx.objectName(s.origin, [base, 'isolation'].filter(Boolean).join('-')), subject, [s.direction], {}, this.enginePlacement()),
    ];
  }

  /** An admin rule: a GlobalNetworkPolicy in the kube-admin tier with `order` = its priority and rules with its action. */
  private renderClusterRule(s: ClusterRuleStatement, ctx: RenderContext): RenderedObject {
    const rules = this.rules(s, s.direction, s.peers, s.ports, undefined, { kind: 'global' }, ADMIN_ACTIONS[s.action]);
    return this.global(s, ctx.objectName(s.origin), s.subject, [s.direction], rules, { tier: CALICO_ADMIN_TIER, order: s.priority });
  }

  private enginePlacement(): Placement {
    return { tier: this.options.tier, order: this.options.order };
  }

  /** A (Staged)NetworkPolicy selecting `subject` in its namespace. */
  private namespaced(s: Statement, name: string, subject: PodSetModel, directions: readonly DirectionModel[], rules: Rules): RenderedObject {
    const spec: NetworkPolicySpec = {
      tier: this.options.tier,
      order: this.options.order,
      selector: renderSelector(podSelector(subject.pods)),
      ...(subject.serviceAccount ? { serviceAccountSelector: renderSelector({ op: 'eq', key: CALICO_SERVICE_ACCOUNT_NAME_LABEL, value: subject.serviceAccount }) } : {}),
      types: directions.map(d => TYPES[d]),
    };
    const staged = s.stage === 'audit';
    const body = {
      ...toJson_NetworkPolicySpec(spec),
      ...(staged ? { stagedAction: StagedNetworkPolicySpecStagedAction.SET } : {}),
      ...rules,
    };
    return this.object(s, staged ? 'StagedNetworkPolicy' : 'NetworkPolicy', name, subject.namespace, body);
  }

  /** A (Staged)GlobalNetworkPolicy selecting the subject's Kubernetes pods outside its excepted namespaces. */
  private global(s: Statement, name: string, subject: ClusterSubjectModel, directions: readonly DirectionModel[],
    rules: Rules, placement: Placement): RenderedObject {
    const notExcepted: CalicoSelectorNode = { op: 'notIn', key: CALICO_NAMESPACE_NAME_LABEL, values: [...subject.exceptNamespaces] };
    const namespaces = subject.namespaces ? labelSelectorNode(subject.namespaces) : { op: 'all' as const };
    const spec: GlobalNetworkPolicySpec = {
      tier: placement.tier,
      order: placement.order,
      namespaceSelector: renderSelector(namespaces.op === 'all' ? notExcepted
        : { op: 'and', terms: [notExcepted, ...(namespaces.op === 'and' ? namespaces.terms : [namespaces])] }),
      // Also keeps host endpoints out: the selector names Kubernetes pods only.
      selector: renderSelector(podSelector(subject.pods)),
      types: directions.map(d => (d === 'ingress' ? GlobalNetworkPolicySpecTypes.INGRESS : GlobalNetworkPolicySpecTypes.EGRESS)),
    };
    const staged = s.stage === 'audit';
    const body = {
      ...toJson_GlobalNetworkPolicySpec(spec),
      ...(staged ? { stagedAction: StagedGlobalNetworkPolicySpecStagedAction.SET } : {}),
      ...rules,
    };
    return this.object(s, staged ? 'StagedGlobalNetworkPolicy' : 'GlobalNetworkPolicy', name, undefined, body);
  }

  private object(s: Statement, kind: string, name: string, namespace: string | undefined, spec: Record<string, unknown>): RenderedObject {
    return { apiVersion: CALICO_API_VERSION, kind, name, ...(namespace ? { namespace } : {}), body: { spec }, id: name, origin: s.origin };
  }

  /**
   * The Allow rules for peers × port groups (× HTTP rules). A rule carries one
   * entity, so every peer gets its own rules; ports share a rule per protocol
   * because Calico needs an explicit protocol for numeric and named ports.
   * Each rule's metadata names the intent (Felix writes it into the dataplane rules' comments).
   */
  private rules(s: Statement, direction: DirectionModel, peers: readonly PeerModel[], ports: readonly PortModel[],
    http: readonly HttpRuleModel[] | undefined, scope: RuleScope, action = NetworkPolicySpecIngressAction.ALLOW): Rules {
    const groups = portGroups(ports, http !== undefined);
    const out: Record<string, unknown>[] = [];
    for (const peer of peers) {
      for (const entity of entities(peer, scope)) {
        for (const group of groups) {
          for (const h of http ?? [undefined]) {
            out.push(direction === 'ingress' ? ingressRule(entity, group, h, action, s.origin) : egressRule(entity, group, action, s.origin));
          }
        }
      }
    }
    return { [direction]: out };
  }
}

/**
 * Statement shapes Calico cannot enforce as the model means them, which the
 * capability table (one row per feature) cannot see.
 */
export function calicoProblems(s: Statement): string[] {
  if (s.kind !== 'allow' && s.kind !== 'allow-cluster' && s.kind !== 'cluster-rule') return [];
  const out: string[] = [];
  for (const p of s.peers) {
    if (p.kind !== 'fqdn') continue;
    if (s.direction !== 'egress') {
      out.push(`the calico engine cannot express DNS-name peers on ingress (Calico Enterprise's destination.domains applies to egress Allow rules only); in: ${statementToString(s)}. Fix: use a CIDR peer for ingress.`);
    } else if (p.pattern.includes('*')) {
      out.push(`the calico engine cannot express the DNS wildcard ${JSON.stringify(p.pattern)} exactly: Calico Enterprise's "*" matches one OR MORE labels (${JSON.stringify(p.pattern)} would also allow a.b.${p.pattern.replace(/^\*\./, '')}), while the intent means exactly one; in: ${statementToString(s)}. `
        + 'Fix: list the exact names, or use Engine.cilium(), whose "*" matches exactly one label.');
    }
  }
  if (s.kind === 'allow' && s.http) {
    const notTcp = s.ports.filter(p => p.protocol === 'UDP' || p.protocol === 'SCTP');
    if (notTcp.length) {
      out.push(`the calico engine cannot apply HTTP rules to ${notTcp.map(p => p.protocol).join(', ')} ports: Calico accepts \`http\` only on TCP rules; in: ${statementToString(s)}. `
        + 'Fix: move the non-TCP ports to a separate AllowFrom without `http`.');
    }
  }
  return out;
}

/** Kubernetes pods matching the selector. */
function podSelector(s: LabelSelectorModel): CalicoSelectorNode {
  const own = labelSelectorNode(s);
  return own.op === 'all' ? KUBERNETES_PODS : { op: 'and', terms: [KUBERNETES_PODS, ...(own.op === 'and' ? own.terms : [own])] };
}

/** The entity rules that together match a peer (several only for API-server addresses of two IP families). */
function entities(p: PeerModel, scope: RuleScope): Entity[] {
  switch (p.kind) {
    case 'anyone':
      // "To match every packet, omit the selector": no selector, nets or namespace selector at all.
      return [{}];
    case 'cidr':
      return [{ nets: [p.cidr], ...(p.except.length ? { notNets: [...p.except] } : {}) }];
    case 'node-local-dns':
      return [{ nets: [p.cidr] }];
    case 'kube-apiserver': {
      // Calico rejects a rule that mixes IPv4 and IPv6 nets.
      const v4 = p.cidrs.filter(c => ipaddr.parseCIDR(c)[0].kind() === 'ipv4');
      const v6 = p.cidrs.filter(c => !v4.includes(c));
      return [v4, v6].filter(g => g.length > 0).map(nets => ({ nets }));
    }
    case 'fqdn':
      return [{ domains: [p.pattern] }];
    case 'pods': {
      const entity: { -readonly [K in keyof Entity]: Entity[K] } = { selector: renderSelector(podSelector(p.pods)) };
      const ns = p.namespaces;
      if (ns.kind === 'name') {
        // A rule selector of a NetworkPolicy is scoped to the policy's own namespace; a global one is not.
        if (scope.kind === 'global' || ns.name !== scope.namespace) {
          entity.namespaceSelector = renderSelector({ op: 'eq', key: CALICO_NAMESPACE_NAME_LABEL, value: ns.name });
        }
      } else if (ns.kind === 'labels') {
        entity.namespaceSelector = renderSelector(labelSelectorNode(ns.selector));
      } else {
        entity.namespaceSelector = renderSelector({ op: 'all' });
      }
      if (p.serviceAccount) entity.serviceAccounts = { names: [p.serviceAccount] };
      return [entity];
    }
  }
}

/**
 * Ports grouped per protocol, in the order they were given. All traffic is
 * one group without protocol; with HTTP rules it is every TCP port (only TCP
 * carries the HTTP requests the rules allow).
 */
function portGroups(ports: readonly PortModel[], http: boolean): PortGroup[] {
  if (ports.some(p => p.protocol === 'ANY')) return [http ? { protocol: 'TCP' } : {}];
  const groups = new Map<'TCP' | 'UDP' | 'SCTP', (number | string)[] | undefined>();
  for (const p of ports) {
    if (p.protocol === 'ANY') continue;
    const current = groups.has(p.protocol) ? groups.get(p.protocol) : [];
    if (current === undefined) continue; // every port of the protocol already
    if (p.port === undefined) groups.set(p.protocol, undefined);
    else groups.set(p.protocol, [...current, p.endPort !== undefined ? `${p.port}:${p.endPort}` : p.port]);
  }
  return [...groups.entries()].map(([protocol, list]) => ({ protocol, ...(list ? { ports: list } : {}) }));
}

function httpMatch(h: HttpRuleModel): { methods?: string[]; paths?: ({ exact: string } | { prefix: string })[] } {
  return {
    ...(h.method !== undefined ? { methods: [h.method] } : {}),
    ...(h.path ? { paths: [h.path.kind === 'exact' ? { exact: h.path.value } : { prefix: h.path.value }] } : {}),
  };
}

/** Every pod of every namespace but the exceptions. */
function everyPodExcept(exceptNamespaces: readonly string[]): ClusterSubjectModel {
  return { exceptNamespaces, pods: labelSelectorOfAll };
}
const labelSelectorOfAll: LabelSelectorModel = { matchLabels: {}, matchExpressions: [] };

function ingressRule(source: Entity, group: PortGroup, http: HttpRuleModel | undefined,
  action: NetworkPolicySpecIngressAction, origin: OriginModel): Record<string, unknown> {
  const { domains: _unused, serviceAccounts, ...fields } = source; // domains only exist on egress destinations
  const src = { ...fields, ...(serviceAccounts ? { serviceAccounts: { names: [...serviceAccounts.names] } } : {}) };
  const rule: NetworkPolicySpecIngress = {
    action,
    ...(group.protocol ? { protocol: NetworkPolicySpecIngressProtocol.fromString(group.protocol) } : {}),
    ...(Object.keys(src).length ? { source: src } : {}),
    ...(group.ports ? { destination: { ports: group.ports.map(p => (typeof p === 'number' ? NetworkPolicySpecIngressDestinationPorts.fromNumber(p) : NetworkPolicySpecIngressDestinationPorts.fromString(p))) } } : {}),
    ...(http ? { http: httpMatch(http) } : {}),
    metadata: calicoRuleMetadata(origin),
  };
  return toJson_NetworkPolicySpecIngress(rule)!;
}

function egressRule(destination: Entity, group: PortGroup, action: NetworkPolicySpecIngressAction, origin: OriginModel): Record<string, unknown> {
  const { domains, serviceAccounts, ...fields } = destination;
  const dest = {
    ...fields,
    ...(serviceAccounts ? { serviceAccounts: { names: [...serviceAccounts.names] } } : {}),
    ...(group.ports ? { ports: group.ports.map(p => (typeof p === 'number' ? NetworkPolicySpecEgressDestinationPorts.fromNumber(p) : NetworkPolicySpecEgressDestinationPorts.fromString(p))) } : {}),
  };
  const rule: NetworkPolicySpecEgress = {
    action: action as string as NetworkPolicySpecEgressAction,
    ...(group.protocol ? { protocol: NetworkPolicySpecEgressProtocol.fromString(group.protocol) } : {}),
    ...(Object.keys(dest).length ? { destination: dest } : {}),
    metadata: calicoRuleMetadata(origin),
  };
  const json = toJson_NetworkPolicySpecEgress(rule)!;
  // Calico Enterprise's destination.domains is not in the Open Source schema the bindings come from.
  if (domains) json.destination = { ...json.destination, domains: [...domains] };
  return json;
}
