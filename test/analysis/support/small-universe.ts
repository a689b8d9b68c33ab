import * as fc from 'fast-check';
import { httpMatchArb } from './http-arbitraries';
import {
  AnalysisPolicy, ClusterModel, EntityName, EvaluatorOptions, parseCidr, parseIpAddress, PeerMatch, PodInput, PodSelection, PolicyRule,
  PolicyTier, PortMatch, Protocol, SelectorExpr,
} from '../../../src/analysis';

// Random clusters and policies over a universe small enough to evaluate exhaustively: ports from
// SMALL_PORTS (every rule's port and endPort, every container port), addresses inside two small
// prefixes plus one address per region outside them that no generated CIDR splits.

/** Every port a generated rule or container names. */
export const SMALL_PORTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 65530, 65531, 65532, 65533, 65534, 65535];
/** The ports between 13 and 65529, which no generated rule tells apart: one of them stands for all. */
export const GAP = { from: 13, to: 65529, representative: 1000 };
export const PROTOCOLS: Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** The prefixes pods live in and most CIDRs are cut from: 10.0.0.0/29 and fd00::/125. */
const V4 = Array.from({ length: 8 }, (_, i) => `10.0.0.${i}`);
const V6 = Array.from({ length: 8 }, (_, i) => `fd00::${i}`);

/**
 * Addresses outside the small prefixes, one per region between the generated outer CIDRs
 * (0.0.0.0/0, 10.0.0.0/8, ::/0, fd00::/16): every generated CIDR holds a region whole or not at all.
 * Each comes with the ends of its region, which must fall in the same class.
 */
export const OUTSIDE: readonly { readonly address: string; readonly sameClassAs: readonly string[] }[] = [
  { address: '192.0.2.1', sameClassAs: ['0.0.0.0', '9.255.255.255', '11.0.0.0', '255.255.255.255'] },
  { address: '10.1.0.1', sameClassAs: ['10.0.0.8', '10.255.255.255'] },
  { address: '2001:db8::1', sameClassAs: ['::', 'fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fd01::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'] },
  { address: 'fd00::1:1', sameClassAs: ['fd00::8', 'fd00:ffff:ffff:ffff:ffff:ffff:ffff:ffff'] },
];

/** Every address of the small prefixes that no pod has, and the outside representatives. */
export function externalAddresses(cluster: ClusterModel): string[] {
  const taken = new Set(cluster.pods.flatMap((pod) => pod.ips.map((ip) => ip.text)));
  return [...V4, ...V6].filter((ip) => !taken.has(parseIpAddress(ip).text)).concat(OUTSIDE.map((o) => o.address));
}

function cidrsIn(base: string, bits: number, prefixes: number[]): string[] {
  return prefixes.flatMap((prefix) => Array.from({ length: 2 ** (prefix - (bits - 3)) }, (_, i) => {
    const step = 2 ** (bits - prefix);
    return base.includes(':') ? `fd00::${(i * step).toString(16)}/${prefix}` : `10.0.0.${i * step}/${prefix}`;
  }));
}
const CIDRS = [
  ...cidrsIn('10.0.0.0', 32, [29, 30, 31, 32]), ...cidrsIn('fd00::', 128, [125, 126, 127, 128]),
  '0.0.0.0/0', '10.0.0.0/8', '::/0', 'fd00::/16',
];

const NAMES = ['http', 'dns', 'x'];
const portArb = fc.constantFrom(...SMALL_PORTS);

/** A random cluster: namespaces a and b, 1-6 pods, IPv4, IPv6, both or none, sometimes host network. */
export const smallClusterArb: fc.Arbitrary<ClusterModel> = fc.record({
  teams: fc.tuple(fc.constantFrom('red', 'blue'), fc.constantFrom('red', 'blue')),
  pods: fc.array(fc.record({
    namespace: fc.constantFrom('a', 'b'),
    app: fc.option(fc.constantFrom('web', 'db'), { nil: undefined }),
    sa: fc.constantFrom('default', 'robot'),
    v4: fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
    v6: fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
    ports: fc.array(fc.record({ name: fc.constantFrom(...NAMES), port: portArb, protocol: fc.constantFrom(...PROTOCOLS) }), { maxLength: 2 }),
    host: fc.integer({ min: 0, max: 5 }),
    node: fc.option(fc.constantFrom('n1', 'n2'), { nil: undefined }),
  }), { minLength: 1, maxLength: 6 }),
}).map(({ teams, pods }) => {
  const used = new Set<string>();
  const inputs: PodInput[] = pods.map((pod, i) => {
    // Distinct addresses per pod (a host-network pod shares its node's, which is fine: it is that node).
    const ips = [pod.v4 === undefined ? undefined : V4[pod.v4], pod.v6 === undefined ? undefined : V6[pod.v6]]
      .filter((ip): ip is string => ip !== undefined && !used.has(ip));
    ips.forEach((ip) => used.add(ip));
    const ports = pod.ports.filter((p, j) => pod.ports.findIndex((q) => q.name === p.name && q.protocol === p.protocol) === j);
    return {
      namespace: pod.namespace,
      name: `p${i}`,
      labels: pod.app ? { app: pod.app } : {} as Record<string, string>,
      serviceAccountName: pod.sa,
      ips,
      ports,
      hostNetwork: pod.host === 0,
      ...(pod.node ? { nodeName: pod.node } : {}),
    };
  });
  return ClusterModel.create({ namespaces: [{ name: 'a', labels: { team: teams[0] } }, { name: 'b', labels: { team: teams[1] } }], pods: inputs });
});

const exprArb: fc.Arbitrary<SelectorExpr> = fc.oneof(
  fc.constant<SelectorExpr>({ op: 'all' }),
  fc.record({ op: fc.constantFrom('in' as const, 'notIn' as const), key: fc.constantFrom('app', 'team'), values: fc.subarray(['web', 'db', 'red'], { minLength: 1 }) }),
  fc.record({ op: fc.constantFrom('exists' as const, 'doesNotExist' as const), key: fc.constantFrom('app', 'team') }),
);

const selectionArb: fc.Arbitrary<PodSelection> = fc.record({
  namespaces: fc.oneof(
    fc.subarray(['a', 'b'], { minLength: 1 }).map((names) => ({ kind: 'names' as const, names })),
    exprArb.map((selector) => ({ kind: 'selector' as const, selector })),
  ),
  pods: exprArb,
  serviceAccounts: fc.option(fc.subarray(['default', 'robot'], { minLength: 1 }), { nil: undefined }),
}, { requiredKeys: ['namespaces', 'pods'] });

const peerArb: fc.Arbitrary<PeerMatch> = fc.oneof(
  fc.record({ kind: fc.constant('pods' as const), selection: selectionArb, requiresMtls: fc.boolean() }),
  fc.record({
    cidr: fc.constantFrom(...CIDRS),
    except: fc.subarray(CIDRS, { maxLength: 2 }),
    podAddresses: fc.constantFrom('option' as const, 'always' as const, 'never' as const),
  }).map(({ cidr, except, podAddresses }): PeerMatch => ({ kind: 'ipBlock', cidr: parseCidr(cidr), except: except.map(parseCidr), podAddresses })),
  fc.record({
    kind: fc.constant('entity' as const),
    entity: fc.constantFrom<EntityName>('all', 'cluster', 'world', 'host', 'remote-node', 'kube-apiserver'),
  }),
);

const portMatchArb: fc.Arbitrary<PortMatch> = fc.oneof(
  fc.record({ protocol: fc.constantFrom<Protocol | 'ANY'>('TCP', 'UDP', 'SCTP', 'ANY') }),
  fc.record({ protocol: fc.constantFrom<Protocol | 'ANY'>('TCP', 'UDP', 'SCTP', 'ANY'), port: portArb, end: fc.option(portArb, { nil: undefined }) })
    .map(({ protocol, port, end }): PortMatch => ({ protocol, port, ...(end !== undefined && end > port ? { endPort: end } : {}) })),
  fc.record({ protocol: fc.constantFrom<Protocol | 'ANY'>('TCP', 'UDP', 'SCTP', 'ANY'), port: fc.constantFrom(...NAMES), cluster: fc.boolean() })
    .map(({ protocol, port, cluster }): PortMatch => ({ protocol, port, ...(cluster ? { namedPortResolution: 'cluster' as const } : {}) })),
);

const ruleArb = fc.record({
  action: fc.constantFrom('allow' as const, 'allow' as const, 'deny' as const, 'pass' as const, 'log' as const),
  peers: fc.option(fc.array(peerArb, { maxLength: 2 }), { nil: undefined }),
  subjectPeers: fc.option(fc.array(peerArb, { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 4 }),
  notPeers: fc.option(fc.array(peerArb, { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 4 }),
  notSubjectPeers: fc.option(fc.array(peerArb, { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 6 }),
  ports: fc.option(fc.array(portMatchArb, { maxLength: 3 }), { nil: undefined }),
  http: fc.integer({ min: 0, max: 5 }),
  conditions: fc.array(httpMatchArb, { minLength: 1, maxLength: 2 }),
});

const TIERS: PolicyTier[] = [
  { name: 'security', order: 1, defaultAction: 'pass' },
  { name: 'platform', order: 2, defaultAction: 'deny' },
  { name: 'kubernetes', order: 3, defaultAction: 'deny' },
];

const directionArb = fc.option(fc.record({ isolates: fc.boolean(), rules: fc.array(ruleArb, { maxLength: 3 }) }), { nil: undefined });

/** Random IR policies of every dialect's shapes: tiers, pass/deny/log, isolation, both layers, own-endpoint conditions, exclusions (Calico notSelector). */
export const smallPoliciesArb: fc.Arbitrary<AnalysisPolicy[]> = fc.array(fc.record({
  namespace: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
  subject: selectionArb,
  tier: fc.constantFrom(...TIERS),
  layer: fc.constantFrom('network' as const, 'network' as const, 'mesh' as const),
  order: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
  staged: fc.integer({ min: 0, max: 9 }),
  ingress: directionArb,
  egress: directionArb,
}), { minLength: 0, maxLength: 5 }).map((specs) => specs.map((spec, i): AnalysisPolicy => {
  const direction = (name: string, rules: typeof spec.ingress) => (rules ? {
    isolates: rules.isolates,
    rules: rules.rules.map((entry, j): PolicyRule => ({
      label: `${name}[${j}]`,
      action: entry.action,
      ...(entry.peers ? { peers: entry.peers } : {}),
      ...(entry.subjectPeers ? { subjectPeers: entry.subjectPeers } : {}),
      ...(entry.notPeers ? { notPeers: entry.notPeers } : {}),
      ...(entry.notSubjectPeers ? { notSubjectPeers: entry.notSubjectPeers } : {}),
      ...(entry.ports ? { ports: entry.ports } : {}),
      ...(entry.http === 0 ? { http: entry.conditions, nonHttpFlows: 'match' as const }
        : entry.http === 1 ? { http: entry.conditions } : entry.http === 2 ? { http: [{ methods: ['GET'] }] } : {}),
    })),
  } : undefined);
  const ingress = direction('ingress', spec.ingress);
  const egress = direction('egress', spec.egress);
  return {
    ref: { kind: 'RandomPolicy', ...(spec.namespace ? { namespace: spec.namespace } : {}), name: `rp${i}` },
    layer: spec.layer,
    tier: spec.tier,
    ...(spec.order === undefined ? {} : { order: spec.order }),
    enforced: spec.staged !== 0,
    subject: spec.subject,
    ...(ingress ? { ingress } : {}),
    ...(egress ? { egress } : {}),
  };
}));

/** Random evaluator options. */
export const smallOptionsArb: fc.Arbitrary<EvaluatorOptions> = fc.record({
  ipBlockMatchesPods: fc.boolean(),
  selfTraffic: fc.constantFrom('allow' as const, 'evaluate' as const),
  nodeLocalTraffic: fc.constantFrom('allow' as const, 'evaluate' as const),
}, { requiredKeys: [] });
