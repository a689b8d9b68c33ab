import { ClusterModel, ipEndpoint, podEndpoint, ReachabilityAnalyzer } from '../../../../src/analysis';
import { expectTruthTable, policiesFromYaml, threeNamespaceCluster } from '../../support/fixtures';

// network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go: peers `namespaces` (every pod of the
// namespaces), `pods` (namespaceSelector AND podSelector), `networks` ("cluster-internal traffic will be
// checked against the rule as well"); host-networked pods are never subjects or pod peers; `protocols`
// absent = every port of every protocol, TCP/UDP/SCTP with a destinationPort number or an inclusive
// range, or a destinationNamedPort (the container port of that name); a Pod connecting to its own IP is
// not subject to ClusterNetworkPolicy (site-src/api-overview.md).

const cluster = threeNamespaceCluster(['x/a', 'x/b', 'y/a', 'y/b'], { namespaceLabels: { x: { team: 'red' }, y: { team: 'blue' } } });
// Pod IPs: x/a 10.1.0.10, x/b 10.1.0.11, y/a 10.2.0.12, y/b 10.2.0.13.

const denyEgress = (to: string, protocols = '') => policiesFromYaml(`
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: deny-out }
spec:
  tier: Admin
  priority: 1
  subject: { namespaces: { matchLabels: { team: red } } }
  egress: [{ name: out, action: Deny, to: [${to}]${protocols ? `, protocols: [${protocols}]` : ''} }]
`);

describe('ClusterNetworkPolicy peers and ports', () => {
  test('a pods peer is the pods of the selected namespaces AND labels', () => {
    expectTruthTable(cluster, denyEgress('{ pods: { namespaceSelector: { matchLabels: { team: blue } }, podSelector: { matchLabels: { pod: a } } } }'), 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   .   X   .
      x/b  .   .   X   .
      y/a  .   .   .   .
      y/b  .   .   .   .
    `);
  });

  test('a networks peer also matches pod addresses inside the block', () => {
    expectTruthTable(cluster, denyEgress('{ networks: [10.2.0.12/32, 10.1.0.0/24] }'), 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   X   X   .
      x/b  X   .   X   .
      y/a  .   .   .   .
      y/b  .   .   .   .
    `);
  });

  test('a networks peer matches addresses outside the cluster, of its own family only', () => {
    // A dual-stack subject: a pod connects to an address only over that address's family, so an
    // IPv4-only pod could not reach 2001:db8::1 whatever the policy says.
    const dualStack = ClusterModel.create({
      namespaces: [{ name: 'x', labels: { team: 'red' } }],
      pods: [{ namespace: 'x', name: 'a', labels: { pod: 'a' }, ips: ['10.1.0.10', 'fd00::10'] }],
    });
    const analyzer = new ReachabilityAnalyzer(dualStack, denyEgress('{ networks: [192.0.2.0/24] }'));
    const to = (ip: string) => analyzer.evaluate({ source: podEndpoint('x', 'a'), destination: ipEndpoint(ip), port: 443, protocol: 'TCP' }).allowed;
    expect([to('192.0.2.7'), to('198.51.100.1'), to('2001:db8::1')]).toEqual([false, true, true]);
    const exact = (ip: string) => analyzer.connectivity().connections(podEndpoint('x', 'a'), ipEndpoint(ip)).format();
    expect([exact('192.0.2.7'), exact('198.51.100.1'), exact('2001:db8::1')]).toEqual(['nothing', 'all traffic', 'all traffic']);
  });

  test('without protocols a rule matches every protocol and port; with them, only those', () => {
    const all = denyEgress('{ namespaces: { matchLabels: { team: blue } } }');
    const some = denyEgress('{ namespaces: { matchLabels: { team: blue } } }', '{ udp: { destinationPort: { number: 53 } } }, { tcp: { destinationPort: { range: { start: 80, end: 81 } } } }');
    const blocked = (policies: typeof all, port: number, protocol: 'TCP' | 'UDP' | 'SCTP') =>
      !new ReachabilityAnalyzer(cluster, policies).evaluate({ source: podEndpoint('x', 'a'), destination: podEndpoint('y', 'a'), port, protocol }).allowed;
    expect([blocked(all, 80, 'SCTP'), blocked(all, 9999, 'UDP')]).toEqual([true, true]);
    expect([blocked(some, 53, 'UDP'), blocked(some, 53, 'TCP'), blocked(some, 80, 'TCP'), blocked(some, 81, 'TCP'), blocked(some, 82, 'TCP')])
      .toEqual([true, false, true, true, false]);
  });

  test('a destinationNamedPort matches the destination pod\'s container port of that name, with its number and protocol', () => {
    const named = denyEgress('{ namespaces: { matchLabels: { team: blue } } }', '{ destinationNamedPort: serve-81-udp }');
    expectTruthTable(cluster, named, 81, 'UDP', `
          x/a x/b y/a y/b
      x/a  .   .   X   X
      x/b  .   .   X   X
      y/a  .   .   .   .
      y/b  .   .   .   .
    `);
    expectTruthTable(cluster, named, 81, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   .   .   .
      x/b  .   .   .   .
      y/a  .   .   .   .
      y/b  .   .   .   .
    `);
  });

  test('host-network pods are neither subjects nor pod peers, and a pod always reaches itself', () => {
    const withHost = ClusterModel.create({
      namespaces: [{ name: 'x', labels: { team: 'red' } }],
      pods: [
        { namespace: 'x', name: 'a', labels: { pod: 'a' }, ips: ['10.1.0.10'] },
        { namespace: 'x', name: 'node-agent', labels: { pod: 'a' }, ips: ['10.0.0.1'], hostNetwork: true, nodeName: 'n2' },
      ],
    });
    const policies = denyEgress('{ namespaces: {} }');
    const analyzer = new ReachabilityAnalyzer(withHost, policies);
    const flow = (from: string, to: string) => analyzer.evaluate({ source: podEndpoint('x', from), destination: podEndpoint('x', to), port: 80, protocol: 'TCP' }).allowed;
    expect([flow('a', 'node-agent'), flow('node-agent', 'a'), flow('a', 'a')]).toEqual([true, true, true]);
  });
});
