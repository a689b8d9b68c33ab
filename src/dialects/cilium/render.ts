import { adminOrderProblems } from './admin-order';
import { CiliumDialectOptions, ciliumCapabilities } from './capabilities';
import { missingDnsProxyProblem, needsDnsProxy } from './dns-proxy';
import { allNamespacesExcept, CiliumSelector, clusterSubjectSelector, nonIdentityKeys, peerSelector, subjectSelector } from './endpoint-selector';
import { ciliumHttpRule, regexSizeProblems } from './http-regex';
import {
  CiliumNetworkPolicySpec, CiliumNetworkPolicySpecEgress, CiliumNetworkPolicySpecEgressToEndpointsMatchExpressionsOperator,
  CiliumNetworkPolicySpecEgressToEntities, CiliumNetworkPolicySpecEgressToPorts, CiliumNetworkPolicySpecEgressToPortsPortsProtocol,
  CiliumNetworkPolicySpecEndpointSelector, CiliumNetworkPolicySpecEndpointSelectorMatchExpressionsOperator, CiliumNetworkPolicySpecIngress,
  CiliumNetworkPolicySpecIngressFromEndpointsMatchExpressionsOperator, CiliumNetworkPolicySpecIngressFromEntities,
  CiliumNetworkPolicySpecIngressToPorts, CiliumNetworkPolicySpecIngressToPortsPortsProtocol, toJson_CiliumNetworkPolicySpec,
} from '../../imports/cilium-cnp-cilium.io';
import {
  AllowStatement, ClusterAllowStatement, ClusterIsolateStatement, ClusterRuleStatement, DirectionModel, IsolateStatement, PeerModel,
  portToString, PortModel, Statement, statementToString,
} from '../../model';
import { Dialect, RenderContext, RenderedObject } from '../dialect';
import { ciliumIntentLabels } from '../intent-metadata';
import { allowSubjects } from '../source-half';

/** API version of both Cilium policy kinds. */
export const CILIUM_API_VERSION = 'cilium.io/v2';
/** Cilium caps the ports of one PortRule (`pkg/policy/api/rule_validation.go`, maxPorts). */
const MAX_PORTS_PER_RULE = 40;

/** The L3 part of one Cilium rule: Cilium accepts only one peer kind per rule. */
type L3Part =
  | { readonly kind: 'endpoints'; readonly selectors: CiliumSelector[] }
  | { readonly kind: 'entities'; readonly entities: string[] }
  | { readonly kind: 'cidrs'; readonly cidrs: { cidr: string; except?: string[] }[] }
  | { readonly kind: 'fqdns'; readonly names: ({ matchName: string } | { matchPattern: string })[] };

/** A direction-neutral PortRule. */
interface PortRule {
  readonly ports: { port: string; protocol: string; endPort?: number }[];
  readonly rules?: { http?: { method?: string; path?: string }[]; dns?: { matchPattern: string }[] };
}

/**
 * Renders the model to cilium.io/v2 CiliumNetworkPolicy objects, and to
 * CiliumClusterwideNetworkPolicy where a peer selects namespaces by label.
 *
 * Every selector names the namespace explicitly (Cilium would otherwise
 * inject the policy's own namespace), every port names its protocol (Cilium
 * reads a missing protocol as ANY), every policy sets `enableDefaultDeny`
 * for its direction, and no rule list is ever empty (Cilium accepts a
 * rule-less policy but does not enforce it).
 */
export class CiliumDialect implements Dialect {
  public readonly name = 'cilium';
  public readonly capabilities;

  constructor(options: CiliumDialectOptions = {}) {
    this.capabilities = ciliumCapabilities(options);
  }

  public render(s: Statement, ctx: RenderContext): RenderedObject[] {
    switch (s.kind) {
      case 'isolate': return [this.renderIsolate(s, ctx)];
      case 'allow': return this.renderAllow(s, ctx);
      case 'isolate-cluster': return [this.renderClusterIsolate(s, ctx)];
      case 'allow-cluster': return [this.renderClusterAllow(s, ctx)];
      case 'cluster-rule': return [this.renderClusterRule(s, ctx)];
      case 'mtls': throw new Error('unsupported statement mtls'); // never reached: the capability table marks mTLS unsupported
    }
  }

  public check(s: Statement, ctx: RenderContext): string[] {
    const out: string[] = [...adminOrderProblems(s, ctx.statements(), this.name)];
    // Only problems print the statement: `where()` is called once per problem, never per statement.
    const where = () => `in: ${statementToString(s)}`;
    const badSubject = s.kind === 'allow' || s.kind === 'isolate' ? nonIdentityKeys(s.subject.pods) : [];
    const badSubject2 = s.kind === 'cluster-rule' ? nonIdentityKeys(s.subject.pods) : [];
    const badPeers = s.kind === 'allow' || s.kind === 'allow-cluster' || s.kind === 'cluster-rule' ? s.peers.flatMap(p => (p.kind === 'pods' ? nonIdentityKeys(p.pods) : [])) : [];
    const bad = [...new Set([...badSubject, ...badSubject2, ...badPeers])].sort();
    if (bad.length) {
      out.push(`the cilium engine cannot select pods by the label key(s) ${bad.join(', ')}: Cilium's default label filter leaves them out of security identities, so a selector on them matches no pod (a default deny would isolate nothing) ${where()}. `
        + 'Fix: select the pods by labels Cilium keeps in identities, such as app or app.kubernetes.io/name.');
    }
    if (s.kind !== 'allow') return out;
    if (s.http) {
      const notSingleTcp = s.ports.filter(p => p.protocol !== 'TCP' || p.port === undefined || p.endPort !== undefined);
      if (notSingleTcp.length) {
        out.push(`the cilium engine attaches HTTP rules only to TCP ports given one by one (Cilium's L7 proxy needs TCP and rejects L7 rules on "all ports"), but got ${notSingleTcp.map(portToString).join(', ')} ${where()}. `
          + 'Fix: list the TCP ports the HTTP server listens on, e.g. Port.tcp(8080), and put other ports in a separate AllowFrom without http.');
      }
      for (const rule of s.http) {
        out.push(...regexSizeProblems(rule).map(p => `${p} ${where()}. Fix: use a shorter path or a shorter prefix.`));
      }
    }
    const dns = missingDnsProxyProblem(s, ctx.statements(), this.name);
    if (dns) out.push(dns);
    return out;
  }

  private renderIsolate(s: IsolateStatement, ctx: RenderContext): RenderedObject {
    const spec: CiliumNetworkPolicySpec = {
      description: statementToString(s),
      endpointSelector: endpointSelector(subjectSelector(s.subject)),
      enableDefaultDeny: { ...(s.directions.includes('ingress') ? { ingress: true } : {}), ...(s.directions.includes('egress') ? { egress: true } : {}) },
      // One empty rule per direction: a rule with no peer and no port allows
      // nothing, and it is what Cilium generates for a default-deny NetworkPolicy.
      ...(s.directions.includes('ingress') ? { ingress: [{}] } : {}),
      ...(s.directions.includes('egress') ? { egress: [{}] } : {}),
    };
    return this.object(s.origin, ctx.objectName(s.origin), s.subject.namespace, false, spec);
  }

  /** Every namespace but the exceptions, present and future: a clusterwide policy. */
  private renderClusterIsolate(s: ClusterIsolateStatement, ctx: RenderContext): RenderedObject {
    const spec: CiliumNetworkPolicySpec = {
      description: statementToString(s),
      endpointSelector: endpointSelector(allNamespacesExcept(s.exceptNamespaces)),
      enableDefaultDeny: { ...(s.directions.includes('ingress') ? { ingress: true } : {}), ...(s.directions.includes('egress') ? { egress: true } : {}) },
      ...(s.directions.includes('ingress') ? { ingress: [{}] } : {}),
      ...(s.directions.includes('egress') ? { egress: [{}] } : {}),
    };
    return this.object(s.origin, ctx.objectName(s.origin), undefined, true, spec);
  }

  private renderClusterAllow(s: ClusterAllowStatement, ctx: RenderContext): RenderedObject {
    const parts = l3Parts(s.peers, s.direction);
    const portRules = this.portRules(s, ctx);
    const spec: CiliumNetworkPolicySpec = {
      description: statementToString(s),
      endpointSelector: endpointSelector(allNamespacesExcept(s.exceptNamespaces)),
      enableDefaultDeny: { [s.direction]: true },
      ...(s.direction === 'ingress'
        ? { ingress: parts.map(p => ingressRule(p, portRules)) }
        : { egress: parts.map(p => egressRule(p, portRules)) }),
    };
    return this.object(s.origin, ctx.objectName(s.origin, s.purpose === 'dns' ? undefined : s.direction), undefined, true, spec);
  }

  /**
   * An admin rule: a clusterwide policy whose rules allow or deny (`ingressDeny` / `egressDeny`)
   * and never enable default deny, because admin rules isolate nothing. A Cilium deny wins over
   * every allow: `check` refuses an allowance that comes first and could match the same connections.
   */
  private renderClusterRule(s: ClusterRuleStatement, ctx: RenderContext): RenderedObject {
    const parts = l3Parts(s.peers, s.direction);
    const portRules = this.portRules(s, ctx);
    const deny = s.action === 'deny';
    const rules = s.direction === 'ingress' ? parts.map(p => ingressRule(p, portRules)) : parts.map(p => egressRule(p, portRules));
    const key = `${s.direction}${deny ? 'Deny' : ''}`;
    const spec = {
      description: statementToString(s),
      endpointSelector: endpointSelector(clusterSubjectSelector(s.subject)),
      enableDefaultDeny: { [s.direction]: false },
      [key]: rules,
    } as CiliumNetworkPolicySpec;
    return this.object(s.origin, ctx.objectName(s.origin), undefined, true, spec);
  }

  private renderAllow(s: AllowStatement, ctx: RenderContext): RenderedObject[] {
    const subjects = allowSubjects(s, ctx);
    const clusterwide = s.peers.some(p => p.kind === 'pods' && p.namespaces.kind === 'labels');
    const parts = l3Parts(s.peers, s.direction);
    const portRules = this.portRules(s, ctx);
    const base = s.purpose === 'dns' ? undefined : s.isolating ? s.direction : `${s.direction}-${s.subject.namespace}`;
    return subjects.map((subject, i) => {
      const suffix = [clusterwide ? subject.namespace : undefined, base, subjects.length > 1 ? String(i + 1) : undefined].filter(Boolean).join('-') || undefined;
      const spec: CiliumNetworkPolicySpec = {
        description: statementToString(s),
        endpointSelector: endpointSelector(subjectSelector(subject)),
        enableDefaultDeny: { [s.direction]: true },
        ...(s.direction === 'ingress'
          ? { ingress: parts.map(p => ingressRule(p, portRules)) }
          : { egress: parts.map(p => egressRule(p, portRules)) }),
      };
      return this.object(s.origin, ctx.objectName(s.origin, suffix), subject.namespace, clusterwide, spec);
    });
  }

  /** The statement's ports as PortRules; undefined = every port of every protocol (no toPorts). */
  private portRules(s: AllowStatement | ClusterAllowStatement | ClusterRuleStatement, ctx: RenderContext): PortRule[] | undefined {
    if (s.ports.some(p => p.protocol === 'ANY')) return undefined;
    const ports = s.ports.map(portProtocol);
    let rules: PortRule['rules'];
    if (s.kind === 'allow' && s.http) {
      rules = { http: s.http.map(ciliumHttpRule) };
    } else if (s.kind !== 'cluster-rule' && needsDnsProxy(s, ctx.statements(), this.name)) {
      // Routes the pods' lookups through Cilium's DNS proxy, which toFQDNs needs; allows every name.
      rules = { dns: [{ matchPattern: '*' }] };
    }
    const out: PortRule[] = [];
    for (let i = 0; i < ports.length; i += MAX_PORTS_PER_RULE) {
      out.push({ ports: ports.slice(i, i + MAX_PORTS_PER_RULE), ...(rules ? { rules } : {}) });
    }
    return out;
  }

  private object(origin: Statement['origin'], name: string, namespace: string | undefined, clusterwide: boolean, spec: CiliumNetworkPolicySpec): RenderedObject {
    return {
      apiVersion: CILIUM_API_VERSION,
      kind: clusterwide ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy',
      name,
      ...(clusterwide ? {} : { namespace }),
      // Both kinds share the rule schema (one Go type upstream).
      // Every rule names its intent: Hubble reports rule labels with each verdict the rule decides.
      body: { spec: toJson_CiliumNetworkPolicySpec({ ...spec, labels: ciliumIntentLabels(origin) })! },
      id: name,
      origin,
    };
  }
}

/** Groups peers into one L3 part per Cilium peer kind, in a fixed order. */
function l3Parts(peers: readonly PeerModel[], direction: DirectionModel): L3Part[] {
  const selectors: CiliumSelector[] = [];
  const entities = new Set<string>();
  const cidrs: { cidr: string; except?: string[] }[] = [];
  const names: ({ matchName: string } | { matchPattern: string })[] = [];
  for (const p of peers) {
    switch (p.kind) {
      case 'pods':
        selectors.push(peerSelector(p.namespaces, p.pods, p.serviceAccount));
        break;
      case 'anyone':
        // Everyone, as an omitted `from` is in Kubernetes: pods and the world, but also node traffic
        // (`host`, `remote-node`: host-network pods, NodePort/LoadBalancer traffic SNATed by a node),
        // Cilium Ingress (`ingress`), pods Cilium does not manage yet (`init`, `unmanaged`) and the
        // API server. Pods plus `world` alone would drop all of those.
        entities.add('all');
        break;
      case 'cidr':
        cidrs.push(p.except.length ? { cidr: p.cidr, except: [...p.except] } : { cidr: p.cidr });
        break;
      case 'kube-apiserver':
        entities.add('kube-apiserver');
        p.cidrs.forEach(cidr => cidrs.push({ cidr }));
        break;
      case 'node-local-dns':
        // Only reachable with the nodeLocalDnsViaHost opt-in (capability table).
        entities.add('host');
        cidrs.push({ cidr: p.cidr });
        break;
      case 'fqdn':
        if (direction !== 'egress') throw new Error('DNS-name peers exist only on egress');
        names.push(p.pattern.startsWith('*') ? { matchPattern: p.pattern } : { matchName: p.pattern });
        break;
    }
  }
  const parts: L3Part[] = [];
  const uniqueSelectors = [...new Map(selectors.map(x => [JSON.stringify(x), x])).values()];
  if (uniqueSelectors.length) parts.push({ kind: 'endpoints', selectors: uniqueSelectors });
  if (entities.size) parts.push({ kind: 'entities', entities: [...entities].sort() });
  if (cidrs.length) parts.push({ kind: 'cidrs', cidrs: [...new Map(cidrs.map(x => [JSON.stringify(x), x])).values()] });
  if (names.length) parts.push({ kind: 'fqdns', names: [...new Map(names.map(x => [JSON.stringify(x), x])).values()] });
  return parts;
}

function portProtocol(p: PortModel): PortRule['ports'][number] {
  if (p.protocol === 'ANY') throw new Error('unreachable: ANY is rendered as a rule without toPorts');
  // Cilium requires a port; "0" means every port of the protocol.
  return { port: p.port === undefined ? '0' : String(p.port), protocol: p.protocol, ...(p.endPort !== undefined ? { endPort: p.endPort } : {}) };
}

/** The values of each generated enum, read once (every port and every expression asks). */
const ENUM_VALUES = new WeakMap<object, ReadonlySet<string>>();

/** Looks up the generated enum member with this value (fails on a value the schema does not know). */
function member<E extends string>(e: Record<string, E>, value: string): E {
  let values = ENUM_VALUES.get(e);
  if (!values) ENUM_VALUES.set(e, values = new Set(Object.values(e)));
  if (!values.has(value)) throw new Error(`value ${JSON.stringify(value)} is not in the Cilium schema enum`);
  return value as E;
}

function endpointSelector(s: CiliumSelector): CiliumNetworkPolicySpecEndpointSelector {
  const op = CiliumNetworkPolicySpecEndpointSelectorMatchExpressionsOperator;
  return {
    ...(s.matchLabels ? { matchLabels: s.matchLabels } : {}),
    ...(s.matchExpressions ? { matchExpressions: s.matchExpressions.map(e => ({ ...e, operator: member(op, e.operator) })) } : {}),
  };
}

const INGRESS_OP = CiliumNetworkPolicySpecIngressFromEndpointsMatchExpressionsOperator;
const EGRESS_OP = CiliumNetworkPolicySpecEgressToEndpointsMatchExpressionsOperator;

/** Peer selectors with each operator as the generated enum member of the rule's direction. */
function withOperators<E extends string>(selectors: CiliumSelector[], ops: Record<string, E>) {
  return selectors.map(s => ({ ...s, matchExpressions: s.matchExpressions?.map(e => ({ ...e, operator: member(ops, e.operator) })) }));
}

function ingressRule(part: L3Part, ports: PortRule[] | undefined): CiliumNetworkPolicySpecIngress {
  const toPorts: CiliumNetworkPolicySpecIngressToPorts[] | undefined = ports?.map(r => ({
    ports: r.ports.map(p => ({ ...p, protocol: member(CiliumNetworkPolicySpecIngressToPortsPortsProtocol, p.protocol) })),
    ...(r.rules ? { rules: r.rules } : {}),
  }));
  const l3: CiliumNetworkPolicySpecIngress = part.kind === 'endpoints'
    ? { fromEndpoints: withOperators(part.selectors, INGRESS_OP) }
    : part.kind === 'entities' ? { fromEntities: part.entities.map(e => member(CiliumNetworkPolicySpecIngressFromEntities, e)) }
      : part.kind === 'cidrs' ? { fromCidrSet: part.cidrs }
        : unreachable('DNS-name peers on ingress');
  return { ...l3, ...(toPorts ? { toPorts } : {}) };
}

function egressRule(part: L3Part, ports: PortRule[] | undefined): CiliumNetworkPolicySpecEgress {
  const toPorts: CiliumNetworkPolicySpecEgressToPorts[] | undefined = ports?.map(r => ({
    ports: r.ports.map(p => ({ ...p, protocol: member(CiliumNetworkPolicySpecEgressToPortsPortsProtocol, p.protocol) })),
    ...(r.rules ? { rules: r.rules } : {}),
  }));
  const l3: CiliumNetworkPolicySpecEgress = part.kind === 'endpoints'
    ? { toEndpoints: withOperators(part.selectors, EGRESS_OP) }
    : part.kind === 'entities' ? { toEntities: part.entities.map(e => member(CiliumNetworkPolicySpecEgressToEntities, e)) }
      : part.kind === 'cidrs' ? { toCidrSet: part.cidrs }
        : { toFqdNs: part.names };
  return { ...l3, ...(toPorts ? { toPorts } : {}) };
}

function unreachable(what: string): never {
  throw new Error(`unreachable: ${what}`);
}
