import * as fc from 'fast-check';
import {
  AnalysisPolicy, ClusterModel, EntityName, EvaluatorOptions, LabelSelectorManifest, NetworkPolicyManifest, NetworkPolicyPeerManifest,
  NetworkPolicyPortManifest, parseCidr, PeerMatch, PodInput, PodSelection, PolicyRule, PolicyTier, PortMatch, Protocol,
  SelectorExpr, translateNetworkPolicy,
} from '../../../src/analysis';

// Small value pools, so random selectors, ports and CIDRs often hit the random pods.

const NAMESPACES = ['a', 'b', 'c'];
const NS_LABELS: Record<string, string[]> = { team: ['red', 'blue'], env: ['prod'] };
const POD_LABELS: Record<string, string[]> = { app: ['web', 'db'], tier: ['x', 'y'] };
const IPV4 = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.5', '10.0.1.1'];
const IPV6 = ['fd00::1', 'fd00::2', 'fd00::5'];
const CONTAINER_PORTS = [
  { name: 'http', port: 80, protocol: 'TCP' as Protocol },
  { name: 'http', port: 8080, protocol: 'TCP' as Protocol },
  { name: 'dns', port: 53, protocol: 'UDP' as Protocol },
  { name: 'dns', port: 53, protocol: 'TCP' as Protocol },
  { name: 'alt', port: 81, protocol: 'SCTP' as Protocol },
];
/** Ports the matrix is queried on. */
export const QUERY_PORTS = [53, 80, 81, 8080];
const PROTOCOL = fc.constantFrom<Protocol>('TCP', 'UDP', 'SCTP');
/** CIDR with the excepts that are valid inside it. */
const IP_BLOCKS: readonly [string, string[]][] = [
  ['10.0.0.0/24', ['10.0.0.0/30', '10.0.0.5/32']],
  ['10.0.0.0/30', ['10.0.0.2/31']],
  ['10.0.0.7/29', []],
  ['0.0.0.0/0', ['10.0.1.0/24']],
  ['fd00::/120', ['fd00::4/126']],
  ['::/0', []],
];

function labelsArb(pool: Record<string, string[]>): fc.Arbitrary<Record<string, string>> {
  const fields = Object.fromEntries(Object.entries(pool).map(([key, values]) => [key, fc.constantFrom(...values)]));
  return fc.record(fields, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
}

/** Input of a random cluster (readable when fast-check prints a counterexample): up to 3 namespaces, 1-7 pods. */
export const clusterInputArb: fc.Arbitrary<{ namespaces: { name: string; labels: Record<string, string> }[]; pods: PodInput[] }> = fc.record({
  namespaces: fc.subarray(NAMESPACES).chain((names) => fc.tuple(...names.map((name) => labelsArb(NS_LABELS).map((labels) => ({ name, labels }))))),
  pods: fc.array(fc.record({
    namespace: fc.constantFrom(...NAMESPACES),
    labels: labelsArb(POD_LABELS),
    serviceAccountName: fc.constantFrom('default', 'robot'),
    ips: fc.tuple(fc.option(fc.constantFrom(...IPV4)), fc.option(fc.constantFrom(...IPV6))),
    ports: fc.subarray(CONTAINER_PORTS),
    rareHostNetwork: fc.integer({ min: 0, max: 7 }),
    nodeName: fc.option(fc.constantFrom('n1', 'n2')),
  }), { minLength: 1, maxLength: 7 }),
}).map(({ namespaces, pods }) => ({
  namespaces,
  pods: pods.map((pod, i): PodInput => ({
    namespace: pod.namespace,
    name: `p${i}`,
    labels: pod.labels,
    serviceAccountName: pod.serviceAccountName,
    ips: pod.ips.filter((ip): ip is string => ip !== null),
    ports: pod.ports,
    hostNetwork: pod.rareHostNetwork === 0,
    ...(pod.nodeName ? { nodeName: pod.nodeName } : {}),
  })),
}));

/** A random cluster model built from `clusterInputArb`. */
export const clusterArb: fc.Arbitrary<ClusterModel> = clusterInputArb.map((input) => ClusterModel.create(input));

const requirementArb = fc.oneof(
  fc.record({ key: fc.constantFrom('app', 'tier', 'team', 'env'), operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.subarray(['web', 'db', 'x', 'red', 'prod'], { minLength: 1 }) }),
  fc.record({ key: fc.constantFrom('app', 'tier', 'team', 'env'), operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
);

function selectorArb(pool: Record<string, string[]>): fc.Arbitrary<LabelSelectorManifest> {
  return fc.record({
    matchLabels: labelsArb(pool),
    matchExpressions: fc.array(requirementArb, { maxLength: 2 }),
  }, { requiredKeys: [] });
}

const k8sPeerArb: fc.Arbitrary<NetworkPolicyPeerManifest> = fc.oneof(
  fc.record({ podSelector: selectorArb(POD_LABELS) }),
  fc.record({ namespaceSelector: selectorArb(NS_LABELS) }),
  fc.record({ podSelector: selectorArb(POD_LABELS), namespaceSelector: selectorArb(NS_LABELS) }),
  fc.constantFrom(...IP_BLOCKS).chain(([cidr, excepts]) => fc.subarray(excepts)
    .map((except) => ({ ipBlock: { cidr, ...(except.length ? { except } : {}) } }))),
);

const k8sPortArb: fc.Arbitrary<NetworkPolicyPortManifest> = fc.record({
  protocol: PROTOCOL,
  port: fc.oneof(fc.constantFrom(53, 80, 81), fc.constantFrom('http', 'dns', 'alt', 'none')),
  range: fc.option(fc.constantFrom(0, 1, 8000)),
}, { requiredKeys: ['range'] }).map(({ protocol, port, range }) => ({
  ...(protocol ? { protocol } : {}),
  ...(port !== undefined ? { port } : {}),
  ...(range !== null && typeof port === 'number' ? { endPort: port + range } : {}),
}));

const peersArb = fc.option(fc.array(k8sPeerArb, { maxLength: 2 }), { nil: undefined });
const portsArb = fc.option(fc.array(k8sPortArb, { maxLength: 2 }), { nil: undefined });
const ingressRulesArb = fc.option(
  fc.array(fc.record({ from: peersArb, ports: portsArb }, { requiredKeys: [] }), { maxLength: 2 }),
  { nil: undefined },
);
const egressRulesArb = fc.option(
  fc.array(fc.record({ to: peersArb, ports: portsArb }, { requiredKeys: [] }), { maxLength: 2 }),
  { nil: undefined },
);

/** Random Kubernetes NetworkPolicy manifests, valid by construction. */
export const k8sManifestsArb: fc.Arbitrary<NetworkPolicyManifest[]> = fc.array(fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  podSelector: selectorArb(POD_LABELS),
  policyTypes: fc.option(fc.constantFrom<('Ingress' | 'Egress')[]>([], ['Ingress'], ['Egress'], ['Ingress', 'Egress']), { nil: undefined }),
  ingress: ingressRulesArb,
  egress: egressRulesArb,
}), { minLength: 1, maxLength: 4 }).map((specs) => specs.map((spec, i) => {
  const manifest: NetworkPolicyManifest = {
    name: `np${i}`,
    namespace: spec.namespace,
    spec: {
      podSelector: spec.podSelector,
      ...(spec.policyTypes ? { policyTypes: spec.policyTypes } : {}),
      ...(spec.ingress ? { ingress: spec.ingress } : {}),
      ...(spec.egress ? { egress: spec.egress } : {}),
    },
  };
  return manifest;
}));

/** Random Kubernetes NetworkPolicies translated into the IR. */
export const k8sPoliciesArb: fc.Arbitrary<AnalysisPolicy[]> = k8sManifestsArb
  .map((manifests) => manifests.map((manifest) => translateNetworkPolicy(manifest)));

// Generic IR: tiers, actions, layers and peers the later dialects use.

const TIERS: PolicyTier[] = [
  { name: 'security', order: 1, defaultAction: 'pass' },
  { name: 'platform', order: 2, defaultAction: 'deny' },
  { name: 'app', order: 3, defaultAction: 'deny' },
];

const exprArb: fc.Arbitrary<SelectorExpr> = fc.letrec<{ expr: SelectorExpr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant<SelectorExpr>({ op: 'all' }),
    fc.record({ op: fc.constantFrom('in' as const, 'notIn' as const), key: fc.constantFrom('app', 'tier', 'team'), values: fc.subarray(['web', 'db', 'x', 'red'], { minLength: 1 }) }),
    fc.record({ op: fc.constantFrom('exists' as const, 'doesNotExist' as const), key: fc.constantFrom('app', 'tier', 'team') }),
    fc.record({ op: fc.constantFrom('and' as const, 'or' as const), terms: fc.array(tie('expr'), { maxLength: 2 }) }),
    fc.record({ op: fc.constant('not' as const), term: tie('expr') }),
  ),
})).expr;

const selectionArb: fc.Arbitrary<PodSelection> = fc.record({
  namespaces: fc.oneof(
    fc.subarray(NAMESPACES, { minLength: 1 }).map((names) => ({ kind: 'names' as const, names })),
    exprArb.map((selector) => ({ kind: 'selector' as const, selector })),
  ),
  pods: exprArb,
  serviceAccounts: fc.option(fc.subarray(['default', 'robot'], { minLength: 1 }), { nil: undefined }),
}, { requiredKeys: ['namespaces', 'pods'] });

const irPeerArb: fc.Arbitrary<PeerMatch> = fc.oneof(
  fc.record({ kind: fc.constant('pods' as const), selection: selectionArb, requiresMtls: fc.boolean() }),
  fc.record({
    block: fc.constantFrom(...IP_BLOCKS),
    podAddresses: fc.constantFrom('option' as const, 'always' as const, 'never' as const),
  }).chain(({ block, podAddresses }) => fc.subarray(block[1]).map((except): PeerMatch => ({
    kind: 'ipBlock', cidr: parseCidr(block[0]), except: except.map(parseCidr), podAddresses,
  }))),
  fc.record({
    kind: fc.constant('entity' as const),
    entity: fc.constantFrom<EntityName>('all', 'cluster', 'world', 'host', 'remote-node', 'host', 'remote-node', 'kube-apiserver', 'none'),
  }),
);

const irPortArb: fc.Arbitrary<PortMatch> = fc.record({
  protocol: fc.constantFrom<Protocol | 'ANY'>('TCP', 'UDP', 'SCTP', 'ANY'),
  port: fc.option(fc.oneof(fc.constantFrom(53, 80, 81), fc.constantFrom('http', 'dns', 'alt')), { nil: undefined }),
  range: fc.constantFrom(0, 1, 8000),
  clusterWide: fc.boolean(),
}).map(({ protocol, port, range, clusterWide }) => ({
  protocol,
  ...(port === undefined ? {} : { port }),
  ...(typeof port === 'number' && range > 0 ? { endPort: port + range } : {}),
  ...(typeof port === 'string' && clusterWide ? { namedPortResolution: 'cluster' as const } : {}),
}));

const irRuleArb = fc.record({
  action: fc.constantFrom('allow' as const, 'deny' as const, 'pass' as const, 'log' as const),
  peers: fc.option(fc.array(irPeerArb, { maxLength: 2 }), { nil: undefined }),
  notPeers: fc.option(fc.array(irPeerArb, { maxLength: 2 }), { nil: undefined, freq: 3 }),
  ports: fc.option(fc.array(irPortArb, { maxLength: 2 }), { nil: undefined }),
  http: fc.option(fc.constant([{ methods: ['GET'] }]), { nil: undefined }),
  nonHttpFlows: fc.option(fc.constantFrom('match' as const, 'noMatch' as const), { nil: undefined }),
});

const directionArb = fc.option(fc.record({
  isolates: fc.boolean(),
  rules: fc.array(irRuleArb, { maxLength: 3 }),
}), { nil: undefined });

/** Random IR policies over three tiers and both layers, with every action and peer kind. */
export const irPoliciesArb: fc.Arbitrary<AnalysisPolicy[]> = fc.array(fc.record({
  namespace: fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }),
  subject: selectionArb,
  tier: fc.constantFrom(...TIERS),
  layer: fc.constantFrom('network' as const, 'network' as const, 'mesh' as const),
  order: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  staged: fc.integer({ min: 0, max: 9 }),
  ingress: directionArb,
  egress: directionArb,
}), { minLength: 1, maxLength: 4 }).map((specs) => specs.map((spec, i): AnalysisPolicy => {
  const direction = (name: string, rules: typeof spec.ingress) => (rules ? {
    isolates: rules.isolates,
    rules: rules.rules.map((entry, j): PolicyRule => ({
      label: `${name}[${j}]`,
      action: entry.action,
      ...(entry.peers ? { peers: entry.peers } : {}),
      ...(entry.notPeers ? { notPeers: entry.notPeers } : {}),
      ...(entry.ports ? { ports: entry.ports } : {}),
      ...(entry.http ? { http: entry.http } : {}),
      ...(entry.nonHttpFlows ? { nonHttpFlows: entry.nonHttpFlows } : {}),
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
export const optionsArb: fc.Arbitrary<EvaluatorOptions> = fc.record({
  ipBlockMatchesPods: fc.boolean(),
  selfTraffic: fc.constantFrom('allow' as const, 'evaluate' as const),
  nodeLocalTraffic: fc.constantFrom('allow' as const, 'evaluate' as const),
}, { requiredKeys: [] });

/** A matrix query. */
export const queryArb = fc.record({ port: fc.constantFrom(...QUERY_PORTS), protocol: PROTOCOL });
