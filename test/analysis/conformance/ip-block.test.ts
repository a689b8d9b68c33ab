import { ClusterModel, evaluate, ipEndpoint, podEndpoint } from '../../../src/analysis';
import { expectTruthTable, policiesFromYaml, threeNamespaceCluster } from '../support/fixtures';

// ipBlock: a CIDR and excepts that must lie strictly inside it. The API server accepts CIDRs with
// host bits set, meaning the masked network. Whether an ipBlock also matches pod IPs is
// implementation-defined; the evaluator matches them by default (option ipBlockMatchesPods), as the
// upstream e2e tests expect.

const cluster = threeNamespaceCluster(['x/a', 'x/b', 'x/c', 'y/a', 'y/b']);
// IPs: x/a 10.1.0.10, x/b 10.1.0.11, x/c 10.1.0.12, y/a 10.2.0.13, y/b 10.2.0.14

function egressFromXA(to: string): ReturnType<typeof policiesFromYaml> {
  return policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: egress-from-a, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  policyTypes: [Egress]
  egress:
  - to:
${to}
`);
}

// x/a with an IPv6 address as well, for IPv6 destinations (a pod connects only over a family it has).
const dualStack = ClusterModel.create({
  namespaces: [{ name: 'x' }],
  pods: [{ namespace: 'x', name: 'a', labels: { pod: 'a' }, ips: ['10.1.0.10', 'fd00:1::10'] }],
});

function canReach(policies: ReturnType<typeof policiesFromYaml>, ip: string, options = {}): boolean {
  const from = ip.includes(':') ? dualStack : cluster;
  return evaluate(from, policies, { source: podEndpoint('x', 'a'), destination: ipEndpoint(ip), port: 443, protocol: 'TCP' }, options).allowed;
}

describe('ipBlock', () => {
  const withExcept = egressFromXA(`
    - ipBlock: { cidr: 203.0.113.0/24, except: [203.0.113.128/25] }`);

  test.each([
    ['203.0.113.10', true],
    ['203.0.113.127', true],
    ['203.0.113.128', false],
    ['203.0.113.255', false],
    ['203.0.112.255', false],
    ['198.51.100.1', false],
  ])('egress to ipBlock 203.0.113.0/24 except 203.0.113.128/25 reaching %s is %s', (ip, allowed) => {
    expect(canReach(withExcept, ip)).toBe(allowed);
  });

  test.each([
    ['203.0.113.0', true],
    ['203.0.113.255', true],
    ['203.0.114.0', false],
  ])('a CIDR written with host bits set (203.0.113.77/24) means the masked network: %s is %s', (ip, allowed) => {
    const policies = egressFromXA(`
    - ipBlock: { cidr: 203.0.113.77/24 }`);
    expect(canReach(policies, ip)).toBe(allowed);
    const peer = policies[0].egress?.rules[0].peers?.[0];
    expect(peer?.kind === 'ipBlock' && peer.cidr.text).toBe('203.0.113.0/24');
  });

  test('IPv4 leading zeros are decimal, as the API server reads them', () => {
    const policies = egressFromXA(`
    - ipBlock: { cidr: 010.001.000.011/32 }`);
    expect(canReach(policies, '10.1.0.11')).toBe(true);
    expect(canReach(policies, '8.1.0.9')).toBe(false);
  });

  test.each([
    ['2001:db8::1', true],
    ['2001:db8:ffff::1', true],
    ['2001:db8:ff::1', false],
    ['2001:db9::1', false],
    ['192.0.2.1', false],
  ])('egress to IPv6 ipBlock 2001:db8::/32 except 2001:db8:ff::/48 reaching %s is %s', (ip, allowed) => {
    const policies = egressFromXA(`
    - ipBlock: { cidr: "2001:db8::/32", except: ["2001:db8:ff::/48"] }`);
    expect(canReach(policies, ip)).toBe(allowed);
  });

  test('a pod without an IPv6 address cannot reach an IPv6 address, whatever the policies allow', () => {
    const verdict = evaluate(cluster, [], { source: podEndpoint('x', 'a'), destination: ipEndpoint('2001:db8::1'), port: 443, protocol: 'TCP' });
    expect(verdict.allowed).toBe(false);
    expect(verdict.noNetwork).toBe('pod x/a has no IPv6 address, so it cannot connect with 2001:db8::1');
  });

  test('a non-canonical IPv6 CIDR is masked too', () => {
    const policies = egressFromXA(`
    - ipBlock: { cidr: "2001:db8::dead:beef/64" }`);
    expect(canReach(policies, '2001:db8::1')).toBe(true);
    expect(canReach(policies, '2001:db8:0:1::1')).toBe(false);
  });

  test('an ingress ipBlock admits external sources inside it only', () => {
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-partner, namespace: x }
spec:
  podSelector: {}
  ingress:
  - from: [{ ipBlock: { cidr: 192.0.2.0/24 } }]
`);
    const from = (ip: string) => evaluate(cluster, policies, { source: ipEndpoint(ip), destination: podEndpoint('x', 'b'), port: 80, protocol: 'TCP' }).allowed;
    expect(from('192.0.2.200')).toBe(true);
    expect(from('192.0.3.1')).toBe(false);
  });

  test('an ipBlock holding a pod IP allows egress to that pod by default (upstream e2e expectation)', () => {
    const policies = egressFromXA(`
    - ipBlock: { cidr: 10.2.0.14/32 }`);
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b x/c y/a y/b
      x/a  .   X   X   X   .
      x/b  .   .   .   .   .
      x/c  .   .   .   .   .
      y/a  .   .   .   .   .
      y/b  .   .   .   .   .
    `);
  });

  test('with ipBlockMatchesPods false an ipBlock never matches pods (Cilium view)', () => {
    const policies = egressFromXA(`
    - ipBlock: { cidr: 10.0.0.0/8 }`);
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b x/c y/a y/b
      x/a  .   X   X   X   X
      x/b  .   .   .   .   .
      x/c  .   .   .   .   .
      y/a  .   .   .   .   .
      y/b  .   .   .   .   .
    `, { ipBlockMatchesPods: false });
    expect(canReach(policies, '10.99.0.1', { ipBlockMatchesPods: false })).toBe(true);
  });

  test('an except clause removes a pod IP from a wide ipBlock', () => {
    const policies = egressFromXA(`
    - ipBlock: { cidr: 10.0.0.0/8, except: [10.1.0.11/32] }`);
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b x/c y/a y/b
      x/a  .   X   .   .   .
      x/b  .   .   .   .   .
      x/c  .   .   .   .   .
      y/a  .   .   .   .   .
      y/b  .   .   .   .   .
    `);
  });

  test('an IP excepted by one ipBlock is still allowed by another rule that contains it', () => {
    const policies = [
      ...egressFromXA(`
    - ipBlock: { cidr: 10.0.0.0/8, except: [10.1.0.11/32] }`),
      ...policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: egress-to-b, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  policyTypes: [Egress]
  egress:
  - to: [{ ipBlock: { cidr: 10.1.0.11/32 } }]
`, 'second.yaml'),
    ];
    expect(evaluate(cluster, policies, { source: podEndpoint('x', 'a'), destination: podEndpoint('x', 'b'), port: 80, protocol: 'TCP' }).steps[0].allowedBy)
      .toEqual(['NetworkPolicy x/egress-to-b egress[0]']);
  });

  test('an ingress ipBlock holding a pod IP admits that pod as a source', () => {
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-ya, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  ingress:
  - from: [{ ipBlock: { cidr: 10.2.0.13/32 } }]
`);
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b x/c y/a y/b
      x/a  .   .   .   .   .
      x/b  X   .   .   .   .
      x/c  X   .   .   .   .
      y/a  .   .   .   .   .
      y/b  X   .   .   .   .
    `);
  });

  test('dual-stack pods reach each other over the family whose ipBlock allows it', () => {
    const dual = ClusterModel.create({
      pods: [
        { namespace: 'x', name: 'a', labels: { pod: 'a' }, ips: ['10.1.0.1', 'fd00::1'] },
        { namespace: 'x', name: 'b', labels: { pod: 'b' }, ips: ['10.1.0.2', 'fd00::2'] },
        { namespace: 'x', name: 'v4only', labels: { pod: 'v4only' }, ips: ['10.1.0.3'] },
      ],
    });
    const policies = egressFromXA(`
    - ipBlock: { cidr: "fd00::/64" }`);
    const flow = { source: podEndpoint('x', 'a'), destination: podEndpoint('x', 'b'), port: 80, protocol: 'TCP' as const };
    const verdict = evaluate(dual, policies, flow);
    expect(verdict.allowed).toBe(true);
    expect(verdict.ipFamily).toBe('IPv6');
    expect(evaluate(dual, policies, { ...flow, ipFamily: 'IPv4' }).allowed).toBe(false);
    expect(evaluate(dual, policies, { ...flow, destination: podEndpoint('x', 'v4only') }).allowed).toBe(false);
    expectTruthTable(dual, policies, 80, 'TCP', `
             x/a x/b x/v4only
      x/a     .   .   X
      x/b     .   .   .
      x/v4only .  .   .
    `);
  });
});
