import { ap, calico, cnp, lint, np, ruleTable } from './support';

ruleTable('cidr-host-bits', {
  nonCompliant: [
    ['a Kubernetes ipBlock cidr and except', [np('a', {
      podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.1/8', except: ['10.1.2.3/16'] } }] }],
    })], ['a: spec.egress[0].to[0].ipBlock.cidr', 'a: spec.egress[0].to[0].ipBlock.except[0]']],
    ['an IPv6 block', [np('b', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: 'fd00::1/64' } }] }] })], ['b: spec.ingress[0].from[0].ipBlock.cidr']],
    ['Calico nets and notNets', [calico('NetworkPolicy', 'c', {
      selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Allow', source: { nets: ['192.168.1.5/24'], notNets: ['192.168.1.7/30'] } }],
    })], ['c: spec.ingress[0].source.nets[0]', 'c: spec.ingress[0].source.notNets[0]']],
    ['Cilium toCIDR and toCIDRSet', [cnp('d', {
      endpointSelector: {}, egress: [{ toCIDR: ['10.0.0.9/24'] }, { toCIDRSet: [{ cidr: '172.16.0.1/12', except: ['172.16.5.5/24'] }] }],
    })], ['d: spec.egress[0].toCIDR[0]', 'd: spec.egress[1].toCIDRSet[0].cidr', 'd: spec.egress[1].toCIDRSet[0].except[0]']],
    ['Istio ipBlocks', [ap('e', { rules: [{ from: [{ source: { ipBlocks: ['203.0.113.7/24'] } }] }] })], ['e: spec.rules[0].from[0].source.ipBlocks[0]']],
  ],
  compliant: [
    ['network addresses', [np('a', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] })], []],
    ['one address as /32', [np('b', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }] }] })], []],
    ['a bare Istio address is not a CIDR', [ap('c', { rules: [{ from: [{ source: { ipBlocks: ['203.0.113.7'] } }] }] })], []],
  ],
});

describe('cidr-host-bits messages', () => {
  test('say the block that is enforced, its size, and both fixes', () => {
    const [finding] = lint([np('a', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.1/8' } }] }] })], { ruleId: 'cidr-host-bits' });
    expect(finding.message).toBe('10.0.0.1/8 has host bits set: it is enforced as 10.0.0.0/8, the whole block of 16,777,216 addresses, not the address 10.0.0.1');
    expect(finding.fix).toBe('write 10.0.0.0/8 if the block is meant, or 10.0.0.1/32 for the one address');
  });
});
