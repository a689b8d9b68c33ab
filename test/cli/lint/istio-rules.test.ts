import { ap, lint, pa, ruleTable } from './support';
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

ruleTable('istio-strict-mtls', {
  cluster,
  nonCompliant: [
    ['STRICT for a namespace', [pa('default', { mtls: { mode: 'STRICT' } })], ['default: spec.mtls.mode']],
    ['STRICT on one port of a workload', [pa('web', { selector: WEB, mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { 8080: { mode: 'STRICT' } } })], ['web: spec.portLevelMtls']],
    ['STRICT in a namespace not enrolled in the mesh', [pa('default', { mtls: { mode: 'STRICT' } }, 'plain')], ['default: spec.mtls.mode']],
  ],
  compliant: [
    ['PERMISSIVE', [pa('default', { mtls: { mode: 'PERMISSIVE' } })], []],
    ['an AuthorizationPolicy', [ap('a', {})], []],
  ],
});

describe('istio-strict-mtls messages', () => {
  test('name the namespace without enrolment labels when the cluster shows it', () => {
    const [plain] = lint([pa('default', { mtls: { mode: 'STRICT' } }, 'plain')], { ruleId: 'istio-strict-mtls', cluster });
    expect(plain.message).toContain('namespace plain carries none of the labels that enrol pods');
    const [enrolled] = lint([pa('default', { mtls: { mode: 'STRICT' } })], { ruleId: 'istio-strict-mtls', cluster });
    expect(enrolled.message).not.toContain('carries none of the labels');
  });
});
