import { ap, lint, np, pa, ruleTable } from './support';
import { ClusterModel } from '../../../src/analysis';

const WEB = { matchLabels: { app: 'web' } };
const FROM_FRONTEND = [{ source: { principals: ['cluster.local/ns/prod/sa/frontend'] } }];

ruleTable('istio-deny-http-without-ports', {
  nonCompliant: [
    ['DENY on a path without ports', [ap('a', { selector: WEB, action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin*'] } }] }] })], ['a: spec.rules[0].to[0].operation']],
    ['DENY on methods in the second operation', [ap('b', { action: 'DENY', rules: [{ to: [{ operation: { ports: ['8080'], paths: ['/x'] } }, { operation: { notMethods: ['GET'] } }] }] })],
      ['b: spec.rules[0].to[1].operation']],
  ],
  compliant: [
    ['DENY scoped with ports', [ap('a', { selector: WEB, action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin*'], ports: ['8080'] } }] }] })], []],
    ['ALLOW with HTTP fields (no match on TCP, fails closed)', [ap('b', { selector: WEB, rules: [{ to: [{ operation: { paths: ['/api*'] } }] }] })], []],
    ['DENY on L4 fields only', [ap('c', { action: 'DENY', rules: [{ from: [{ source: { ipBlocks: ['203.0.113.0/24'] } }] }] })], []],
  ],
});

ruleTable('istio-allow-all-rule', {
  nonCompliant: [
    ['rules: [{}]', [ap('a', { selector: WEB, rules: [{}] })], ['a: spec.rules[0]']],
    ['an explicit ALLOW with an empty second rule', [ap('b', { action: 'ALLOW', rules: [{ from: FROM_FRONTEND }, { from: [], to: [] }] })], ['b: spec.rules[1]']],
  ],
  compliant: [
    ['spec: {} (allow nothing)', [ap('a', {})], []],
    ['rules with sources', [ap('b', { rules: [{ from: FROM_FRONTEND }] })], []],
    ['an empty DENY rule (istio-deny-all-rule)', [ap('c', { action: 'DENY', rules: [{}] })], []],
  ],
});

ruleTable('istio-deny-all-rule', {
  nonCompliant: [
    ['DENY with rules: [{}]', [ap('a', { action: 'DENY', rules: [{}] })], ['a: spec.rules[0]']],
  ],
  compliant: [
    ['DENY without rules (a no-op, not a trap)', [ap('a', { action: 'DENY' })], []],
    ['DENY with a source', [ap('b', { action: 'DENY', rules: [{ from: [{ source: { notNamespaces: ['prod'] } }] }] })], []],
  ],
});

ruleTable('istio-deny-identity-without-strict-mtls', {
  nonCompliant: [
    ['DENY on principals, no PeerAuthentication', [ap('a', { action: 'DENY', rules: [{ from: FROM_FRONTEND }] })], ['a: spec.rules[0].from']],
    ['DENY on namespaces with a PERMISSIVE PeerAuthentication', [ap('b', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['dev'] } }] }] }), pa('default', { mtls: { mode: 'PERMISSIVE' } })],
      ['b: spec.rules[0].from']],
    ['STRICT only in another namespace', [ap('c', { action: 'DENY', rules: [{ from: [{ source: { serviceAccounts: ['dev/ci'] } }] }] }), pa('default', { mtls: { mode: 'STRICT' } }, 'other')],
      ['c: spec.rules[0].from']],
  ],
  compliant: [
    ['STRICT in the namespace', [ap('a', { action: 'DENY', rules: [{ from: FROM_FRONTEND }] }), pa('default', { mtls: { mode: 'STRICT' } })], []],
    ['STRICT mesh-wide (root namespace)', [ap('b', { action: 'DENY', rules: [{ from: FROM_FRONTEND }] }), pa('default', { mtls: { mode: 'STRICT' } }, 'istio-system')], []],
    ['DENY with notPrincipals (plaintext is denied too)', [ap('c', { action: 'DENY', rules: [{ from: [{ source: { notPrincipals: ['cluster.local/ns/prod/sa/frontend'] } }] }] })], []],
    ['ALLOW on principals', [ap('d', { rules: [{ from: FROM_FRONTEND }] })], []],
  ],
});

const cluster = ClusterModel.create({
  namespaces: [{ name: 'prod', labels: { 'istio.io/dataplane-mode': 'ambient' } }, { name: 'sidecar', labels: { 'istio-injection': 'enabled' } }, { name: 'plain' }],
});

ruleTable('istio-ambient-l7-on-ztunnel', {
  cluster,
  nonCompliant: [
    ['an L7 ALLOW with a selector in an ambient namespace', [ap('a', { selector: WEB, rules: [{ from: FROM_FRONTEND, to: [{ operation: { methods: ['GET'], paths: ['/api*'] } }] }] })],
      ['a: spec.rules[0]']],
    ['a namespace-wide DENY on a request principal', [ap('b', { action: 'DENY', rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }] })], ['b: spec.rules[0]']],
    ['an L7 when condition', [ap('c', { selector: WEB, rules: [{ when: [{ key: 'request.headers[x-user]', values: ['admin'] }] }] })], ['c: spec.rules[0]']],
  ],
  compliant: [
    ['L7 through a waypoint (targetRefs)', [ap('a', { targetRefs: [{ kind: 'Service', group: '', name: 'web' }], rules: [{ to: [{ operation: { methods: ['GET'] } }] }] })], []],
    ['L4 fields on ztunnel', [ap('b', { selector: WEB, rules: [{ from: FROM_FRONTEND, to: [{ operation: { ports: ['8080'] } }], when: [{ key: 'source.ip', values: ['10.0.0.1'] }] }] })], []],
    ['L7 in a sidecar namespace', [ap('c', { selector: WEB, rules: [{ to: [{ operation: { methods: ['GET'] } }] }] }, 'sidecar')], []],
  ],
});

describe('istio-ambient-l7-on-ztunnel without --cluster', () => {
  test('skips: whether a namespace is ambient is unknown', () => {
    expect(lint([ap('a', { selector: WEB, rules: [{ to: [{ operation: { methods: ['GET'] } }] }] })], { ruleId: 'istio-ambient-l7-on-ztunnel' })).toEqual([]);
  });
});

const STRICT = pa('default', { mtls: { mode: 'STRICT' } });
const ingressFrom = (name: string, from: unknown[] | undefined, namespace = 'prod') => np(name, {
  podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ...(from ? { from } : {}), ports: [{ port: 8080 }] }],
}, namespace);

ruleTable('istio-strict-mtls', {
  cluster,
  nonCompliant: [
    ['the seed\'s case 2: STRICT, and a rule that admits a load balancer\'s addresses', [STRICT, ingressFrom('lb', [{ ipBlock: { cidr: '203.0.113.0/24' } }])],
      ['lb: spec.ingress[0].from[0]']],
    ['a rule that admits every client', [STRICT, ingressFrom('public', undefined)], ['public: spec.ingress[0]']],
    ['STRICT mesh-wide, no namespace-wide mode of its own', [pa('mesh', { mtls: { mode: 'STRICT' } }, 'istio-system'), ingressFrom('lb', [{ ipBlock: { cidr: '0.0.0.0/0' } }])],
      ['lb: spec.ingress[0].from[0]']],
    ['with --cluster: a rule that admits a namespace outside the mesh', [STRICT, ingressFrom('from-plain', [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'plain' } } }])],
      ['from-plain: spec.ingress[0].from[0]']],
    ['with --cluster: STRICT in a namespace not enrolled in the mesh', [pa('default', { mtls: { mode: 'STRICT' } }, 'plain')], ['default: spec.mtls.mode']],
  ],
  compliant: [
    ['STRICT alone: no evidence of a plaintext client', [STRICT], []],
    ['STRICT and rules that admit mesh pods only', [STRICT, ingressFrom('mesh', [{ podSelector: {} }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sidecar' } } }])], []],
    ['PERMISSIVE in the namespace overrides a mesh-wide STRICT', [pa('mesh', { mtls: { mode: 'STRICT' } }, 'istio-system'), pa('default', { mtls: { mode: 'PERMISSIVE' } }),
      ingressFrom('lb', [{ ipBlock: { cidr: '203.0.113.0/24' } }])], []],
    ['ambient\'s kubelet probe address, which ztunnel lets through', [STRICT, ingressFrom('probes', [{ ipBlock: { cidr: '169.254.7.127/32' } }])], []],
    ['ambient\'s IPv6 kubelet probe address (istio-cni HOST_PROBE_SNAT_IPV6), which ztunnel lets through',
      [STRICT, ingressFrom('probes', [{ ipBlock: { cidr: '169.254.7.127/32' } }, { ipBlock: { cidr: 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff/128' } }])], []],
    ['an ipBlock rule in a namespace without STRICT', [STRICT, ingressFrom('lb', [{ ipBlock: { cidr: '203.0.113.0/24' } }], 'other')], []],
  ],
});

describe('istio-strict-mtls messages', () => {
  test('name the clients and the PeerAuthentication that rejects them', () => {
    const [finding] = lint([STRICT, ingressFrom('lb', [{ ipBlock: { cidr: '203.0.113.0/24' } }])], { ruleId: 'istio-strict-mtls' });
    expect(finding.message).toBe('this rule lets in addresses in 203.0.113.0/24, which are not pods of the mesh, but PeerAuthentication prod/default makes mTLS STRICT '
      + 'for namespace prod: their plaintext connections are rejected by the proxy, so the allowance is dead');
  });
});

ruleTable('istio-literal-wildcard', {
  nonCompliant: [
    ['a "*" in the middle of a principal', [ap('a', { rules: [{ from: [{ source: { principals: ['cluster.local/ns/*/sa/web'] } }] }] })], ['a: spec.rules[0].from[0].source.principals[0]']],
    ['a "*" for a path segment', [ap('b', { rules: [{ to: [{ operation: { paths: ['/api/*/users'] } }] }] })], ['b: spec.rules[0].to[0].operation.paths[0]']],
    ['a "*" at both ends (the suffix "admin*")', [ap('c', { action: 'DENY', rules: [{ to: [{ operation: { ports: ['80'], notPaths: ['*admin*'] } }] }] })],
      ['c: spec.rules[0].to[0].operation.notPaths[0]']],
    ['two "*" in a method and a host', [ap('d', { rules: [{ to: [{ operation: { methods: ['G*T'], hosts: ['*.example.*'] } }] }] })],
      ['d: spec.rules[0].to[0].operation.hosts[0]', 'd: spec.rules[0].to[0].operation.methods[0]']],
  ],
  compliant: [
    ['prefix, suffix and presence', [ap('a', { rules: [{ from: [{ source: { principals: ['*', '*/sa/web', 'cluster.local/ns/prod/sa/*'] } }], to: [{ operation: { paths: ['/api/*', '*.js'] } }] }] })], []],
    ['namespaces, where every "*" is a wildcard', [ap('b', { rules: [{ from: [{ source: { namespaces: ['team-*-dev'] } }] }] })], []],
    ['a path template', [ap('c', { rules: [{ to: [{ operation: { paths: ['/users/{*}/orders'] } }] }] })], []],
  ],
});

ruleTable('istio-method-case', {
  nonCompliant: [
    ['a DENY on "delete" lets DELETE through', [ap('a', { action: 'DENY', rules: [{ to: [{ operation: { ports: ['8080'], methods: ['delete'] } }] }] })],
      ['a: spec.rules[0].to[0].operation.methods[0]']],
    ['notMethods in mixed case', [ap('b', { rules: [{ to: [{ operation: { methods: ['GET'], notMethods: ['Post'] } }] }] })], ['b: spec.rules[0].to[0].operation.notMethods[0]']],
  ],
  compliant: [
    ['upper case, and patterns', [ap('a', { rules: [{ to: [{ operation: { methods: ['GET', 'P*', '*'] } }] }] })], []],
  ],
});

const NS_WIDE = (name: string, mode: string, extra: Record<string, unknown> = {}) => ({ ...pa(name, { mtls: { mode } }), ...extra });
const stamped = (name: string, mode: string, creationTimestamp: string) => {
  const object = pa(name, { mtls: { mode } }) as { metadata: Record<string, unknown> };
  return { ...object, metadata: { ...object.metadata, creationTimestamp } };
};

ruleTable('istio-duplicate-peer-authentication', {
  nonCompliant: [
    ['two namespace-wide, without creationTimestamp: every one but the first', [NS_WIDE('strict', 'STRICT'), NS_WIDE('permissive', 'PERMISSIVE'), NS_WIDE('again', 'STRICT')],
      ['permissive: spec', 'again: spec']],
    ['with creationTimestamp: every one but the oldest', [stamped('newer', 'STRICT', '2024-05-02T10:00:00Z'), stamped('older', 'PERMISSIVE', '2024-05-01T10:00:00Z')],
      ['newer: spec']],
    ['the same second: by name', [stamped('b', 'STRICT', '2024-05-01T10:00:00Z'), stamped('a', 'STRICT', '2024-05-01T10:00:00Z')], ['b: spec']],
    ['an empty matchLabels is namespace-wide too, and so is the root namespace', [
      pa('x', { mtls: { mode: 'STRICT' } }, 'istio-system'), pa('y', { selector: { matchLabels: {} }, mtls: { mode: 'STRICT' } }, 'istio-system'),
    ], ['y: spec']],
  ],
  compliant: [
    ['one per namespace', [NS_WIDE('strict', 'STRICT'), pa('other', { mtls: { mode: 'PERMISSIVE' } }, 'other')], []],
    ['a namespace-wide one and a workload one', [NS_WIDE('strict', 'STRICT'), pa('db', { selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'PERMISSIVE' } })], []],
  ],
});

describe('istio-duplicate-peer-authentication messages', () => {
  test('say which one applies and that the modes differ', () => {
    const [finding] = lint([stamped('newer', 'STRICT', '2024-05-02T10:00:00Z'), stamped('older', 'PERMISSIVE', '2024-05-01T10:00:00Z')], { ruleId: 'istio-duplicate-peer-authentication' });
    expect(finding.message).toBe('2 PeerAuthentications are written for the whole namespace prod (this one, STRICT; older (PERMISSIVE)) and istiod applies only the oldest — '
      + 'older, by creationTimestamp — so this one is ignored; their modes differ (STRICT, PERMISSIVE), so that order decides which clients can connect');
  });
});
