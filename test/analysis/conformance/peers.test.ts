import { evaluate, ipEndpoint, matrix, podEndpoint } from '../../../src/analysis';
import { expectTruthTable, policiesFromYaml, threeNamespaceCluster } from '../support/fixtures';

// Kubernetes docs, "Behavior of to and from selectors": podSelector alone selects in the policy's
// namespace; namespaceSelector alone selects every pod of matching namespaces; both in ONE peer select
// the intersection; separate list items are alternatives.

const cluster = threeNamespaceCluster(['x/a', 'x/b', 'x/c', 'y/a', 'y/b', 'z/a', 'z/b']);

/** Sources the policy lets into x/a on 80/TCP (x/a itself always reaches itself). */
function sourcesOfXA(peers: string): string[] {
  const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: into-a, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  policyTypes: [Ingress]
  ingress:
  - from:
${peers}
`);
  return matrix(cluster, policies, 80, 'TCP').allowedPairs()
    .filter(([source, destination]) => destination === 'x/a' && source !== 'x/a')
    .map(([source]) => source);
}

describe('peer selectors', () => {
  test.each([
    ['a podSelector alone selects only in the policy namespace', `
    - podSelector: { matchLabels: { pod: b } }`, ['x/b']],
    ['a namespaceSelector alone selects every pod of the matching namespaces', `
    - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: "y" } }`, ['y/a', 'y/b']],
    ['namespaceSelector and podSelector in one peer select their intersection (AND)', `
    - namespaceSelector: { matchExpressions: [{ key: kubernetes.io/metadata.name, operator: NotIn, values: [x] }] }
      podSelector: { matchLabels: { pod: b } }`, ['y/b', 'z/b']],
    ['namespaceSelector and podSelector as separate peers select their union (OR)', `
    - namespaceSelector: { matchExpressions: [{ key: kubernetes.io/metadata.name, operator: NotIn, values: [x] }] }
    - podSelector: { matchLabels: { pod: b } }`, ['x/b', 'y/a', 'y/b', 'z/a', 'z/b']],
    ['an empty namespaceSelector with a podSelector selects those pods in every namespace', `
    - namespaceSelector: {}
      podSelector: { matchLabels: { pod: b } }`, ['x/b', 'y/b', 'z/b']],
    ['an empty namespaceSelector alone selects every pod of the cluster', `
    - namespaceSelector: {}`, ['x/b', 'x/c', 'y/a', 'y/b', 'z/a', 'z/b']],
    ['an empty podSelector alone selects every pod of the policy namespace', `
    - podSelector: {}`, ['x/b', 'x/c']],
    ['a podSelector matching no pod lets nobody in', `
    - podSelector: { matchLabels: { pod: nobody } }`, []],
  ])('%s', (_title, peers, expected) => {
    expect(sourcesOfXA(peers)).toEqual(expected);
  });

  test('pod and namespace selectors never match external addresses', () => {
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-everywhere-in-cluster, namespace: x }
spec:
  podSelector: {}
  ingress:
  - from: [{ namespaceSelector: {} }]
`);
    expect(evaluate(cluster, policies, { source: ipEndpoint('10.200.0.1'), destination: podEndpoint('x', 'a'), port: 80, protocol: 'TCP' }).allowed).toBe(false);
  });

  test('a podSelector alone in an egress rule also refers to the policy namespace', () => {
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: to-b, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  policyTypes: [Egress]
  egress:
  - to: [{ podSelector: { matchLabels: { pod: b } } }]
`);
    const small = threeNamespaceCluster(['x/a', 'x/b', 'y/b']);
    expectTruthTable(small, policies, 80, 'TCP', `
          x/a x/b y/b
      x/a  .   .   X
      x/b  .   .   .
      y/b  .   .   .
    `);
  });

  test('namespaces can be selected by their own labels as well as by the name label', () => {
    const labelled = threeNamespaceCluster(['x/a', 'y/a', 'z/a'], { namespaceLabels: { y: { team: 'blue' }, z: { team: 'red' } } });
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-blue, namespace: x }
spec:
  podSelector: {}
  ingress:
  - from: [{ namespaceSelector: { matchLabels: { team: blue } } }]
`);
    expectTruthTable(labelled, policies, 80, 'TCP', `
          x/a y/a z/a
      x/a  .   .   .
      y/a  .   .   .
      z/a  X   .   .
    `);
  });

  test('the kubernetes.io/metadata.name label is present even when a Namespace object omits it', () => {
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-y, namespace: x }
spec:
  podSelector: {}
  ingress:
  - from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: "y" } } }]
`);
    const small = threeNamespaceCluster(['x/a', 'y/a', 'z/a']);
    expect(small.namespaces.get('y')?.labels['kubernetes.io/metadata.name']).toBe('y');
    expectTruthTable(small, policies, 80, 'TCP', `
          x/a y/a z/a
      x/a  .   .   .
      y/a  .   .   .
      z/a  X   .   .
    `);
  });
});
