import { ClusterModel, evaluate, podEndpoint } from '../../../src/analysis';
import { expectTruthTable, policiesFromYaml } from '../support/fixtures';

// Kubernetes docs: "a pod cannot block access to itself" and "traffic to and from the node where a
// Pod is running is always allowed". Host-network pods share the node's network namespace: policies do
// not apply to them and pod/namespace selectors do not match them.

const cluster = ClusterModel.create({
  pods: [
    { namespace: 'x', name: 'a', labels: { pod: 'a' }, ips: ['10.1.0.1'], nodeName: 'node-1' },
    { namespace: 'x', name: 'b', labels: { pod: 'b' }, ips: ['10.1.0.2'], nodeName: 'node-2' },
    { namespace: 'kube-system', name: 'agent-1', labels: { app: 'agent' }, ips: ['192.168.0.1'], hostNetwork: true, nodeName: 'node-1' },
    { namespace: 'kube-system', name: 'agent-2', labels: { app: 'agent' }, ips: ['192.168.0.2'], hostNetwork: true, nodeName: 'node-2' },
  ],
});

const denyAllEverywhere = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-all, namespace: x }
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-all, namespace: kube-system }
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`);

describe('self and node traffic', () => {
  test('a pod always reaches itself, even when isolated in both directions', () => {
    const verdict = evaluate(cluster, denyAllEverywhere, { source: podEndpoint('x', 'a'), destination: podEndpoint('x', 'a'), port: 80, protocol: 'TCP' });
    expect(verdict.allowed).toBe(true);
    expect(verdict.exemption).toBe('self');
    expect(verdict.steps.map((step) => step.allowed)).toEqual([false, false]);
  });

  test('with selfTraffic evaluate a pod is bound by its own policies', () => {
    const options = { selfTraffic: 'evaluate' as const };
    const flow = { source: podEndpoint('x', 'a'), destination: podEndpoint('x', 'a'), port: 80, protocol: 'TCP' as const };
    expect(evaluate(cluster, denyAllEverywhere, flow, options).allowed).toBe(false);
    const selfAllowed = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: self, namespace: x }
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress: [{ from: [{ podSelector: { matchLabels: { pod: a } } }] }]
  egress: [{ to: [{ podSelector: { matchLabels: { pod: a } } }] }]
`);
    expect(evaluate(cluster, selfAllowed, flow, options).allowed).toBe(true);
  });

  test('host-network pods are neither isolated nor matched by selectors, but reach and are reached from pods on their own node', () => {
    expectTruthTable(cluster, denyAllEverywhere, 80, 'TCP', `
                      x/a x/b kube-system/agent-1 kube-system/agent-2
      x/a               .   X   .                   X
      x/b               X   .   X                   .
      kube-system/agent-1 . X   .                   .
      kube-system/agent-2 X .   .                   .
    `);
  });

  test('with nodeLocalTraffic evaluate a host-network pod is treated like any external peer', () => {
    expectTruthTable(cluster, denyAllEverywhere, 80, 'TCP', `
                      x/a x/b kube-system/agent-1 kube-system/agent-2
      x/a               .   X   X                   X
      x/b               X   .   X                   X
      kube-system/agent-1 X X   .                   .
      kube-system/agent-2 X X   .                   .
    `, { nodeLocalTraffic: 'evaluate' });
  });

  test('a host-network pod is reached through an ipBlock holding its node IP, not through a namespaceSelector', () => {
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: egress, namespace: x }
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{ namespaceSelector: {} }]
    ports: [{ port: 53, protocol: UDP }]
  - to: [{ ipBlock: { cidr: 192.168.0.2/32 } }]
    ports: [{ port: 9100 }]
`);
    const options = { nodeLocalTraffic: 'evaluate' as const };
    const to = (pod: string, port: number, protocol: 'TCP' | 'UDP') => evaluate(cluster, policies,
      { source: podEndpoint('x', 'a'), destination: podEndpoint('kube-system', pod), port, protocol }, options).allowed;
    expect(to('agent-1', 53, 'UDP')).toBe(false);
    expect(to('agent-2', 9100, 'TCP')).toBe(true);
    expect(to('agent-1', 9100, 'TCP')).toBe(false);
    expect(evaluate(cluster, policies, { source: podEndpoint('x', 'a'), destination: podEndpoint('x', 'b'), port: 53, protocol: 'UDP' }).allowed).toBe(true);
  });
});
