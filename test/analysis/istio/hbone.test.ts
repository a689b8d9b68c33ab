import { ClusterModel, MeshEnrollment, parsePolicies, podEndpoint, Protocol, ReachabilityAnalyzer } from '../../../src/analysis';

// Ambient's data path as the CNI sees it (research-13-16 §2a, istio.io ambient/usage/networkpolicy): between a
// meshed client and a server that accepts HBONE, TCP travels in a tunnel from the client pod to the server pod
// on TCP 15008, and the application port is only inside it, where the server's ztunnel authorizes it; UDP and
// traffic from pods outside the mesh go on the real port. Every expectation is derived from that rule.

const cnp = (name: string, ports: string) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: ${name}, namespace: prod }
spec:
  podSelector: { matchLabels: { app: server } }
  policyTypes: [Ingress]
  ingress: [{ from: [{ podSelector: {} }], ports: [${ports}] }]
`;
const ztunnelAllows8080 = `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: server, namespace: prod }
spec:
  selector: { matchLabels: { app: server } }
  rules: [{ from: [{ source: { principals: [cluster.local/ns/prod/sa/client] } }], to: [{ operation: { ports: ["8080"] } }] }]
`;

function allowed(client: MeshEnrollment, yaml: string, port: number, protocol: Protocol = 'TCP', server: MeshEnrollment = 'ambient'): boolean {
  const pods = [['client', client], ['server', server]] as const;
  const cluster = ClusterModel.create({
    namespaces: [{ name: 'prod' }],
    pods: pods.map(([name, mesh], i) => ({ namespace: 'prod', name, labels: { app: name }, serviceAccountName: name, ips: [`10.0.0.${i + 1}`], mesh: { enrollment: mesh } })),
  });
  const analyzer = new ReachabilityAnalyzer(cluster, parsePolicies({ file: 'p.yaml', text: yaml }));
  const flow = { source: podEndpoint('prod', 'client'), destination: podEndpoint('prod', 'server'), port, protocol };
  const verdict = analyzer.evaluate(flow).allowed;
  expect(analyzer.connectivity().connections(flow.source, flow.destination).contains(port, protocol)).toBe(verdict);
  expect(analyzer.connections(flow.source, flow.destination).contains(port, protocol)).toBe(verdict);
  return verdict;
}

describe('HBONE: what the CNI sees between ambient pods', () => {
  test('a CNI allowance of the application port alone does not let a meshed client in: the CNI sees TCP 15008', () => {
    const policy = cnp('app-port', '{ port: 8080, protocol: TCP }');
    expect(allowed('ambient', policy, 8080)).toBe(false);
    expect(allowed('sidecar', policy, 8080)).toBe(false);
    // A client outside the mesh sends plaintext on the real port, which the CNI allows and ztunnel (no policy) passes.
    expect(allowed('none', policy, 8080)).toBe(true);
  });

  test('a CNI allowance of 15008 admits every TCP port inside the tunnel, which ztunnel then decides', () => {
    const policy = cnp('hbone', '{ port: 15008, protocol: TCP }');
    expect([allowed('ambient', policy, 8080), allowed('ambient', policy, 9090)]).toEqual([true, true]);
    expect(allowed('none', policy, 8080)).toBe(false);
    expect([allowed('ambient', policy + ztunnelAllows8080, 8080), allowed('ambient', policy + ztunnelAllows8080, 9090)]).toEqual([true, false]);
  });

  test('UDP is never tunnelled: the CNI sees the real port', () => {
    expect(allowed('ambient', cnp('dns', '{ port: 53, protocol: UDP }'), 53, 'UDP')).toBe(true);
    expect(allowed('ambient', cnp('hbone', '{ port: 15008, protocol: TCP }'), 53, 'UDP')).toBe(false);
  });

  test('an ambient client reaches a sidecar that does not listen HBONE on the real port, in plaintext', () => {
    expect(allowed('ambient', cnp('app-port', '{ port: 8080, protocol: TCP }'), 8080, 'TCP', 'sidecar')).toBe(true);
    expect(allowed('ambient', cnp('app-port', '{ port: 8080, protocol: TCP }') + ztunnelAllows8080, 8080, 'TCP', 'sidecar')).toBe(false);
  });

  test('explain names the tunnel at the CNI steps', () => {
    const cluster = ClusterModel.create({
      namespaces: [{ name: 'prod' }],
      pods: ['client', 'server'].map((name, i) => ({ namespace: 'prod', name, labels: { app: name }, ips: [`10.0.0.${i + 1}`], mesh: { enrollment: 'ambient' as const } })),
    });
    const verdict = new ReachabilityAnalyzer(cluster, parsePolicies({ file: 'p.yaml', text: cnp('hbone', '{ port: 15008, protocol: TCP }') }))
      .evaluate({ source: podEndpoint('prod', 'client'), destination: podEndpoint('prod', 'server'), port: 8080, protocol: 'TCP' });
    expect(verdict.explanation).toContain('ingress at pod prod/server: HBONE: the CNI sees TCP 15008 (the mesh tunnel; port 8080 travels inside it); allowed by NetworkPolicy prod/hbone');
  });

  test('ztunnel enforces an ambient pod\'s policies at L4: an ALLOW rule on HTTP matches no request there, while a sidecar matches it', () => {
    const getOnly = `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: server, namespace: prod }
spec:
  selector: { matchLabels: { app: server } }
  rules: [{ from: [{ source: { principals: [cluster.local/ns/prod/sa/client] } }], to: [{ operation: { methods: [GET], ports: ["8080"] } }] }]
`;
    const denyPost = getOnly.replace('name: server,', 'name: no-post,').replace('rules:', 'action: DENY\n  rules:').replace('methods: [GET]', 'methods: [POST]');
    const verdicts = (server: MeshEnrollment, yaml: string) => {
      const cluster = ClusterModel.create({
        namespaces: [{ name: 'prod' }],
        pods: [['client', 'sidecar'], ['server', server]].map(([name, mesh], i) => ({
          namespace: 'prod', name, labels: { app: name }, serviceAccountName: name, ips: [`10.0.0.${i + 1}`], mesh: { enrollment: mesh as MeshEnrollment },
        })),
      });
      const analyzer = new ReachabilityAnalyzer(cluster, parsePolicies({ file: 'p.yaml', text: yaml }));
      const source = podEndpoint('prod', 'client');
      const destination = podEndpoint('prod', 'server');
      return (['GET', 'POST'] as const).map((method) => {
        const http = { method, path: '/' };
        const verdict = analyzer.evaluate({ source, destination, port: 8080, protocol: 'TCP', http }).allowed;
        expect(analyzer.connectivity().connections(source, destination).contains(8080, 'TCP', http)).toBe(verdict);
        return verdict;
      });
    };
    expect(verdicts('sidecar', getOnly)).toEqual([true, false]);
    expect(verdicts('ambient', getOnly)).toEqual([false, false]);
    // A DENY on POST: the sidecar denies POST only; ztunnel, without the method, denies every request on the port.
    const allowAll = getOnly.replace(', to: [{ operation: { methods: [GET], ports: ["8080"] } }]', '');
    expect(verdicts('sidecar', allowAll + denyPost)).toEqual([true, false]);
    expect(verdicts('ambient', allowAll + denyPost)).toEqual([false, false]);
  });
});
