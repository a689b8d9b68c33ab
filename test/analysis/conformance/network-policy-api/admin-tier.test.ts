import { expectTruthTable, policiesFromYaml, threeNamespaceCluster } from '../../support/fixtures';

// network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go and site-src/api-overview.md:
// the Admin tier is evaluated before NetworkPolicies; in it, policies by ascending priority and rules
// top-down; Accept and Deny are final ("No further ClusterNetworkPolicy or NetworkPolicy rules will be
// processed"), Pass "skips all further ClusterNetworkPolicy rules in the current tier" and goes on to
// NetworkPolicy; ClusterNetworkPolicy rules isolate nothing ("should be read as-is").
// Every expected table below is derived from those sentences, cell by cell.

const cluster = threeNamespaceCluster(['x/a', 'x/b', 'y/a', 'y/b'], { namespaceLabels: { x: { team: 'red' }, y: { team: 'blue' } } });

const cnp = (name: string, priority: number, rules: string, subject = 'namespaces: { matchLabels: { team: blue } }') => `
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: ${name} }
spec:
  tier: Admin
  priority: ${priority}
  subject: { ${subject} }
${rules}
---
`;
const fromRed = (action: string) => `  ingress:
  - { name: ${action.toLowerCase()}-red, action: ${action}, from: [{ namespaces: { matchLabels: { team: red } } }] }`;
const allowRedToYa = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: red-to-a, namespace: "y" }
spec:
  podSelector: { matchLabels: { pod: a } }
  policyTypes: [Ingress]
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: red } } }] }]
---
`;
const denyAllInY = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-all, namespace: "y" }
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
`;

describe('the Admin tier', () => {
  test('a Deny wins over a NetworkPolicy that allows the same connections', () => {
    expectTruthTable(cluster, policiesFromYaml(cnp('deny-red', 10, fromRed('Deny')) + allowRedToYa), 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   .   X   X
      x/b  .   .   X   X
      y/a  .   .   .   .
      y/b  .   .   X   .
    `);
  });

  test('an Accept holds against a NetworkPolicy default deny, and isolates nothing else', () => {
    expectTruthTable(cluster, policiesFromYaml(cnp('accept-red', 10, fromRed('Accept')) + denyAllInY), 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   .   .   .
      x/b  .   .   .   .
      y/a  .   .   .   X
      y/b  .   .   X   .
    `);
  });

  test('an Accept alone changes nothing: the connections it does not match stay allowed', () => {
    expectTruthTable(cluster, policiesFromYaml(cnp('accept-red', 10, fromRed('Accept'))), 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   .   .   .
      x/b  .   .   .   .
      y/a  .   .   .   .
      y/b  .   .   .   .
    `);
  });

  test('the lower priority number decides when two policies match: an Accept at 5 before a Deny at 10', () => {
    const policies = policiesFromYaml(cnp('accept-red', 5, fromRed('Accept'), 'pods: { namespaceSelector: {}, podSelector: { matchLabels: { pod: a } } }') + cnp('deny-red', 10, fromRed('Deny')));
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   .   .   X
      x/b  .   .   .   X
      y/a  .   .   .   .
      y/b  .   .   .   .
    `);
  });

  test('and the other way round: a Deny at 5 before an Accept at 10', () => {
    const policies = policiesFromYaml(cnp('deny-red', 5, fromRed('Deny'), 'pods: { namespaceSelector: {}, podSelector: { matchLabels: { pod: a } } }') + cnp('accept-red', 10, fromRed('Accept')) + denyAllInY);
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   .   X   .
      x/b  X   .   X   .
      y/a  .   .   .   X
      y/b  .   .   X   .
    `);
  });

  test('inside one policy the first matching rule decides', () => {
    const rules = `  ingress:
  - { name: accept-x-a, action: Accept, from: [{ pods: { namespaceSelector: { matchLabels: { team: red } }, podSelector: { matchLabels: { pod: a } } } }] }
  - { name: deny-red, action: Deny, from: [{ namespaces: { matchLabels: { team: red } } }] }`;
    expectTruthTable(cluster, policiesFromYaml(cnp('ordered', 10, rules)), 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   .   .   .
      x/b  .   .   X   X
      y/a  .   .   .   .
      y/b  .   .   .   .
    `);
  });

  test('a Pass skips later Admin rules and hands the connection to NetworkPolicy', () => {
    const policies = policiesFromYaml(cnp('pass-red', 5, fromRed('Pass')) + cnp('deny-all', 10, `  ingress:
  - { name: deny-everyone, action: Deny, from: [{ namespaces: {} }] }`) + allowRedToYa);
    // x -> y: passed, then y/a's NetworkPolicy allows red and isolates y/a; y/b is selected by none: allowed.
    // y -> y: not passed, denied by deny-all.
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   .   .   .
      x/b  .   .   .   .
      y/a  .   .   .   X
      y/b  .   .   X   .
    `);
  });

  test('an egress Accept ends egress evaluation only: the destination\'s ingress policies still apply', () => {
    const egressAccept = `
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: red-egress }
spec:
  tier: Admin
  priority: 10
  subject: { namespaces: { matchLabels: { team: red } } }
  egress: [{ name: to-blue, action: Accept, to: [{ namespaces: { matchLabels: { team: blue } } }] }]
---
`;
    expectTruthTable(cluster, policiesFromYaml(egressAccept + denyAllInY), 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   .   X   X
      x/b  .   .   X   X
      y/a  .   .   .   X
      y/b  .   .   X   .
    `);
  });
});
