import { evaluate, ipEndpoint, podEndpoint } from '../../../src/analysis';
import { expectTruthTable, policiesFromYaml, threeNamespaceCluster } from '../support/fixtures';

// Kubernetes docs, "Allow all ingress/egress traffic": a rule `{}` has no peer and no port
// restriction, so it allows everything — the opposite of an empty rule list.

const cluster = threeNamespaceCluster(['x/a', 'x/b', 'y/a']);

const allowAllIngress = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-all-ingress, namespace: x }
spec:
  podSelector: {}
  ingress:
  - {}
`;

describe('allow all', () => {
  test('an ingress rule {} allows every pod on every port', () => {
    const policies = policiesFromYaml(allowAllIngress);
    for (const [port, protocol] of [[80, 'TCP'], [81, 'UDP'], [9999, 'SCTP']] as const) {
      expectTruthTable(cluster, policies, port, protocol, `
            x/a x/b y/a
        x/a  .   .   .
        x/b  .   .   .
        y/a  .   .   .
      `);
    }
  });

  test('an ingress rule {} also allows external addresses, unlike a peer selecting every pod', () => {
    const everyPod = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: every-pod, namespace: x }
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {}
      podSelector: {}
`);
    const flow = { source: ipEndpoint('203.0.113.9'), destination: podEndpoint('x', 'a'), port: 80, protocol: 'TCP' as const };
    expect(evaluate(cluster, policiesFromYaml(allowAllIngress), flow).allowed).toBe(true);
    expect(evaluate(cluster, everyPod, flow).allowed).toBe(false);
    expect(evaluate(cluster, everyPod, { ...flow, source: podEndpoint('y', 'a') }).allowed).toBe(true);
  });

  test('empty from and ports lists mean every peer and every port, not nobody', () => {
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: empty-lists, namespace: x }
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from: []
    ports: []
`);
    expectTruthTable(cluster, policies, 12345, 'UDP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  .   .   .
    `);
    expect(evaluate(cluster, policies, { source: ipEndpoint('198.51.100.1'), destination: podEndpoint('x', 'b'), port: 1, protocol: 'SCTP' }).allowed).toBe(true);
  });

  test('an ingress allow-all policy widens a port-restricted policy on the same pods', () => {
    const onlyPort80 = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-ingress-port-80, namespace: x }
spec:
  podSelector: {}
  ingress:
  - ports: [{ port: 80 }]
`;
    expectTruthTable(cluster, policiesFromYaml(onlyPort80), 81, 'TCP', `
          x/a x/b y/a
      x/a  .   X   .
      x/b  X   .   .
      y/a  X   X   .
    `);
    expectTruthTable(cluster, policiesFromYaml(`${onlyPort80}\n---\n${allowAllIngress}`), 81, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  .   .   .
    `);
  });

  test('an egress allow-all policy widens a port-restricted egress policy on the same pods', () => {
    const onlyPort80 = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-egress-port-80, namespace: x }
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - ports: [{ port: 80 }]
`;
    const allowAllEgress = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-all-egress, namespace: x }
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - {}
`;
    expectTruthTable(cluster, policiesFromYaml(onlyPort80), 81, 'TCP', `
          x/a x/b y/a
      x/a  .   X   X
      x/b  X   .   X
      y/a  .   .   .
    `);
    expectTruthTable(cluster, policiesFromYaml(onlyPort80), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  .   .   .
    `);
    expectTruthTable(cluster, policiesFromYaml(`${onlyPort80}\n---\n${allowAllEgress}`), 81, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  .   .   .
    `);
  });
});
