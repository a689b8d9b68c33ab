import { evaluate } from '../../../src/analysis/engine/reachability-analyzer';
import { ipEndpoint, podEndpoint } from '../../../src/analysis/ir/flow';
import { expectTruthTable, policiesFromYaml, threeNamespaceCluster } from '../support/fixtures';

// Calico's evaluation model, pinned by truth tables over hand-written projectcalico.org/v3 YAML:
// tiers by order, policies by order inside a tier, first Allow/Deny wins, Pass leaves the tier, Log
// continues, the end-of-tier default applies to pods some policy of the tier selects, Kubernetes
// NetworkPolicies sit in tier default at order 1000, staged policies are not enforced.

const cluster = threeNamespaceCluster(['x/a', 'x/b', 'y/a'], { namespaceLabels: { y: { team: 'ops' } }, podLabels: { 'x/b': { role: 'db' } } });

const TIER = (name: string, order: number, defaultAction = 'Deny') => `
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: ${name} }
spec: { order: ${order}, defaultAction: ${defaultAction} }
`;

describe('Calico policies in the analyzer', () => {
  test('a policy with no rules isolates the pods it selects in its types (end-of-tier Deny)', () => {
    expectTruthTable(cluster, policiesFromYaml(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: deny-in, namespace: x }
spec: { selector: all(), types: [Ingress] }
`), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   X   .
      x/b  X   .   .
      y/a  X   X   .
    `);
  });

  test('types default the Calico way: a policy with only egress rules does not isolate ingress (Kubernetes would)', () => {
    expectTruthTable(cluster, policiesFromYaml(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: egress-only, namespace: x }
spec:
  selector: role == 'db'
  egress: [{ action: Allow, protocol: TCP, destination: { selector: pod == 'a', ports: [80] } }]
`), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   X
      y/a  .   .   .
    `);
  });

  test('inside a tier the lower order decides first: an earlier Deny beats a later Allow, an earlier Allow beats a later Deny', () => {
    const policies = (denyOrder: number) => policiesFromYaml(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: deny-y, namespace: x }
spec:
  order: ${denyOrder}
  selector: all()
  types: [Ingress]
  ingress: [{ action: Deny, source: { namespaceSelector: projectcalico.org/name == 'y' } }]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: allow-all, namespace: x }
spec:
  order: 500
  selector: all()
  types: [Ingress]
  ingress: [{ action: Allow }]
`);
    expectTruthTable(cluster, policies(100), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  X   X   .
    `);
    expectTruthTable(cluster, policies(900), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  .   .   .
    `);
  });

  test('Kubernetes NetworkPolicies run in tier default at order 1000: a Calico Deny below 1000 beats them, one above does not', () => {
    const policies = (order: number) => policiesFromYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-all, namespace: x }
spec: { podSelector: {}, policyTypes: [Ingress], ingress: [{}] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: allow-all, namespace: x }
spec:
  order: ${order}
  selector: all()
  types: [Ingress]
  ingress: [{ action: Deny, source: { selector: pod == 'a', namespaceSelector: all() } }]
`);
    expectTruthTable(cluster, policies(999), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   X   .
      x/b  .   .   .
      y/a  X   X   .
    `);
    expectTruthTable(cluster, policies(1001), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  .   .   .
    `);
  });

  test('an earlier tier decides first; Pass hands the flow to the next tier; a Pass-default tier does not isolate', () => {
    const policies = (action: string, defaultAction: string) => policiesFromYaml(`${TIER('security', 100, defaultAction)}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: guard }
spec:
  tier: security
  order: 1
  namespaceSelector: projectcalico.org/name == 'x'
  selector: all()
  types: [Ingress]
  ingress: [{ action: ${action}, source: { namespaceSelector: team == 'ops' } }]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: same-namespace-only, namespace: x }
spec:
  selector: all()
  types: [Ingress]
  ingress: [{ action: Allow, source: { selector: all() } }]
`);
    // The default tier lets x's own pods in; what the security tier does decides the rest.
    expectTruthTable(cluster, policies('Allow', 'Pass'), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  .   .   .
    `);
    expectTruthTable(cluster, policies('Pass', 'Pass'), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  X   X   .
    `);
    // Log records and goes on; with a Pass default the security tier isolates nothing.
    expectTruthTable(cluster, policies('Log', 'Pass'), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  X   X   .
    `);
    // With a Deny default, the security tier isolates the pods it selects: x's own traffic is denied there.
    expectTruthTable(cluster, policies('Log', 'Deny'), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   X   .
      x/b  X   .   .
      y/a  X   X   .
    `);
    expectTruthTable(cluster, policies('Allow', 'Deny'), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   X   .
      x/b  X   .   .
      y/a  .   .   .
    `);
  });

  test('staged policies are reported but not enforced', () => {
    expectTruthTable(cluster, policiesFromYaml(`
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: deny-in, namespace: x }
spec: { selector: all(), types: [Ingress], stagedAction: Set }
---
apiVersion: projectcalico.org/v3
kind: StagedGlobalNetworkPolicy
metadata: { name: deny-all }
spec: { selector: all(), types: [Ingress, Egress] }
`), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  .   .   .
    `);
  });

  test('a rule selector of a NetworkPolicy is scoped to its namespace; of a GlobalNetworkPolicy, to nothing', () => {
    const rule = "ingress: [{ action: Allow, source: { selector: pod == 'a' } }]";
    expectTruthTable(cluster, policiesFromYaml(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: from-a, namespace: x }
spec: { selector: all(), types: [Ingress], ${rule} }
`), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  X   .   .
      y/a  X   X   .
    `);
    expectTruthTable(cluster, policiesFromYaml(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: from-a }
spec: { namespaceSelector: projectcalico.org/name == 'x', selector: all(), types: [Ingress], ${rule} }
`), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  X   .   .
      y/a  .   .   .
    `);
  });

  test('namespaceSelector all() means every namespace, global() none; projectcalico.org/namespace splits by namespace', () => {
    const policies = (source: string) => policiesFromYaml(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: x }
spec: { selector: all(), types: [Ingress], ingress: [{ action: Allow, source: ${source} }] }
`);
    expectTruthTable(cluster, policies("{ namespaceSelector: all(), selector: pod == 'a' }"), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  X   .   .
      y/a  .   .   .
    `);
    expectTruthTable(cluster, policies('{ namespaceSelector: global() }'), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   X   .
      x/b  X   .   .
      y/a  X   X   .
    `);
    expectTruthTable(cluster, policies("{ namespaceSelector: all(), selector: \"projectcalico.org/namespace != 'y' && pod == 'a'\" }"), 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  X   .   .
      y/a  X   X   .
    `);
  });

  test('nets match pod addresses (whatever the Kubernetes ipBlock option says); notSelector of a global rule matches external addresses', () => {
    const nets = policiesFromYaml(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: x }
spec: { selector: all(), types: [Ingress], ingress: [{ action: Allow, source: { nets: [10.2.0.0/16] } }] }
`);
    expectTruthTable(cluster, nets, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   X   .
      x/b  X   .   .
      y/a  .   .   .
    `, { ipBlockMatchesPods: false });
    const notSelector = (kind: string) => policiesFromYaml(`
apiVersion: projectcalico.org/v3
kind: ${kind}
metadata: { name: p${kind === 'NetworkPolicy' ? ', namespace: x' : ''} }
spec: { selector: pod == 'a', types: [Ingress], ingress: [{ action: Allow, source: { notSelector: pod == 'b' } }] }
`);
    const flow = { source: ipEndpoint('192.0.2.1'), destination: podEndpoint('x', 'a'), port: 80, protocol: 'TCP' as const };
    expect(evaluate(cluster, notSelector('NetworkPolicy'), flow).allowed).toBe(false);
    expect(evaluate(cluster, notSelector('GlobalNetworkPolicy'), flow).allowed).toBe(true);
  });

  test('rule fields on the policy\'s own endpoint (egress source, ingress destination) narrow the rule to those endpoints', () => {
    const policies = policiesFromYaml(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: own, namespace: x }
spec:
  selector: all()
  types: [Ingress, Egress]
  egress: [{ action: Allow, source: { selector: role == 'db' } }]
  ingress: [{ action: Allow, destination: { notSelector: role == 'db' }, source: { namespaceSelector: team == 'ops' } }]
`);
    expect(policies[0].egress?.rules[0].subjectPeers).toBeDefined();
    const allowed = (from: string, to: string) => evaluate(cluster, policies, {
      source: podEndpoint(...(from.split('/') as [string, string])), destination: podEndpoint(...(to.split('/') as [string, string])), port: 80, protocol: 'TCP',
    }).allowed;
    // Egress: only x/b (role=db) may leave x; ingress: only x/a (not db) accepts, and only from y (team=ops).
    expect([allowed('x/b', 'y/a'), allowed('x/a', 'y/a'), allowed('y/a', 'x/a'), allowed('y/a', 'x/b')]).toEqual([true, false, true, false]);
    // The exact engine (and the naive matrix) evaluate the own-endpoint conditions the same way.
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   X   X
      x/b  X   .   .
      y/a  .   X   .
    `);
  });

  test('nets on the policy\'s own endpoint see the subject pod\'s own address', () => {
    const policies = policiesFromYaml(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: own-nets, namespace: x }
spec:
  selector: all()
  types: [Egress]
  egress: [{ action: Allow, source: { nets: [10.1.0.10/32] } }]
`);
    // x/a is 10.1.0.10: it may leave; x/b (10.1.0.11) is isolated for egress and matches no rule.
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  X   .   X
      y/a  .   .   .
    `);
  });

  test('service accounts by name, in rules and as the policy subject', () => {
    const withAccounts = threeNamespaceCluster(['x/a', 'x/b', 'y/a']);
    const policies = policiesFromYaml(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: x }
spec:
  selector: all()
  serviceAccountSelector: projectcalico.org/name == 'default'
  types: [Ingress]
  ingress: [{ action: Allow, source: { serviceAccounts: { names: [robot] } } }]
`);
    // Every pod runs as "default": all of x is selected, and no peer is "robot".
    expectTruthTable(withAccounts, policies, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   X   .
      x/b  X   .   .
      y/a  X   X   .
    `);
  });

  test('ports: "from:to" ranges, named ports, notPorts and notProtocol', () => {
    const policies = (rule: string) => policiesFromYaml(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: x }
spec: { selector: pod == 'a', types: [Ingress], ingress: [${rule}] }
`);
    const open = `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  .   .   .
    `;
    const closed = `
          x/a x/b y/a
      x/a  .   .   .
      x/b  X   .   .
      y/a  X   .   .
    `;
    expectTruthTable(cluster, policies("{ action: Allow, protocol: TCP, destination: { ports: ['79:80'] } }"), 80, 'TCP', open);
    expectTruthTable(cluster, policies("{ action: Allow, protocol: TCP, destination: { ports: ['79:80'] } }"), 81, 'TCP', closed);
    expectTruthTable(cluster, policies('{ action: Allow, destination: { ports: [serve-81-udp] } }'), 81, 'UDP', open);
    expectTruthTable(cluster, policies('{ action: Allow, destination: { ports: [serve-81-udp] } }'), 81, 'TCP', closed);
    expectTruthTable(cluster, policies('{ action: Allow, protocol: UDP, destination: { notPorts: [80] } }'), 81, 'UDP', open);
    expectTruthTable(cluster, policies('{ action: Allow, protocol: UDP, destination: { notPorts: [80] } }'), 80, 'UDP', closed);
    expectTruthTable(cluster, policies('{ action: Allow, notProtocol: SCTP }'), 80, 'UDP', open);
    expectTruthTable(cluster, policies('{ action: Allow, notProtocol: SCTP }'), 80, 'SCTP', closed);
    expectTruthTable(cluster, policies('{ action: Allow, protocol: ICMP }'), 80, 'TCP', closed);
    expectTruthTable(cluster, policies('{ action: Allow, protocol: 6 }'), 80, 'TCP', open);
  });
});
