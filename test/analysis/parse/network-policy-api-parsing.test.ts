import { ManifestError, parsePolicies, podEndpoint, ReachabilityAnalyzer } from '../../../src/analysis';
import { expectTruthTable, policiesFromYaml, threeNamespaceCluster } from '../support/fixtures';

const cnp = (spec: string, name = 'guard', apiVersion = 'policy.networking.k8s.io/v1alpha2') => `
apiVersion: ${apiVersion}
kind: ClusterNetworkPolicy
metadata: { name: ${name} }
spec:
${spec}
---
`;
const base = `  tier: Admin
  priority: 10
  subject: { namespaces: {} }`;
const denyToY = `${base}
  egress: [{ name: no-y, action: Deny, to: [{ namespaces: { matchLabels: { kubernetes.io/metadata.name: "y" } } }] }]`;

function errorOf(text: string, options = {}): string {
  try {
    parsePolicies({ file: 'p.yaml', text }, options);
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    return e.message;
  }
  throw new Error('expected a ManifestError');
}

const cluster = threeNamespaceCluster(['x/a', 'y/a']);

describe('reading network-policy-api objects', () => {
  test('reads v1beta1 as the same schema as v1alpha2', () => {
    const [a] = policiesFromYaml(cnp(denyToY));
    const [b] = policiesFromYaml(cnp(denyToY, 'guard', 'policy.networking.k8s.io/v1beta1'));
    expect(b).toEqual({ ...a, source: b.source });
  });

  test('AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1) mean what the same ClusterNetworkPolicies mean', () => {
    const v1alpha1 = policiesFromYaml(`
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: { name: admin }
spec:
  priority: 10
  subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: x } } }
  egress: [{ action: Allow, to: [{ namespaces: {} }], ports: [{ portNumber: { port: 80 } }] }]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: { name: default }
spec:
  subject: { namespaces: {} }
  egress: [{ action: Deny, to: [{ namespaces: {} }] }]
`);
    const v1alpha2 = policiesFromYaml(`${cnp(`  tier: Admin
  priority: 10
  subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: x } } }
  egress: [{ action: Accept, to: [{ namespaces: {} }], protocols: [{ tcp: { destinationPort: { number: 80 } } }] }]`, 'admin')}${cnp(`  tier: Baseline
  priority: 0
  subject: { namespaces: {} }
  egress: [{ action: Deny, to: [{ namespaces: {} }] }]`, 'baseline')}`);
    for (const [port, table] of [[80, '. .\nX .'], [81, '. X\nX .']] as const) {
      const [r1, r2] = table.split('\n');
      const expected = `x/a y/a\nx/a ${r1}\ny/a ${r2}`;
      expectTruthTable(cluster, v1alpha1, port, 'TCP', expected);
      expectTruthTable(cluster, v1alpha2, port, 'TCP', expected);
    }
  });

  test('explain names the tier, the policy, the rule and its action', () => {
    const analyzer = new ReachabilityAnalyzer(cluster, policiesFromYaml(cnp(denyToY)));
    const verdict = analyzer.evaluate({ source: podEndpoint('x', 'a'), destination: podEndpoint('y', 'a'), port: 80, protocol: 'TCP' });
    expect(verdict.allowed).toBe(false);
    expect(verdict.explanation).toContain('egress at pod x/a: denied by ClusterNetworkPolicy guard egress[0] "no-y" (Deny, Admin tier, priority 10)');
  });

  test('with Calico objects in the input, the tiers are the ones Calico hosts them in: kube-admin and kube-baseline', () => {
    const policies = policiesFromYaml(`${cnp(denyToY)}${cnp(`  tier: Baseline
  priority: 5
  subject: { namespaces: {} }
  ingress: [{ action: Deny, from: [{ namespaces: {} }] }]`, 'floor')}
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: calico }
spec: { tier: default, order: 1, selector: all(), types: [Ingress] }
`);
    expect(policies.map(p => `${p.ref.kind} ${p.ref.name} ${p.tier.name} ${p.tier.order} ${p.order}`)).toEqual([
      'ClusterNetworkPolicy guard kube-admin 1000 10',
      'ClusterNetworkPolicy floor kube-baseline 10000000 5',
      'projectcalico.org/GlobalNetworkPolicy calico default 1000000 1',
    ]);
  });

  test('accepts two policies of one priority whose rules all have one action', () => {
    expect(policiesFromYaml(cnp(denyToY, 'a') + cnp(denyToY.replace('no-y', 'no-y-2'), 'b'))).toHaveLength(2);
  });

  describe('refuses what it cannot decide or what the API leaves undefined', () => {
    test.each([
      ['crd.antrea.io/v1beta1', 'Antrea\'s own ClusterNetworkPolicy (Antrea-native policy, crd.antrea.io)'],
      ['networking.k8s.aws/v1alpha1', 'the AWS VPC CNI\'s ClusterNetworkPolicy (networking.k8s.aws)'],
    ])('fails for %s ClusterNetworkPolicy, another API, even when other kinds are ignored', (apiVersion, what) => {
      const text = `apiVersion: ${apiVersion}\nkind: ClusterNetworkPolicy\nmetadata: { name: x }\nspec: {}\n`;
      for (const options of [{}, { ignoreOtherKinds: true }]) {
        const msg = errorOf(text, options);
        expect(msg).toContain(`apiVersion: ClusterNetworkPolicy (${apiVersion}) is ${what}`);
        expect(msg).toContain('cannot evaluate this policy');
      }
    });

    test('fails for two policies of one priority whose rules differ in action, naming both', () => {
      const accept = denyToY.replace('action: Deny', 'action: Accept');
      const msg = errorOf(cnp(denyToY, 'a') + cnp(accept, 'b'));
      expect(msg).toContain('(ClusterNetworkPolicy b): spec.priority: has priority 10 in the admin tier like ClusterNetworkPolicy a (p.yaml, document 1)');
      expect(msg).toContain('their egress rules do not all have one action (deny, allow)');
      expect(msg).toContain('Give them different priorities');
    });

    test('fails for v1alpha1 and v1alpha2 in one input', () => {
      const msg = errorOf(`${cnp(denyToY)}
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: { name: old }
spec: { priority: 3, subject: { namespaces: {} } }
`);
      expect(msg).toContain('(AdminNetworkPolicy old): kind: is a v1alpha1 AdminNetworkPolicy, but the input also has ClusterNetworkPolicy guard');
    });

    test.each([
      ['nodes', '{ nodes: {} }', 'a nodes peer selects node addresses by the Nodes\' labels, and the cluster model has no Node objects'],
      ['domainNames', '{ domainNames: [example.com] }', 'a domainNames peer matches the addresses DNS answers for the names at run time'],
    ])('fails for a %s peer, which the cluster model cannot decide', (field, peer, problem) => {
      const msg = errorOf(cnp(`${base}\n  egress: [{ action: Accept, to: [${peer}] }]`));
      expect(msg).toContain(`spec.egress[0].to[0].${field}: ${problem}`);
      expect(msg).toContain('the analyzer cannot evaluate this policy');
    });
  });

  describe('validates as the CRDs do', () => {
    test.each([
      ['an unknown tier', '  tier: Default\n  priority: 1\n  subject: { namespaces: {} }', 'spec.tier: expected "Admin" or "Baseline", got "Default"'],
      ['a priority above 1000', '  tier: Admin\n  priority: 1001\n  subject: { namespaces: {} }', 'spec.priority: expected an integer from 0 to 1000, got number 1001'],
      ['no subject', '  tier: Admin\n  priority: 1', 'spec.subject: expected an object, got nothing'],
      ['two subject fields', '  tier: Admin\n  priority: 1\n  subject: { namespaces: {}, pods: { podSelector: {} } }', 'spec.subject: expected exactly one of namespaces, pods, got namespaces and pods'],
      ['a pods subject without podSelector', '  tier: Admin\n  priority: 1\n  subject: { pods: { namespaceSelector: {} } }', 'spec.subject.pods.podSelector: required field is missing'],
      ['the v1alpha1 action name', `${base}\n  ingress: [{ action: Allow, from: [{ namespaces: {} }] }]`, 'spec.ingress[0].action: expected one of Accept, Deny, Pass, got "Allow" (v1alpha2 renamed Allow to Accept)'],
      ['a rule without peers', `${base}\n  ingress: [{ action: Deny, from: [] }]`, 'spec.ingress[0].from: must list at least one peer'],
      ['a networks ingress peer', `${base}\n  ingress: [{ action: Deny, from: [{ networks: [10.0.0.0/8] }] }]`, 'spec.ingress[0].from[0].networks: unknown field "networks"'],
      ['a peer with two fields', `${base}\n  egress: [{ action: Deny, to: [{ namespaces: {}, networks: [10.0.0.0/8] }] }]`, 'spec.egress[0].to[0]: expected exactly one of namespaces, pods, nodes, networks, domainNames, got namespaces and networks'],
      ['an invalid CIDR', `${base}\n  egress: [{ action: Deny, to: [{ networks: [10.0.0.0] }] }]`, 'spec.egress[0].to[0].networks[0]: expected a CIDR such as 10.0.0.0/16'],
      ['a CIDR listed twice', `${base}\n  egress: [{ action: Deny, to: [{ networks: [10.0.0.0/8, 10.0.0.0/8] }] }]`, 'spec.egress[0].to[0].networks: lists "10.0.0.0/8" twice'],
      ['domainNames in a Deny rule', `${base}\n  egress: [{ action: Deny, to: [{ domainNames: [example.com] }] }]`, 'spec.egress[0].to[0].domainNames: domainNames may only be used in Accept rules'],
      ['an invalid domain name', `${base}\n  egress: [{ action: Accept, to: [{ domainNames: [a.*.example.com] }] }]`, 'spec.egress[0].to[0].domainNames[0]: expected a domain name'],
      ['an empty protocols list', `${base}\n  ingress: [{ action: Deny, from: [{ namespaces: {} }], protocols: [] }]`, 'spec.ingress[0].protocols: expected 1 to 25 entries'],
      ['a protocol with two fields', `${base}\n  ingress: [{ action: Deny, from: [{ namespaces: {} }], protocols: [{ tcp: { destinationPort: { number: 1 } }, udp: { destinationPort: { number: 1 } } }] }]`, 'spec.ingress[0].protocols[0]: expected exactly one of tcp, udp, sctp, destinationNamedPort, got tcp and udp'],
      ['a protocol without destinationPort', `${base}\n  ingress: [{ action: Deny, from: [{ namespaces: {} }], protocols: [{ tcp: {} }] }]`, 'spec.ingress[0].protocols[0].tcp.destinationPort: required field is missing'],
      ['a range whose start is not below its end', `${base}\n  ingress: [{ action: Deny, from: [{ namespaces: {} }], protocols: [{ tcp: { destinationPort: { range: { start: 90, end: 90 } } } }] }]`, 'spec.ingress[0].protocols[0].tcp.destinationPort.range: start must be less than end'],
      ['a port out of range', `${base}\n  ingress: [{ action: Deny, from: [{ namespaces: {} }], protocols: [{ sctp: { destinationPort: { number: 0 } } }] }]`, 'spec.ingress[0].protocols[0].sctp.destinationPort.number: expected an integer from 1 to 65535, got number 0'],
      ['a named port with a networks peer', `${base}\n  egress: [{ action: Accept, to: [{ networks: [10.0.0.0/8] }], protocols: [{ destinationNamedPort: http }] }]`, 'spec.egress[0].protocols[0]: a named port cannot be used with the networks peer to[0]'],
      ['a rule name over 100 characters', `${base}\n  ingress: [{ name: ${'n'.repeat(101)}, action: Deny, from: [{ namespaces: {} }] }]`, 'spec.ingress[0].name: has 101 characters; the API allows at most 100'],
      ['more than 25 rules', `${base}\n  ingress: [${Array(26).fill('{ action: Deny, from: [{ namespaces: {} }] }').join(', ')}]`, 'spec.ingress: has 26 rules; the API allows at most 25'],
      ['an unknown field', `${base}\n  egres: []`, 'spec.egres: unknown field "egres"; did you mean "egress"?'],
    ])('fails for %s', (_what, spec, message) => {
      expect(errorOf(cnp(spec))).toContain(message);
    });

    test('fails for a namespace on these cluster-scoped kinds and for a wrong API version', () => {
      expect(errorOf(cnp(denyToY).replace('name: guard', 'name: guard, namespace: x'))).toContain('metadata.namespace: a ClusterNetworkPolicy is cluster-scoped');
      expect(errorOf(cnp(denyToY, 'guard', 'policy.networking.k8s.io/v1alpha1'))).toContain('apiVersion: expected "policy.networking.k8s.io/v1alpha2" or "policy.networking.k8s.io/v1beta1" for a ClusterNetworkPolicy, got "policy.networking.k8s.io/v1alpha1" (v1alpha1 has AdminNetworkPolicy and BaselineAdminNetworkPolicy instead)');
    });

    test('fails for a BaselineAdminNetworkPolicy not called default, and for a Pass in one', () => {
      const banp = (name: string, action: string) => `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: { name: ${name} }\nspec: { subject: { namespaces: {} }, ingress: [{ action: ${action}, from: [{ namespaces: {} }] }] }\n`;
      expect(errorOf(banp('floor', 'Deny'))).toContain('metadata.name: expected "default"');
      expect(errorOf(banp('default', 'Pass'))).toContain('spec.ingress[0].action: expected one of Allow, Deny, got "Pass"');
    });

    test('fails for a v1alpha1 port range whose start is not below its end, and reads its protocol default (TCP)', () => {
      const anp = (ports: string) => `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: { name: a }\nspec: { priority: 1, subject: { namespaces: {} }, ingress: [{ action: Deny, from: [{ namespaces: {} }], ports: [${ports}] }] }\n`;
      expect(errorOf(anp('{ portRange: { start: 9, end: 2 } }'))).toContain('spec.ingress[0].ports[0].portRange: start must be less than end');
      const [policy] = policiesFromYaml(anp('{ portRange: { start: 2, end: 9 } }'));
      expect(policy.ingress?.rules[0].ports).toEqual([{ protocol: 'TCP', port: 2, endPort: 9 }]);
    });
  });
});
