import { ClusterModel, evaluate, ipEndpoint, matrix, podEndpoint, Protocol } from '../../../src/analysis';
import { expectTruthTable, policiesFromYaml, threeNamespaceCluster } from '../support/fixtures';

// NetworkPolicyPort: protocol TCP/UDP/SCTP (default TCP); port a number or a container-port name
// (resolved per destination pod: for ingress the selected pod, for egress the peer); no port = every port
// of that protocol; endPort makes an inclusive range with a numeric port.

const cluster = threeNamespaceCluster(['x/a', 'x/b', 'y/a']);

function intoXA(ports: string): ReturnType<typeof policiesFromYaml> {
  return policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: ports-into-a, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  policyTypes: [Ingress]
  ingress:
  - ports:
${ports}
`);
}

function yaReachesXA(policies: ReturnType<typeof policiesFromYaml>, port: number, protocol: Protocol): boolean {
  return evaluate(cluster, policies, { source: podEndpoint('y', 'a'), destination: podEndpoint('x', 'a'), port, protocol }).allowed;
}

describe('ports and protocols', () => {
  test.each([
    ['a numeric port allows that port only', '    - { port: 81, protocol: TCP }', [[81, 'TCP', true], [80, 'TCP', false], [81, 'UDP', false]]],
    ['a port without protocol means TCP', '    - { port: 80 }', [[80, 'TCP', true], [80, 'UDP', false], [80, 'SCTP', false]]],
    ['a UDP-only rule does not allow TCP on the same port', '    - { port: 81, protocol: UDP }', [[81, 'UDP', true], [81, 'TCP', false]]],
    ['an SCTP-only rule does not allow TCP on the same port', '    - { port: 81, protocol: SCTP }', [[81, 'SCTP', true], [81, 'TCP', false], [81, 'UDP', false]]],
    ['a protocol without port allows every port of that protocol', '    - { protocol: UDP }', [[1, 'UDP', true], [65535, 'UDP', true], [53, 'TCP', false]]],
    ['an empty port entry means every TCP port', '    - {}', [[1, 'TCP', true], [8080, 'TCP', true], [53, 'UDP', false]]],
    ['endPort makes an inclusive range', '    - { port: 8000, endPort: 8080 }', [[8000, 'TCP', true], [8080, 'TCP', true], [8040, 'TCP', true], [7999, 'TCP', false], [8081, 'TCP', false], [8000, 'UDP', false]]],
    ['endPort equal to port is a single port', '    - { port: 53, endPort: 53, protocol: UDP }', [[53, 'UDP', true], [54, 'UDP', false]]],
    ['several entries are alternatives', '    - { port: 80 }\n    - { port: 53, protocol: UDP }', [[80, 'TCP', true], [53, 'UDP', true], [53, 'TCP', false], [80, 'UDP', false]]],
  ] as const)('%s', (_title, ports, cases) => {
    const policies = intoXA(ports);
    for (const [port, protocol, allowed] of cases) {
      expect({ port, protocol, allowed: yaReachesXA(policies, port, protocol) }).toEqual({ port, protocol, allowed });
    }
  });

  test('a named port on ingress allows the port it names on the selected pods only', () => {
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-serve-81, namespace: x }
spec:
  podSelector: {}
  ingress:
  - ports: [{ port: serve-81-tcp }]
`);
    expectTruthTable(cluster, policies, 81, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  .   .   .
    `);
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   X   .
      x/b  X   .   .
      y/a  X   X   .
    `);
  });

  test.each(['UDP', 'SCTP'] as const)('a named %s port allows that protocol and port, nothing else', (protocol) => {
    const name = `serve-81-${protocol.toLowerCase()}`;
    const policies = intoXA(`    - { port: ${name}, protocol: ${protocol} }`);
    expect(yaReachesXA(policies, 81, protocol)).toBe(true);
    expect(yaReachesXA(policies, 81, 'TCP')).toBe(false);
    expect(yaReachesXA(policies, 80, protocol)).toBe(false);
  });

  test('a named port whose container port has another protocol than the rule matches nothing', () => {
    const policies = intoXA('    - { port: serve-81-udp }'); // rule protocol defaults to TCP
    expect(yaReachesXA(policies, 81, 'TCP')).toBe(false);
    expect(yaReachesXA(policies, 81, 'UDP')).toBe(false);
  });

  describe('a named port resolving to different numbers on different pods', () => {
    const web = ClusterModel.create({
      pods: [
        { namespace: 'x', name: 'web1', labels: { app: 'web' }, ips: ['10.0.0.1'], ports: [{ name: 'http', port: 8080 }] },
        { namespace: 'x', name: 'web2', labels: { app: 'web' }, ips: ['10.0.0.2'], ports: [{ name: 'http', port: 9090 }] },
        { namespace: 'x', name: 'client', labels: { app: 'client' }, ips: ['10.0.0.3'], ports: [] },
      ],
    });

    test('on ingress each selected pod allows its own number', () => {
      const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-http, namespace: x }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress:
  - ports: [{ port: http }]
`);
      expectTruthTable(web, policies, 8080, 'TCP', `
                 x/client x/web1 x/web2
        x/client  .        .      X
        x/web1    .        .      X
        x/web2    .        .      .
      `);
      expectTruthTable(web, policies, 9090, 'TCP', `
                 x/client x/web1 x/web2
        x/client  .        X      .
        x/web1    .        .      .
        x/web2    .        X      .
      `);
    });

    test('on egress the name resolves on each destination pod', () => {
      const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: client-http, namespace: x }
spec:
  podSelector: { matchLabels: { app: client } }
  policyTypes: [Egress]
  egress:
  - ports: [{ port: http }]
`);
      const reachable = (port: number) => matrix(web, policies, port, 'TCP').allowedPairs()
        .filter(([source, destination]) => source === 'x/client' && destination !== 'x/client').map(([, destination]) => destination);
      expect(reachable(8080)).toEqual(['x/web1']);
      expect(reachable(9090)).toEqual(['x/web2']);
      expect(reachable(80)).toEqual([]);
    });

    test('on egress a named port never matches an external destination', () => {
      const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: client-http, namespace: x }
spec:
  podSelector: { matchLabels: { app: client } }
  policyTypes: [Egress]
  egress:
  - ports: [{ port: http }]
  - ports: [{ port: 443 }]
`);
      const to = (port: number) => evaluate(web, policies, { source: podEndpoint('x', 'client'), destination: ipEndpoint('203.0.113.5'), port, protocol: 'TCP' }).allowed;
      expect(to(8080)).toBe(false);
      expect(to(443)).toBe(true);
    });

    test('on ingress from an external address the name resolves on the destination pod', () => {
      const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-http, namespace: x }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress:
  - from: [{ ipBlock: { cidr: 0.0.0.0/0 } }]
    ports: [{ port: http }]
`);
      const from = (pod: string, port: number) => evaluate(web, policies, { source: ipEndpoint('198.51.100.7'), destination: podEndpoint('x', pod), port, protocol: 'TCP' }).allowed;
      expect(from('web1', 8080)).toBe(true);
      expect(from('web2', 8080)).toBe(false);
      expect(from('web2', 9090)).toBe(true);
    });
  });

  test('a named egress port allows that port to every pod serving it (upstream e2e expectation)', () => {
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-egress, namespace: x }
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - ports: [{ port: serve-80-tcp }]
`);
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  .   .   .
    `);
    expectTruthTable(cluster, policies, 81, 'TCP', `
          x/a x/b y/a
      x/a  .   X   X
      x/b  X   .   X
      y/a  .   .   .
    `);
  });
});
