import { ClusterModel, evaluate, podEndpoint } from '../../../src/analysis';
import { expectTruthTable, policiesFromYaml, threeNamespaceCluster } from '../support/fixtures';

// Policies are additive: adding a policy can only widen what isolated pods accept, removing one can
// only narrow it (or lift isolation when it was the last selecting policy). Label changes on pods and
// namespaces move them in and out of selectors.

const cluster = threeNamespaceCluster(['x/a', 'x/b', 'y/a', 'z/a']);

const allow81FromY = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-81-from-y, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  ingress:
  - from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: "y" } } }]
    ports: [{ port: 81, protocol: TCP }]
`;
const allow80FromY = allow81FromY.replace(/81/g, '80');

describe('policy updates', () => {
  test('a second policy on the same pods widens what they accept', () => {
    expectTruthTable(cluster, policiesFromYaml(allow81FromY), 80, 'TCP', `
          x/a x/b y/a z/a
      x/a  .   .   .   .
      x/b  X   .   .   .
      y/a  X   .   .   .
      z/a  X   .   .   .
    `);
    expectTruthTable(cluster, policiesFromYaml(`${allow81FromY}---${allow80FromY}`), 80, 'TCP', `
          x/a x/b y/a z/a
      x/a  .   .   .   .
      x/b  X   .   .   .
      y/a  .   .   .   .
      z/a  X   .   .   .
    `);
  });

  test('removing one of two policies narrows back to what the other allows', () => {
    const both = policiesFromYaml(`${allow81FromY}---${allow80FromY}`);
    const remaining = both.filter((policy) => policy.ref.name !== 'allow-80-from-y');
    const yToXa = { source: podEndpoint('y', 'a'), destination: podEndpoint('x', 'a'), port: 80, protocol: 'TCP' as const };
    expect(evaluate(cluster, both, yToXa).allowed).toBe(true);
    expect(evaluate(cluster, remaining, yToXa).allowed).toBe(false);
    expect(evaluate(cluster, remaining, { ...yToXa, port: 81 }).allowed).toBe(true);
  });

  test('removing the last selecting policy lifts isolation', () => {
    const denyAll = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-all, namespace: x }
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`);
    expectTruthTable(cluster, denyAll, 80, 'TCP', `
          x/a x/b y/a z/a
      x/a  .   X   X   X
      x/b  X   .   X   X
      y/a  X   X   .   .
      z/a  X   X   .   .
    `);
    expectTruthTable(cluster, [], 80, 'TCP', `
          x/a x/b y/a z/a
      x/a  .   .   .   .
      x/b  .   .   .   .
      y/a  .   .   .   .
      z/a  .   .   .   .
    `);
  });

  test('updating an allow-all policy to allow nothing isolates the pods', () => {
    const allowAll = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: mutate, namespace: x }
spec:
  podSelector: {}
  ingress: [{}]
`);
    const denyAll = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: mutate, namespace: x }
spec:
  podSelector: {}
  ingress: []
`);
    const yToXb = { source: podEndpoint('y', 'a'), destination: podEndpoint('x', 'b'), port: 81, protocol: 'TCP' as const };
    expect(evaluate(cluster, allowAll, yToXb).allowed).toBe(true);
    expect(evaluate(cluster, denyAll, yToXb).allowed).toBe(false);
  });

  test('adding a label to a namespace lets its pods in through a namespaceSelector', () => {
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-updated-ns, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  ingress:
  - from: [{ namespaceSelector: { matchLabels: { ns2: updated } } }]
`);
    const before = threeNamespaceCluster(['x/a', 'y/a']);
    const after = threeNamespaceCluster(['x/a', 'y/a'], { namespaceLabels: { y: { ns2: 'updated' } } });
    const table = (yToXa: string) => `
          x/a y/a
      x/a  .   .
      y/a  ${yToXa}   .
    `;
    expectTruthTable(before, policies, 80, 'TCP', table('X'));
    expectTruthTable(after, policies, 80, 'TCP', table('.'));
  });

  test('adding a label to a pod lets it in through a podSelector, and relabelling isolates a target', () => {
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-updated-pod, namespace: x }
spec:
  podSelector: { matchLabels: { target: isolated } }
  ingress:
  - from: [{ podSelector: { matchLabels: { pod2: updated } } }]
`);
    const plain = threeNamespaceCluster(['x/a', 'x/b']);
    const relabelled = threeNamespaceCluster(['x/a', 'x/b'], { podLabels: { 'x/a': { target: 'isolated' } } });
    const both = threeNamespaceCluster(['x/a', 'x/b'], { podLabels: { 'x/a': { target: 'isolated' }, 'x/b': { pod2: 'updated' } } });
    const bToA = (model: ClusterModel) => evaluate(model, policies, { source: podEndpoint('x', 'b'), destination: podEndpoint('x', 'a'), port: 80, protocol: 'TCP' }).allowed;
    expect(bToA(plain)).toBe(true);
    expect(bToA(relabelled)).toBe(false);
    expect(bToA(both)).toBe(true);
  });
});
