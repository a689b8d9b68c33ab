import { calicoRuleSelector, NetworkSetContext, NetworkSetNeedsNamespace, networkSetsMatching, NO_NETWORK_SETS } from './calico-network-sets';
import {
  endpointSelections, intersectAccounts, namespaceSelectorToIr, serviceAccountNames, UnsupportedCalicoSelector,
} from './calico-selector';
import { CalicoSelectorNode } from '../../dialects/calico/selector-ast';
import { Cidr, parseCidr } from '../ip/cidr';
import {
  AnalysisPolicy, DirectionalRules, HttpMatch, PeerMatch, PodSelection, PolicyRule, PolicyTier, PortMatch, Protocol, PROTOCOLS, RuleAction,
} from '../ir/analysis-policy';
import { intentFromAnnotations } from '../ir/intent-ref';
import { ADMIN_TIER, BASELINE_TIER } from '../ir/network-policy-api-tiers';
import { PolicyRef } from '../ir/policy-ref';
import { SELECT_ALL, SelectorExpr } from '../ir/selector';
import { CalicoNetworkSetManifest } from '../parse/calico-network-set';
import {
  CalicoEntityManifest, CalicoPolicyManifest, CalicoPort, CalicoProtocol, CalicoRuleManifest, CalicoTierManifest,
} from '../parse/calico-policy';

/** Calico's fixed tiers [CAL tier.go]; any other tier needs its Tier object. */
export const CALICO_BUILTIN_TIERS: Readonly<Record<string, PolicyTier>> = {
  'kube-admin': { name: 'kube-admin', order: 1000, defaultAction: 'pass' },
  'default': { name: 'default', order: 1_000_000, defaultAction: 'deny' },
  'kube-baseline': { name: 'kube-baseline', order: 10_000_000, defaultAction: 'pass' },
};

/** Where Calico puts Kubernetes NetworkPolicies: tier default, order 1000 (libcalico-go k8s conversion). */
export const CALICO_KUBERNETES_POLICY_ORDER = 1000;

/** The reference kind of a Calico object: qualified, because `NetworkPolicy` alone is the Kubernetes kind. */
export function calicoRefKind(kind: string): string {
  return `projectcalico.org/${kind}`;
}

/** A construct the analysis IR cannot express, with where it is. */
export class UnsupportedCalicoPolicy extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(problem);
    this.name = 'UnsupportedCalicoPolicy';
  }
}

/**
 * Translates a validated Calico policy into the analysis IR, per Calico's semantics:
 *
 * - its tier (resolved later from Tier objects, see `resolveCalicoTiers`) and `order`; staged kinds
 *   are not enforced;
 * - every effective type isolates: when no rule of the tier decides for a selected pod, the tier's
 *   default action applies; rules keep their order and actions (Allow, Deny, Pass, Log);
 * - endpoint selectors are restricted to the policy's namespace (namespaced kinds) unless a
 *   namespaceSelector says otherwise, Calico's own endpoint labels are taken out of selectors,
 *   `nets` match pod addresses too, a rule without peer fields matches every peer;
 * - HTTP matches: methods (any of) AND paths (any of; exact ignores the query string, prefix is a
 *   string prefix).
 *
 * A policy whose selector names several namespace or service-account values becomes several IR
 * policies, one per value. Global policies that only apply to host endpoints (doNotTrack, preDNAT)
 * select no pod and translate to nothing.
 *
 * @throws UnsupportedCalicoPolicy for what the IR cannot express (the message says what)
 */
export function translateCalicoPolicy(m: CalicoPolicyManifest, networkSets: NetworkSetContext = NO_NETWORK_SETS): AnalysisPolicy[] {
  if (m.hostEndpointsOnly) return [];
  const ref: PolicyRef = { kind: calicoRefKind(m.kind), ...(m.namespace !== undefined ? { namespace: m.namespace } : {}), name: m.name };
  const global = m.namespace === undefined;
  const accounts = m.serviceAccountSelector ? guard('spec.serviceAccountSelector', () => serviceAccountNames(m.serviceAccountSelector!, 'spec.serviceAccountSelector')) : undefined;
  const subjects = guard('spec.selector', () => {
    if (global) {
      const ns = m.namespaceSelector ? namespaceSelectorToIr(m.namespaceSelector) : SELECT_ALL;
      return endpointSelections(m.selector, ns, accounts, 'spec.selector');
    }
    // A namespaced policy selects endpoints of its own namespace only.
    const own = { op: 'in', key: 'kubernetes.io/metadata.name', values: [m.namespace!] } as const;
    return endpointSelections(m.selector, own, accounts, 'spec.selector');
  });
  const directional = (dir: 'ingress' | 'egress', rules: readonly CalicoRuleManifest[]): DirectionalRules | undefined =>
    (m.types.includes(dir === 'ingress' ? 'Ingress' : 'Egress')
      ? { isolates: true, rules: rules.flatMap((r, i) => translateRule(r, dir, `${dir}[${i}]`, m.namespace, networkSets)) }
      : undefined);
  const ingress = directional('ingress', m.ingress);
  const egress = directional('egress', m.egress);
  return subjects.map(subject => ({
    ref,
    ...(m.source ? { source: m.source } : {}),
    layer: 'network' as const,
    // Placeholder order/default until resolveCalicoTiers sees the Tier objects.
    tier: CALICO_BUILTIN_TIERS[m.tier] ?? { name: m.tier, order: Number.NaN, defaultAction: 'deny' },
    ...(m.order !== undefined ? { order: m.order } : {}),
    enforced: !m.kind.startsWith('Staged'),
    subject,
    ...(ingress ? { ingress } : {}),
    ...(egress ? { egress } : {}),
  }));
}

/** A Calico policy whose tier has neither a Tier object nor a fixed definition. */
export interface UnknownTier {
  readonly policy: AnalysisPolicy;
  readonly problem: string;
}

/**
 * Gives Calico policies the order and default action of their tier, from the Tier objects read
 * (or Calico's fixed tiers), and — when the input has any Calico object — moves Kubernetes
 * NetworkPolicies to where Calico enforces them (tier `default`, order 1000) and network-policy-api
 * policies to the tiers Calico hosts them in: the Admin tier to `kube-admin`, the Baseline tier to
 * `kube-baseline`, with order = their priority [CAL libcalico-go/lib/backend/k8s/conversion/
 * clusternetworkpolicy.go, v3.32.1].
 *
 * @param otherCalicoObjects the input has other Calico objects (network sets), so Calico runs the cluster
 * @returns the policies, or a description of the first policy whose tier is unknown
 */
export function resolveCalicoTiers(policies: readonly AnalysisPolicy[], tiers: readonly CalicoTierManifest[],
  otherCalicoObjects = false): AnalysisPolicy[] | UnknownTier {
  const calico = otherCalicoObjects || policies.some(p => p.ref.kind.startsWith('projectcalico.org/')) || tiers.length > 0;
  if (!calico) return [...policies];
  const known = new Map<string, PolicyTier>(Object.entries(CALICO_BUILTIN_TIERS));
  for (const t of tiers) {
    known.set(t.name, { name: t.name, order: t.order ?? Number.POSITIVE_INFINITY, defaultAction: t.defaultAction === 'Pass' ? 'pass' : 'deny' });
  }
  const out: AnalysisPolicy[] = [];
  for (const p of policies) {
    if (p.ref.kind === 'NetworkPolicy' && p.layer === 'network') {
      out.push({ ...p, tier: known.get('default')!, order: CALICO_KUBERNETES_POLICY_ORDER });
    } else if (p.tier === ADMIN_TIER || p.tier === BASELINE_TIER) {
      out.push({ ...p, tier: known.get(p.tier === ADMIN_TIER ? 'kube-admin' : 'kube-baseline')! });
    } else if (p.ref.kind.startsWith('projectcalico.org/')) {
      const tier = known.get(p.tier.name);
      if (!tier) {
        return { policy: p, problem: `uses tier "${p.tier.name}", but no Tier object of that name was given; its order and default action decide how the policy combines with the others, so add the Tier manifest to the input` };
      }
      out.push({ ...p, tier });
    } else {
      out.push(p);
    }
  }
  return out;
}

function guard<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof UnsupportedCalicoSelector) throw new UnsupportedCalicoPolicy(path, `${e.problem}; the analyzer cannot evaluate this policy`);
    if (e instanceof NetworkSetNeedsNamespace) throw new CalicoPolicyNeedsCluster(path, e.problem);
    throw e;
  }
}

/** A policy whose meaning depends on namespace labels the analysis was not given (see `NetworkSetNeedsNamespace`). */
export class CalicoPolicyNeedsCluster extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(problem);
    this.name = 'CalicoPolicyNeedsCluster';
  }
}

const ACTIONS: Record<CalicoRuleManifest['action'], RuleAction> = { Allow: 'allow', Deny: 'deny', Pass: 'pass', Log: 'log' };

function translateRule(r: CalicoRuleManifest, dir: 'ingress' | 'egress', label: string, namespace: string | undefined,
  networkSets: NetworkSetContext): PolicyRule[] {
  const peerSide = dir === 'ingress' ? r.source : r.destination;
  const localSide = dir === 'ingress' ? r.destination : r.source;
  const peerPath = `spec.${label}.${dir === 'ingress' ? 'source' : 'destination'}`;
  const localPath = `spec.${label}.${dir === 'ingress' ? 'destination' : 'source'}`;
  if (localSide.services) {
    throw new UnsupportedCalicoPolicy(`${localPath}.services`, 'matching a Kubernetes Service\'s endpoints, which the analyzer cannot resolve without Service and EndpointSlice objects');
  }
  if (localSide.domains) {
    throw new UnsupportedCalicoPolicy(`${localPath}.domains`, 'DNS names on the policy\'s own endpoint, which no pod of the cluster model has');
  }
  if (dir === 'egress' && (localSide.ports || localSide.notPorts)) {
    throw new UnsupportedCalicoPolicy(`${localPath}.ports`, 'source ports, which flows in the analysis carry no value for');
  }
  if (r.ipVersion !== undefined && !(peerSide.nets?.length || peerSide.notNets?.length)) {
    throw new UnsupportedCalicoPolicy(`spec.${label}.ipVersion`, 'a rule limited to one IP version, which the analysis IR cannot express');
  }
  if (peerSide.services) {
    throw new UnsupportedCalicoPolicy(`${peerPath}.services`, 'matching a Kubernetes Service\'s endpoints, which the analyzer cannot resolve without Service and EndpointSlice objects');
  }
  if (dir === 'ingress' && (peerSide.ports || peerSide.notPorts)) {
    throw new UnsupportedCalicoPolicy(`${peerPath}.ports`, 'source ports, which flows in the analysis carry no value for');
  }
  const peer = guard(peerPath, () => entityPeers(peerSide, namespace, peerPath, networkSets));
  // The policy's own side (egress source, ingress destination) narrows the rule to some of its own
  // endpoints: the same entity-rule semantics, matched against the subject pod of the flow.
  const { ports: _ownPorts, notPorts: _ownNotPorts, ...ownConditions } = localSide;
  const own = Object.keys(ownConditions).length === 0 ? ANY_ENDPOINT
    : guard(localPath, () => entityPeers(ownConditions, namespace, localPath, networkSets));
  // Destination ports, whichever side the peer is on.
  const ports = portMatches(r.protocol, r.notProtocol, r.destination.ports, r.destination.notPorts, `spec.${label}`);
  const http = r.http ? httpMatches(r.http) : undefined;
  const intent = intentFromAnnotations(r.annotations);
  const rule = (p: EntityPeers, o: EntityPeers, portList: PortMatch[] | undefined): PolicyRule => ({
    label,
    action: ACTIONS[r.action],
    ...(p.peers !== undefined ? { peers: p.peers } : {}),
    ...(p.notPeers !== undefined ? { notPeers: p.notPeers } : {}),
    ...(o.peers !== undefined ? { subjectPeers: o.peers } : {}),
    ...(o.notPeers !== undefined ? { notSubjectPeers: o.notPeers } : {}),
    ...(portList !== undefined ? { ports: portList } : {}),
    ...(http ? { http, nonHttpFlows: 'noMatch' as const } : {}),
    ...(intent ? { intent } : {}),
  });
  // A named destination port only matches at an endpoint the destination selector matches by its
  // labels: felix builds named-port IP sets from endpoints, and network sets have no ports
  // (felix/calc/rule_scanner.go `namedPortsToIPSets`, named_port_index.go `CalculateEndpointContribution`).
  // So when the destination side names network sets, numeric and named ports become two rules.
  const destination = dir === 'egress' ? peer : own;
  const named = ports?.filter(p => typeof p.port === 'string') ?? [];
  if (destination.withoutNetworkSets === undefined || named.length === 0) return [rule(peer, own, ports)];
  const numeric = ports!.filter(p => typeof p.port !== 'string');
  const endpointsOnly: EntityPeers = { ...destination, peers: destination.withoutNetworkSets };
  const namedRule = dir === 'egress' ? rule(endpointsOnly, own, named) : rule(peer, endpointsOnly, named);
  return numeric.length === 0 ? [namedRule] : [rule(peer, own, numeric), namedRule];
}

/** What an entity rule admits: the endpoints it names (undefined: every address) minus those it excludes. */
interface EntityPeers {
  readonly peers?: readonly PeerMatch[];
  readonly notPeers?: readonly PeerMatch[];
  /** When `peers` holds network sets' addresses: `peers` without them (the endpoints named ports can resolve on). */
  readonly withoutNetworkSets?: readonly PeerMatch[];
}

const ANY_ENDPOINT: EntityPeers = {};

/**
 * The peers an entity rule admits. A selector's IP set holds the addresses of the pods and of the
 * network sets it matches (`calico-network-sets.ts`); a notSelector's excludes both.
 */
function entityPeers(e: CalicoEntityManifest, namespace: string | undefined, path: string, networkSets: NetworkSetContext): EntityPeers {
  if (e.domains) {
    // Calico Open Source has no DNS-name rules: its API server prunes `domains`, and the rule then
    // matches every destination; Calico Enterprise matches the names. Reading it as either would
    // guess the edition (docs/ANALYSIS.md "DNS names").
    throw new UnsupportedCalicoPolicy(`${path}.domains`, 'domains is a Calico Enterprise / Cloud field: Calico Open Source, which the analyzer evaluates, '
      + 'prunes it, so the rule would allow its ports to every destination, while Enterprise allows only the names. '
      + 'Fix: on Calico Open Source remove the rule (or give nets); Calico Enterprise policies are not analysed');
  }
  const byAddress = e.nets !== undefined || e.notNets !== undefined;
  const bySelector = e.selector !== undefined || e.namespaceSelector !== undefined || e.serviceAccounts !== undefined || e.notSelector !== undefined;
  if (byAddress && bySelector) {
    throw new UnsupportedCalicoPolicy(path, 'an address condition (nets/notNets) AND an endpoint selector in one rule, which the analysis IR cannot combine; split the rule');
  }
  if (byAddress) return { peers: addressPeers(e.nets, e.notNets ?? []) };
  if (!bySelector) return ANY_ENDPOINT;

  // libcalico-go getEndpointSelector: a namespaced policy scopes selectors to its namespace unless a
  // namespaceSelector is given; a global one does not scope them at all; no selector at all (a
  // global rule with only a notSelector, or an empty serviceAccounts) is every address.
  const positive = calicoRuleSelector(e, namespace);
  if (positive === undefined && e.notSelector === undefined) return ANY_ENDPOINT;
  const included = positive ? networkSetBlocks(networkSetsMatching(positive, networkSets, `${path}.selector`)) : [];
  const excluded = e.notSelector ? networkSetBlocks(networkSetsMatching(e.notSelector, networkSets, `${path}.notSelector`)) : [];

  const scope: SelectorExpr = e.namespaceSelector ? namespaceSelectorToIr(e.namespaceSelector)
    : namespace !== undefined ? { op: 'in', key: 'kubernetes.io/metadata.name', values: [namespace] } : SELECT_ALL;
  let accounts: readonly string[] | undefined;
  if (e.serviceAccounts) {
    accounts = e.serviceAccounts.names;
    if (e.serviceAccounts.selector) accounts = intersectAccounts(accounts, serviceAccountNames(e.serviceAccounts.selector, `${path}.serviceAccounts.selector`));
  }
  const podsOf = (selector: CalicoSelectorNode, within: SelectorExpr, sa: readonly string[] | undefined): PeerMatch[] =>
    endpointSelections(selector, within, sa, `${path}.selector`).map((selection: PodSelection) => ({ kind: 'pods', selection }));

  if (positive !== undefined && included.length === 0 && excluded.length === 0) {
    // Only pods: a notSelector excludes pods by their labels, which the selection can say itself.
    const selector: CalicoSelectorNode = e.notSelector
      ? { op: 'and', terms: [e.selector ?? { op: 'all' }, { op: 'not', term: e.notSelector }] }
      : e.selector ?? { op: 'all' };
    return { peers: podsOf(selector, scope, accounts) };
  }
  // The notSelector is used unscoped (rules.go: NotSrcSelector = the rule's notSelector as written):
  // it excludes the addresses of the pods of every namespace and of the network sets it matches.
  const notPeers = e.notSelector ? [...podsOf(e.notSelector, SELECT_ALL, undefined), ...excluded] : undefined;
  if (positive === undefined) return { notPeers: notPeers! };
  const pods = podsOf(e.selector ?? { op: 'all' }, scope, accounts);
  return {
    peers: [...pods, ...included],
    ...(notPeers ? { notPeers } : {}),
    ...(included.length > 0 ? { withoutNetworkSets: pods } : {}),
  };
}

/** The addresses of network sets, once per CIDR; Calico matches pod addresses in them too. */
function networkSetBlocks(sets: readonly CalicoNetworkSetManifest[]): PeerMatch[] {
  const seen = new Set<string>();
  const out: PeerMatch[] = [];
  for (const cidr of sets.flatMap(set => set.nets)) {
    if (seen.has(cidr.text)) continue;
    seen.add(cidr.text);
    out.push({ kind: 'ipBlock', cidr, except: [], podAddresses: 'always' });
  }
  return out;
}

const V4_ALL = parseCidr('0.0.0.0/0');
const V6_ALL = parseCidr('::/0');

/** nets (any of) minus notNets; Calico matches pod addresses with them as well. */
function addressPeers(nets: readonly Cidr[] | undefined, notNets: readonly Cidr[]): PeerMatch[] {
  const blocks = nets ?? (notNets.length ? [...new Set(notNets.map(c => c.family))].map(f => (f === 'IPv4' ? V4_ALL : V6_ALL)) : [V4_ALL, V6_ALL]);
  return blocks.map(cidr => ({ kind: 'ipBlock', cidr, except: notNets.filter(n => n.family === cidr.family), podAddresses: 'always' }));
}

/** The protocols a rule's protocol / notProtocol admit, among those flows can use. */
function protocolsOf(protocol: CalicoProtocol | undefined, notProtocol: CalicoProtocol | undefined): Protocol[] | 'ANY' {
  let out: Protocol[] | 'ANY' = protocol === undefined ? 'ANY' : PROTOCOLS.includes(protocol as Protocol) ? [protocol as Protocol] : [];
  if (notProtocol !== undefined) out = (out === 'ANY' ? [...PROTOCOLS] : out).filter(p => p !== notProtocol);
  return out;
}

function portMatches(protocol: CalicoProtocol | undefined, notProtocol: CalicoProtocol | undefined, ports: readonly CalicoPort[] | undefined,
  notPorts: readonly CalicoPort[] | undefined, path: string): PortMatch[] | undefined {
  const protocols = protocolsOf(protocol, notProtocol);
  if (notPorts?.some(p => p.kind === 'name')) {
    throw new UnsupportedCalicoPolicy(`${path}.destination.notPorts`, 'excluding a named port, which the analysis IR cannot express (names resolve per pod)');
  }
  let ranges: CalicoPort[] | undefined = ports ? [...ports] : undefined;
  const excluded = (notPorts ?? []).flatMap(p => (p.kind === 'range' ? [p] : []));
  if (excluded.length) ranges = subtractRanges(ranges ?? [{ kind: 'range', min: 0, max: 65535 }], excluded, path);
  if (protocols === 'ANY') {
    if (!ranges) return undefined;
    // Only named ports may go without a protocol (validated when read).
    return ranges.map(p => (p.kind === 'name' ? { protocol: 'ANY', port: p.name } : { protocol: 'ANY', port: p.min, ...(p.max !== p.min ? { endPort: p.max } : {}) }));
  }
  if (!ranges) return protocols.map(p => ({ protocol: p }));
  return protocols.flatMap(proto => ranges!.map((p): PortMatch => (p.kind === 'name'
    ? { protocol: proto, port: p.name }
    : { protocol: proto, port: p.min, ...(p.max !== p.min ? { endPort: p.max } : {}) })));
}

/** Numeric ranges minus numeric ranges (named ports in `from` cannot be narrowed by numbers). */
function subtractRanges(from: CalicoPort[], minus: readonly { min: number; max: number }[], path: string): CalicoPort[] {
  let out: CalicoPort[] = from;
  for (const m of minus) {
    out = out.flatMap((p): CalicoPort[] => {
      if (p.kind === 'name') {
        throw new UnsupportedCalicoPolicy(`${path}.destination.notPorts`, 'excluding port numbers from a named port, which the analysis IR cannot express');
      }
      if (m.max < p.min || m.min > p.max) return [p];
      const parts: CalicoPort[] = [];
      if (p.min < m.min) parts.push({ kind: 'range', min: p.min, max: m.min - 1 });
      if (p.max > m.max) parts.push({ kind: 'range', min: m.max + 1, max: p.max });
      return parts;
    });
  }
  return out;
}

function httpMatches(h: NonNullable<CalicoRuleManifest['http']>): HttpMatch[] {
  const methods = h.methods ? { methods: [...h.methods] } : {};
  if (!h.paths) return [methods];
  // Envoy's :path carries the query string; Calico's exact ignores it, prefix is a plain string prefix.
  return h.paths.map(p => ({
    ...methods,
    path: { kind: 'regex', value: 'exact' in p ? `${escapeRegex(p.exact)}(\\?.*)?` : `${escapeRegex(p.prefix)}.*` },
  }));
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
