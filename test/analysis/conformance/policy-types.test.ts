import { expectTruthTable, policiesFromYaml, threeNamespaceCluster } from '../support/fixtures';

// networking/v1 types.go: when policyTypes is omitted (or empty), Ingress is always included and
// Egress only if the policy has at least one egress rule. A direction outside the effective types is
// not governed by the policy, even if it has rules for it.

const cluster = threeNamespaceCluster(['x/a', 'x/b', 'y/a']);

function policy(spec: string): string {
  return `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: under-test, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
${spec}`;
}

describe('policyTypes defaulting', () => {
  test('a policy with only ingress rules and no policyTypes leaves egress open', () => {
    const policies = policiesFromYaml(policy(`
  ingress:
  - from: [{ podSelector: { matchLabels: { pod: b } } }]
`));
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  X   .   .
    `);
  });

  test('an egress-only policy written without policyTypes also isolates the pods for ingress', () => {
    const policies = policiesFromYaml(policy(`
  egress:
  - to: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: "y" } } }]
`));
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   X   .
      x/b  X   .   .
      y/a  X   .   .
    `);
  });

  test('the same egress-only policy with policyTypes [Egress] leaves ingress open', () => {
    const policies = policiesFromYaml(policy(`
  policyTypes: [Egress]
  egress:
  - to: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: "y" } } }]
`));
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   X   .
      x/b  .   .   .
      y/a  .   .   .
    `);
  });

  test('a deny-all-egress policy written without policyTypes does nothing for egress', () => {
    const policies = policiesFromYaml(policy(`
  egress: []
`));
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  X   .   .
      y/a  X   .   .
    `);
  });

  test('an empty policyTypes list is defaulted like an omitted one', () => {
    const policies = policiesFromYaml(policy(`
  policyTypes: []
  egress:
  - ports: [{ port: 81 }]
`));
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   X   X
      x/b  X   .   .
      y/a  X   .   .
    `);
    expectTruthTable(cluster, policies, 81, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  X   .   .
      y/a  X   .   .
    `);
  });

  test('ingress rules of a policy whose policyTypes is [Egress] are ignored', () => {
    const policies = policiesFromYaml(policy(`
  policyTypes: [Egress]
  ingress:
  - from: [{ podSelector: { matchLabels: { pod: b } } }]
  egress:
  - {}
`));
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  .   .   .
    `);
  });

  test('egress rules of a policy whose policyTypes is [Ingress] are ignored', () => {
    const policies = policiesFromYaml(policy(`
  policyTypes: [Ingress]
  ingress:
  - {}
  egress:
  - to: [{ podSelector: { matchLabels: { pod: b } } }]
`));
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  .   .   .
    `);
  });
});
