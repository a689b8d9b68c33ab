import { policiesFromYaml, threeNamespaceCluster, expectTruthTable } from '../support/fixtures';

// Kubernetes docs, "Default policies": an empty podSelector with no rules isolates every pod of the
// namespace for the listed directions; pods elsewhere stay open.

const cluster = threeNamespaceCluster(['x/a', 'x/b', 'y/a', 'y/b']);

const denyIngress = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny-ingress, namespace: x }
spec:
  podSelector: {}
  policyTypes: [Ingress]
`);

const denyEgress = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny-egress, namespace: x }
spec:
  podSelector: {}
  policyTypes: [Egress]
`);

const denyAll = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny-all, namespace: x }
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`);

describe('default deny', () => {
  test('with no policy every pod reaches every pod', () => {
    expectTruthTable(cluster, [], 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   .   .   .
      x/b  .   .   .   .
      y/a  .   .   .   .
      y/b  .   .   .   .
    `);
  });

  test.each(['TCP', 'UDP', 'SCTP'] as const)('a default-deny-ingress policy blocks every %s connection into its namespace only', (protocol) => {
    expectTruthTable(cluster, denyIngress, 80, protocol, `
          x/a x/b y/a y/b
      x/a  .   X   .   .
      x/b  X   .   .   .
      y/a  X   X   .   .
      y/b  X   X   .   .
    `);
  });

  test('a default-deny-egress policy blocks every connection out of its namespace only', () => {
    expectTruthTable(cluster, denyEgress, 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   X   X   X
      x/b  X   .   X   X
      y/a  .   .   .   .
      y/b  .   .   .   .
    `);
  });

  test('a default-deny-all policy blocks both directions, across namespaces', () => {
    expectTruthTable(cluster, denyAll, 81, 'UDP', `
          x/a x/b y/a y/b
      x/a  .   X   X   X
      x/b  X   .   X   X
      y/a  X   X   .   .
      y/b  X   X   .   .
    `);
  });

  test('a deny policy whose podSelector matches one pod isolates only that pod', () => {
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-a, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  policyTypes: [Ingress]
`);
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   .   .   .
      x/b  X   .   .   .
      y/a  X   .   .   .
      y/b  X   .   .   .
    `);
  });

  test('an explicit empty ingress list isolates exactly like an absent one', () => {
    const policies = policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny, namespace: x }
spec:
  podSelector: {}
  ingress: []
`);
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   X   .   .
      x/b  X   .   .   .
      y/a  X   X   .   .
      y/b  X   X   .   .
    `);
  });
});
