import { lint, np, ruleTable } from './support';
import { ClusterModel } from '../../../src/analysis';

const APP = { matchLabels: { app: 'web' } };
const TEAM = { matchLabels: { team: 'ops' } };
const TCP_8080 = [{ protocol: 'TCP', port: 8080 }];

ruleTable('k8s-split-peers', {
  nonCompliant: [
    ['ingress from a pod-only and a namespace-only peer', [np('a', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: APP }, { namespaceSelector: TEAM }] }] })],
      ['a: spec.ingress[0].from']],
    ['egress to them, in the second rule', [np('b', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: APP }] }, { to: [{ namespaceSelector: TEAM }, { ipBlock: { cidr: '10.0.0.0/8' } }, { podSelector: APP }] }],
    })], ['b: spec.egress[1].to']],
    ['both directions', [np('c', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: TEAM }, { podSelector: APP }] }],
      egress: [{ to: [{ podSelector: APP }, { namespaceSelector: {} }] }],
    })], ['c: spec.egress[0].to', 'c: spec.ingress[0].from']],
  ],
  compliant: [
    ['one peer with both selectors (AND)', [np('a', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: APP, namespaceSelector: TEAM }] }] })], []],
    ['pod-only peers only', [np('b', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: APP }, { podSelector: TEAM }] }] })], []],
    ['the two peers in separate rules', [np('c', {
      podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: APP }] }, { from: [{ namespaceSelector: TEAM }] }],
    })], []],
    ['a combined peer next to a namespace-only one', [np('d', {
      podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: APP, namespaceSelector: TEAM }, { namespaceSelector: {} }] }],
    })], []],
    ['rules of a direction outside policyTypes', [np('e', {
      podSelector: {}, policyTypes: ['Ingress'], egress: [{ to: [{ podSelector: APP }, { namespaceSelector: TEAM }] }],
    })], []],
  ],
});

ruleTable('k8s-missing-policy-types', {
  nonCompliant: [
    ['an egress-only policy without policyTypes (also isolates ingress)', [np('a', { podSelector: {}, egress: [{ ports: TCP_8080 }] })], ['a: spec.policyTypes']],
    ['a deny-all meant for egress (does nothing for egress)', [np('b', { podSelector: {} })], ['b: spec.policyTypes']],
    ['an empty policyTypes list is the same as none', [np('c', { podSelector: APP, policyTypes: [], ingress: [{}] })], ['c: spec.policyTypes']],
  ],
  compliant: [
    ['explicit Ingress and Egress', [np('a', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })], []],
    ['explicit Egress', [np('b', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: TCP_8080 }] })], []],
  ],
});

ruleTable('k8s-ignored-rules', {
  nonCompliant: [
    ['egress rules in an Ingress-only policy', [np('a', { podSelector: {}, policyTypes: ['Ingress'], egress: [{ ports: TCP_8080 }] })], ['a: spec.egress']],
    ['ingress rules in an Egress-only policy', [np('b', { podSelector: {}, policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: APP }] }] })], ['b: spec.ingress']],
  ],
  compliant: [
    ['rules of the declared direction', [np('a', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: TCP_8080 }] })], []],
    ['defaulted policyTypes cover the egress rules', [np('b', { podSelector: {}, egress: [{ ports: TCP_8080 }] })], []],
  ],
});

ruleTable('k8s-allow-all-rule', {
  nonCompliant: [
    ['ingress: [{}]', [np('a', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] })], ['a: spec.ingress[0]']],
    ['egress: [{to: []}] after a real rule', [np('b', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: TCP_8080 }, { to: [] }] })], ['b: spec.egress[1]']],
    ['a null rule (YAML "- ")', [np('c', { podSelector: {}, policyTypes: ['Ingress'], ingress: [null] })], ['c: spec.ingress[0]']],
    ['from: [] and ports: []', [np('d', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [], ports: [] }] })], ['d: spec.ingress[0]']],
  ],
  compliant: [
    ['no rules: isolation only', [np('a', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [] })], []],
    ['a rule with peers', [np('b', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: APP }] }] })], []],
    ['a rule with ports only (reported by k8s-any-peer)', [np('c', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: TCP_8080 }] })], []],
    ['an allow-all in a direction outside policyTypes', [np('d', { podSelector: {}, policyTypes: ['Ingress'], egress: [{}] })], []],
  ],
});

ruleTable('k8s-empty-peer-list', {
  nonCompliant: [
    ['from: [] with ports', [np('a', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [], ports: TCP_8080 }] })], ['a: spec.ingress[0].from']],
    ['to: null with ports', [np('b', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: null, ports: [{ protocol: 'UDP', port: 53 }] }] })], ['b: spec.egress[0].to']],
  ],
  compliant: [
    ['from with a peer', [np('a', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: APP }], ports: TCP_8080 }] })], []],
    ['from omitted (reported by k8s-any-peer)', [np('b', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: TCP_8080 }] })], []],
    ['from: [] without ports (reported by k8s-allow-all-rule)', [np('c', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [] }] })], []],
  ],
});

ruleTable('k8s-any-peer', {
  nonCompliant: [
    ['ingress with ports and no from', [np('a', { podSelector: APP, policyTypes: ['Ingress'], ingress: [{ ports: TCP_8080 }] })], ['a: spec.ingress[0]']],
    ['egress with ports and no to', [np('b', { podSelector: APP, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: APP }] }, { ports: [{ port: 443 }] }] })], ['b: spec.egress[1]']],
  ],
  compliant: [
    ['rules with peers', [np('a', { podSelector: APP, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: TCP_8080 }] })], []],
    ['no ports and no peers (reported by k8s-allow-all-rule)', [np('b', { podSelector: APP, policyTypes: ['Ingress'], ingress: [{}] })], []],
  ],
});

ruleTable('k8s-end-port', {
  nonCompliant: [
    ['a port range', [np('a', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'TCP', port: 8000, endPort: 9000 }] }] })],
      ['a: spec.egress[0].ports[0].endPort']],
    ['the second port of an ingress rule', [np('b', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80 }, { port: 30000, endPort: 32767 }] }] })],
      ['b: spec.ingress[0].ports[1].endPort']],
  ],
  compliant: [
    ['single ports', [np('a', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80 }, { port: 443 }] }] })], []],
  ],
});

const cluster = ClusterModel.create({
  namespaces: [{ name: 'prod' }],
  pods: [
    { namespace: 'prod', name: 'web', labels: { role: 'web' }, ips: ['10.0.1.10'] },
    { namespace: 'prod', name: 'db', ips: ['10.0.2.10', 'fd00::10'] },
  ],
});

ruleTable('k8s-ip-block-overlaps-pods', {
  cluster,
  nonCompliant: [
    ['an egress ipBlock containing a pod IP', [np('a', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16' } }] }] })],
      ['a: spec.egress[0].to[0].ipBlock']],
    ['0.0.0.0/0 whose excepts leave a pod out', [np('b', {
      podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.1.0/24'] } }] }],
    })], ['b: spec.egress[0].to[0].ipBlock']],
    ['an IPv6 ingress block', [np('c', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: APP }, { ipBlock: { cidr: 'fd00::/64' } }] }] })],
      ['c: spec.ingress[0].from[1].ipBlock']],
    ['a pod selector peer covers one pod, the block still the other', [np('d', {
      podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { role: 'web' } } }, { ipBlock: { cidr: '10.0.0.0/8' } }] }],
    })], ['d: spec.egress[0].to[1].ipBlock']],
  ],
  compliant: [
    ['an external range', [np('a', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }] })], []],
    ['0.0.0.0/0 next to namespaceSelector: {} (Peer.anyone(): every pod matches anyway)', [np('c', {
      podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }, { ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }] }],
    })], []],
    ['excepts that cover every pod', [np('b', {
      podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/16'] } }] }],
    })], []],
  ],
});

describe('k8s-ip-block-overlaps-pods without --cluster', () => {
  test('skips: pod IPs are unknown', () => {
    // The first non-compliant manifest above, without a cluster model, is not reported.
    expect(lint([np('a', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16' } }] }] })],
      { ruleId: 'k8s-ip-block-overlaps-pods' })).toEqual([]);
  });
});

ruleTable('k8s-all-namespaces-peer', {
  nonCompliant: [
    ['namespaceSelector: {} alone, meant as "this namespace"', [np('a', {
      podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 8080 }] }],
    })], ['a: spec.ingress[0].from[0]']],
    ['with an empty podSelector, on egress', [np('b', {
      podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }, { namespaceSelector: {}, podSelector: {} }] }],
    })], ['b: spec.egress[0].to[1]']],
    ['an ipBlock with excepts does not make it "anyone"', [np('c', {
      podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }, { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }],
    })], ['c: spec.ingress[0].from[0]']],
  ],
  compliant: [
    ['podSelector: {} alone (this namespace)', [np('a', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] })], []],
    ['every namespace, some pods', [np('b', {
      podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'prometheus' } } }] }],
    })], []],
    ['Peer.anyone(): every namespace and every address, spelled out', [np('c', {
      podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }, { ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }] }],
    })], []],
    ['Istio ambient\'s HBONE port, where ztunnel admits authenticated mesh workloads of any namespace', [np('e', {
      podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port: 15008 }] }],
    })], []],
    ['a direction policyTypes leaves out', [np('d', { podSelector: {}, policyTypes: ['Egress'], ingress: [{ from: [{ namespaceSelector: {} }] }] })], []],
  ],
});
