import { evaluate, podEndpoint } from '../../../src/analysis';
import { expectTruthTable, policiesFromYaml, threeNamespaceCluster } from '../support/fixtures';

// Kubernetes docs: policies do not conflict, they are additive (union of allows per pod and
// direction), and a connection between two pods needs the source's egress AND the destination's
// ingress to allow it.

describe('union of policies and both directions', () => {
  test('multiple policies selecting one pod allow the union of their rules, and every allowing rule is reported', () => {
    const cluster = threeNamespaceCluster(['x/a', 'x/b', 'x/c', 'y/a']);
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-b, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  ingress:
  - from: [{ podSelector: { matchLabels: { pod: b } } }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-same-namespace, namespace: x }
spec:
  podSelector: {}
  ingress:
  - from: [{ podSelector: { matchLabels: { pod: c } } }]
  - from: [{ podSelector: {} }]
`);
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b x/c y/a
      x/a  .   .   .   .
      x/b  .   .   .   .
      x/c  .   .   .   .
      y/a  X   X   X   .
    `);
    const verdict = evaluate(cluster, policies, { source: podEndpoint('x', 'c'), destination: podEndpoint('x', 'a'), port: 80, protocol: 'TCP' });
    expect(verdict.steps[1].allowedBy).toEqual(['NetworkPolicy x/from-same-namespace ingress[0]', 'NetworkPolicy x/from-same-namespace ingress[1]']);
    expect(verdict.steps[1].isolatedBy).toEqual(['NetworkPolicy x/from-b', 'NetworkPolicy x/from-same-namespace']);
  });

  test('egress denied at the client blocks a connection the server explicitly allows (upstream e2e expectation)', () => {
    const cluster = threeNamespaceCluster(['x/a', 'y/a', 'y/b']);
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-to-ns-y-pod-a, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  policyTypes: [Egress]
  egress:
  - to: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: "y" } }, podSelector: { matchLabels: { pod: a } } }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-from-xa-on-ya, namespace: "y" }
spec:
  podSelector: { matchLabels: { pod: a } }
  ingress:
  - from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: x } }, podSelector: { matchLabels: { pod: a } } }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-from-xa-on-yb, namespace: "y" }
spec:
  podSelector: { matchLabels: { pod: b } }
  ingress:
  - from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: x } }, podSelector: { matchLabels: { pod: a } } }]
`);
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a y/a y/b
      x/a  .   .   X
      y/a  .   .   X
      y/b  .   X   .
    `);
    const verdict = evaluate(cluster, policies, { source: podEndpoint('x', 'a'), destination: podEndpoint('y', 'b'), port: 80, protocol: 'TCP' });
    expect(verdict.steps.map((step) => [step.direction, step.allowed])).toEqual([['egress', false], ['ingress', true]]);
  });

  test('ingress and egress of one pod are controlled independently', () => {
    const cluster = threeNamespaceCluster(['x/a', 'x/b', 'y/a']);
    const allowEgress = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-egress-for-a, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  policyTypes: [Egress]
  egress: [{}]
`;
    const denyIngress = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-ingress-for-a, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  policyTypes: [Ingress]
`;
    expectTruthTable(cluster, policiesFromYaml(allowEgress), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  .   .   .
    `);
    expectTruthTable(cluster, policiesFromYaml(`${allowEgress}---${denyIngress}`), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  X   .   .
      y/a  X   .   .
    `);
  });

  test('policies in one namespace never isolate pods of another namespace', () => {
    const cluster = threeNamespaceCluster(['x/a', 'y/a']);
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-pod-a, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  policyTypes: [Ingress, Egress]
`);
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a y/a
      x/a  .   X
      y/a  X   .
    `);
    const yPods = evaluate(cluster, policies, { source: podEndpoint('y', 'a'), destination: podEndpoint('y', 'a'), port: 80, protocol: 'TCP' });
    expect(yPods.steps.every((step) => step.selectedBy.length === 0)).toBe(true);
  });
});
