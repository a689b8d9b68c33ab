import { expectTruthTable, policiesFromYaml, threeNamespaceCluster } from '../../support/fixtures';

// network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go `Tier`: "v1.NetworkPolicy always makes
// a final decision for selected pods. Further evaluation only happens for Pods not selected by a
// v1.NetworkPolicy"; the Baseline tier is evaluated after NetworkPolicies, and "if a given connection
// wasn't allowed or denied by any of the tiers ... all pods can communicate with each other".
// Selection is per direction, as NetworkPolicy isolation is (policyTypes).

const cluster = threeNamespaceCluster(['x/a', 'x/b', 'y/a', 'y/b']);

const baselineDeny = `
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: baseline-deny }
spec:
  tier: Baseline
  priority: 100
  subject: { namespaces: {} }
  ingress: [{ name: deny-pods, action: Deny, from: [{ namespaces: {} }] }]
  egress: [{ name: deny-all, action: Deny, to: [{ namespaces: {} }, { networks: [0.0.0.0/0] }] }]
---
`;
const egressOnlyPolicy = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: a-out, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  policyTypes: [Egress]
  egress: [{ to: [{ namespaceSelector: {} }] }]
---
`;
const ingressOnlyPolicy = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: b-in, namespace: "y" }
spec:
  podSelector: { matchLabels: { pod: b } }
  policyTypes: [Ingress]
  ingress: [{ from: [{ podSelector: { matchLabels: { pod: a } } }] }]
---
`;

describe('the Baseline tier', () => {
  test('a baseline deny denies every connection NetworkPolicies do not decide', () => {
    expectTruthTable(cluster, policiesFromYaml(baselineDeny), 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   X   X   X
      x/b  X   .   X   X
      y/a  X   X   .   X
      y/b  X   X   X   .
    `);
  });

  test('a NetworkPolicy decides for the pods it selects, in its own direction only', () => {
    // x/a's egress is decided by a-out (allow all pods); its ingress still falls to the baseline deny.
    // y/b's ingress is decided by b-in (from y/a only); its egress falls to the baseline deny.
    expectTruthTable(cluster, policiesFromYaml(baselineDeny + egressOnlyPolicy + ingressOnlyPolicy), 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   X   X   X
      x/b  X   .   X   X
      y/a  X   X   .   X
      y/b  X   X   X   .
    `);
  });

  test('a connection both NetworkPolicies allow gets through the baseline deny', () => {
    const fromEveryA = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: b-in, namespace: "y" }
spec:
  podSelector: { matchLabels: { pod: b } }
  policyTypes: [Ingress]
  ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { pod: a } } }] }]
---
`;
    // x/a -> y/b: egress allowed by a-out, ingress allowed by b-in (pods a of every namespace).
    expectTruthTable(cluster, policiesFromYaml(baselineDeny + egressOnlyPolicy + fromEveryA), 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   X   X   .
      x/b  X   .   X   X
      y/a  X   X   .   X
      y/b  X   X   X   .
    `);
  });

  test('a baseline Accept cannot open what a NetworkPolicy isolates', () => {
    const accept = `
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: baseline-accept }
spec:
  tier: Baseline
  priority: 1
  subject: { namespaces: {} }
  ingress: [{ name: all, action: Accept, from: [{ namespaces: {} }] }]
---
`;
    // y/b is isolated for ingress by b-in (from y/a only); the baseline Accept is never consulted for it.
    expectTruthTable(cluster, policiesFromYaml(accept + ingressOnlyPolicy), 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   .   .   X
      x/b  .   .   .   X
      y/a  .   .   .   .
      y/b  .   .   .   .
    `);
  });

  test('an Admin Pass reaches the baseline when no NetworkPolicy selects the pod', () => {
    const pass = `
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: admin-pass }
spec:
  tier: Admin
  priority: 1
  subject: { namespaces: {} }
  ingress: [{ name: pass, action: Pass, from: [{ namespaces: {} }] }]
  egress: [{ name: pass, action: Pass, to: [{ namespaces: {} }] }]
---
`;
    expectTruthTable(cluster, policiesFromYaml(pass + baselineDeny), 80, 'TCP', `
          x/a x/b y/a y/b
      x/a  .   X   X   X
      x/b  X   .   X   X
      y/a  X   X   .   X
      y/b  X   X   X   .
    `);
  });
});
