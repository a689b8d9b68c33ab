import { ManifestError, parsePolicies } from '../../../src/analysis';

function parse(text: string, file = 'policies.yaml') {
  return parsePolicies({ file, text });
}

function errorOf(text: string): ManifestError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof ManifestError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a ManifestError');
}

const header = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: prod }
`;

describe('reading NetworkPolicies', () => {
  test('reads every document of a multi-document file and every item of a List', () => {
    const policies = parse(`
${header}spec: { podSelector: {} }
---
apiVersion: v1
kind: List
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: { name: a, namespace: x }
  spec: { podSelector: {} }
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: { name: b }
  spec: { podSelector: {} }
---
`);
    expect(policies.map((policy) => [policy.ref.namespace, policy.ref.name, policy.source])).toEqual([
      ['prod', 'web', { file: 'policies.yaml', document: 1 }],
      ['x', 'a', { file: 'policies.yaml', document: 2, path: 'items[0]' }],
      ['default', 'b', { file: 'policies.yaml', document: 2, path: 'items[1]' }],
    ]);
  });

  test('reads what kubectl get networkpolicies -o yaml prints, status and managed fields included', () => {
    const [policy] = parse(`
apiVersion: v1
kind: List
metadata: { resourceVersion: "" }
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    annotations: { kubectl.kubernetes.io/last-applied-configuration: "{}" }
    creationTimestamp: "2024-01-01T00:00:00Z"
    generation: 1
    name: allow-dns
    namespace: prod
    resourceVersion: "123"
    uid: 0b0c
  spec:
    egress:
    - ports:
      - { port: 53, protocol: UDP }
      - { port: 53, protocol: TCP }
      to:
      - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: kube-system } }
        podSelector: { matchLabels: { k8s-app: kube-dns } }
    podSelector: {}
    policyTypes: [Egress]
  status: {}
`);
    expect(policy.ingress).toBeUndefined();
    expect(policy.egress?.rules).toHaveLength(1);
    expect(policy.egress?.rules[0].ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
  });

  test.each([
    ['a peer combining ipBlock with a selector',
      'spec:\n  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: { cidr: 10.0.0.0/8 }\n      podSelector: {}',
      'spec.ingress[0].from[0]', 'may not combine ipBlock with podSelector or namespaceSelector in one peer; write them as separate list items'],
    ['an empty peer',
      'spec:\n  podSelector: {}\n  egress:\n  - to: [{}]',
      'spec.egress[0].to[0]', 'must specify a peer: podSelector, namespaceSelector or ipBlock (to allow every peer, omit the whole from/to list)'],
    ['an except outside the cidr',
      'spec:\n  podSelector: {}\n  egress:\n  - to: [{ ipBlock: { cidr: 10.0.0.0/16, except: [10.1.0.0/24] } }]',
      'spec.egress[0].to[0].ipBlock.except[0]', 'must be a strict subset of cidr 10.0.0.0/16, got 10.1.0.0/24'],
    ['an except equal to the cidr',
      'spec:\n  podSelector: {}\n  egress:\n  - to: [{ ipBlock: { cidr: 10.0.0.0/16, except: [10.0.0.0/16] } }]',
      'spec.egress[0].to[0].ipBlock.except[0]', 'must be a strict subset of cidr 10.0.0.0/16, got 10.0.0.0/16'],
    ['a cidr without prefix length',
      'spec:\n  podSelector: {}\n  egress:\n  - to: [{ ipBlock: { cidr: 10.0.0.1 } }]',
      'spec.egress[0].to[0].ipBlock.cidr', 'expected a CIDR such as 10.0.0.0/16 or fd00::/64, got "10.0.0.1" (the prefix length is missing; did you mean 10.0.0.1/32?)'],
    ['a prefix length too long for the family',
      'spec:\n  podSelector: {}\n  egress:\n  - to: [{ ipBlock: { cidr: 10.0.0.0/33 } }]',
      'spec.egress[0].to[0].ipBlock.cidr', 'expected a prefix length from 0 to 32 after "/", got "10.0.0.0/33"'],
    ['an endPort without port',
      'spec:\n  podSelector: {}\n  ingress:\n  - ports: [{ endPort: 90 }]',
      'spec.ingress[0].ports[0].endPort', 'may only be set together with a numeric port (the start of the range)'],
    ['an endPort below port',
      'spec:\n  podSelector: {}\n  ingress:\n  - ports: [{ port: 90, endPort: 80 }]',
      'spec.ingress[0].ports[0].endPort', 'must be greater than or equal to port 90, got 80'],
    ['an endPort with a named port',
      'spec:\n  podSelector: {}\n  ingress:\n  - ports: [{ port: http, endPort: 80 }]',
      'spec.ingress[0].ports[0].endPort', 'may not be used with the named port "http"; give the range as numbers'],
    ['a quoted port number',
      'spec:\n  podSelector: {}\n  ingress:\n  - ports: [{ port: "8080" }]',
      'spec.ingress[0].ports[0].port', 'expected a port number or a port name, got the string "8080"; write 8080 without quotes'],
    ['a port out of range',
      'spec:\n  podSelector: {}\n  ingress:\n  - ports: [{ port: 70000 }]',
      'spec.ingress[0].ports[0].port', 'expected an integer from 1 to 65535, got number 70000'],
    ['an invalid port name',
      'spec:\n  podSelector: {}\n  ingress:\n  - ports: [{ port: Web_Port }]',
      'spec.ingress[0].ports[0].port', 'expected a port name of at most 15 lower-case letters, digits and single dashes, with at least one letter, got "Web_Port"'],
    ['a lower-case protocol',
      'spec:\n  podSelector: {}\n  ingress:\n  - ports: [{ port: 53, protocol: udp }]',
      'spec.ingress[0].ports[0].protocol', 'expected one of TCP, UDP, SCTP, got "udp" (protocols are upper case: UDP)'],
    ['an ICMP protocol',
      'spec:\n  podSelector: {}\n  ingress:\n  - ports: [{ protocol: ICMP }]',
      'spec.ingress[0].ports[0].protocol', 'expected one of TCP, UDP, SCTP, got "ICMP"'],
    ['an unknown selector operator',
      'spec:\n  podSelector: { matchExpressions: [{ key: app, operator: Equals, values: [web] }] }',
      'spec.podSelector.matchExpressions[0].operator', 'expected one of In, NotIn, Exists, DoesNotExist, got "Equals"'],
    ['In without values',
      'spec:\n  podSelector: { matchExpressions: [{ key: app, operator: In }] }',
      'spec.podSelector.matchExpressions[0].values', 'operator In needs at least one value'],
    ['Exists with values',
      'spec:\n  podSelector: { matchExpressions: [{ key: app, operator: Exists, values: [web] }] }',
      'spec.podSelector.matchExpressions[0].values', 'operator Exists takes no values; remove them or use In/NotIn'],
    ['an unquoted numeric label value',
      'spec:\n  podSelector: { matchLabels: { version: 2 } }',
      'spec.podSelector.matchLabels.version', 'expected a string value, got number 2 (quote it: "2")'],
    ['an invalid label key',
      'spec:\n  podSelector: { matchLabels: { "-app": web } }',
      'spec.podSelector.matchLabels["-app"]', 'expected a label key such as "app" or "example.com/tier" (name of at most 63 letters, digits, "-", "_", "."), got "-app"'],
    ['a misspelled spec field',
      'spec:\n  podSelector: {}\n  ingres:\n  - {}',
      'spec.ingres', 'unknown field "ingres"; did you mean "ingress"?'],
    ['a misspelled peer field',
      'spec:\n  podSelector: {}\n  ingress:\n  - from: [{ namespaceSelectors: {} }]',
      'spec.ingress[0].from[0].namespaceSelectors', 'unknown field "namespaceSelectors"; did you mean "namespaceSelector"?'],
    ['a from list written as an object',
      'spec:\n  podSelector: {}\n  ingress:\n  - from: { podSelector: {} }',
      'spec.ingress[0].from', 'expected a list, got an object'],
    ['a policy type in lower case',
      'spec:\n  podSelector: {}\n  policyTypes: [ingress]',
      'spec.policyTypes[0]', 'expected "Ingress" or "Egress", got "ingress"'],
    ['a repeated policy type',
      'spec:\n  podSelector: {}\n  policyTypes: [Ingress, Ingress]',
      'spec.policyTypes', 'lists a type twice; give each of Ingress and Egress at most once'],
  ])('rejects %s, naming file, document, object and field', (_title, spec, fieldPath, problem) => {
    const error = errorOf(`${header}${spec}\n`);
    expect(error.fieldPath).toBe(fieldPath);
    expect(error.problem).toBe(problem);
    expect(error.message).toBe(`policies.yaml, document 1 (NetworkPolicy prod/web): ${fieldPath}: ${problem}`);
  });

  test('rejects a bad item of a List with the item path and document index', () => {
    const error = errorOf(`
${header}spec: { podSelector: {} }
---
kind: List
apiVersion: v1
items:
- ${header.replace('name: web', 'name: fine').trim().split('\n').join('\n  ')}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: { name: broken, namespace: x }
  spec:
    podSelector: {}
    egress:
    - to: [{ ipBlock: { cidr: not-a-cidr } }]
`);
    expect(error.message).toBe(
      'policies.yaml, document 2 (NetworkPolicy x/broken): items[1].spec.egress[0].to[0].ipBlock.cidr: '
      + 'expected a CIDR such as 10.0.0.0/16 or fd00::/64, got "not-a-cidr" (the prefix length is missing)',
    );
  });

  test('rejects invalid YAML with its line and column', () => {
    const error = errorOf(`${header}spec:\n  podSelector: {\n`);
    expect(error.message).toMatch(/^policies\.yaml, document 1: line \d+, column \d+: invalid YAML: /);
  });

  test('rejects duplicate keys, which kubectl would silently resolve to the last one', () => {
    expect(errorOf(`${header}spec:\n  podSelector: {}\n  podSelector: { matchLabels: { a: b } }\n`).message)
      .toBe('policies.yaml, document 1: line 6, column 3: the key "podSelector" is given twice in one mapping (kubectl would silently keep the last one); remove one');
  });

  test('rejects a kind that is not a policy, and a policy kind the analyzer does not support yet', () => {
    expect(errorOf('apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\n').message)
      .toBe('policies.yaml, document 1: kind: expected a policy such as NetworkPolicy (networking.k8s.io/v1), got kind Deployment (apps/v1); '
        + 'pass --ignore-other-kinds to skip objects of kinds that carry no network policy');
    expect(errorOf('apiVersion: projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy\nmetadata: { name: web }\n').message)
      .toBe('policies.yaml, document 1: kind: kind StagedKubernetesNetworkPolicy (projectcalico.org/v3) may allow or deny traffic (a staged Kubernetes policy is not supported by the analyzer yet) '
        + 'and the analyzer cannot evaluate it, so it is an error with or without --ignore-other-kinds; remove it from the input only if it does not apply to the cluster analysed');
    expect(errorOf('just a string\n').message).toBe('policies.yaml, document 1: expected an object, got string "just a string"');
  });

  test('skips other kinds when asked to, but never unsupported policy kinds', () => {
    const text = `apiVersion: v1\nkind: Service\nmetadata: { name: web }\n---\n${header}spec: { podSelector: {} }\n`;
    expect(parsePolicies({ file: 'app.yaml', text }, { ignoreOtherKinds: true }).map((policy) => policy.ref.name)).toEqual(['web']);
    expect(() => parsePolicies({ file: 'app.yaml', text: 'apiVersion: projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy\nmetadata: { name: a }\n' }, { ignoreOtherKinds: true }))
      .toThrow('StagedKubernetesNetworkPolicy (projectcalico.org/v3) may allow or deny traffic');
  });

  test.each([
    ['crd.antrea.io/v1beta1', 'ClusterNetworkPolicy', /is Antrea's own ClusterNetworkPolicy .*cannot evaluate this policy/],
    ['networking.k8s.aws/v1alpha1', 'ClusterNetworkPolicy', /is the AWS VPC CNI's ClusterNetworkPolicy .*cannot evaluate this policy/],
    ['crd.antrea.io/v1beta1', 'NetworkPolicy', /Antrea policies and groups allow and deny traffic/],
    ['policy.networking.k8s.io/v1alpha1', 'NetworkPolicyExtension', /network-policy-api objects allow and deny traffic/],
    ['networking.istio.io/v1', 'Sidecar', /a Sidecar restricts the egress/],
    ['projectcalico.org/v3', 'HostEndpoint', /a HostEndpoint puts host interfaces under Calico policies/],
  ])('fails on %s %s with or without --ignore-other-kinds: it may allow or deny traffic', (apiVersion, kind, reason) => {
    const text = `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: { name: deny-all }\nspec: {}\n`;
    for (const ignoreOtherKinds of [false, true]) {
      expect(() => parsePolicies({ file: 'p.yaml', text }, { ignoreOtherKinds })).toThrow(reason);
    }
  });

  test.each([
    ['policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy', 'name: deny-all', 'priority: 1, subject: { namespaces: {} }'],
    ['policy.networking.k8s.io/v1alpha1', 'BaselineAdminNetworkPolicy', 'name: default', 'subject: { namespaces: {} }'],
    ['policy.networking.k8s.io/v1alpha2', 'ClusterNetworkPolicy', 'name: deny-all', 'tier: Admin, priority: 1, subject: { namespaces: {} }'],
  ])('reads %s %s, with or without --ignore-other-kinds: never skipped', (apiVersion, kind, name, spec) => {
    const text = `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: { ${name} }\nspec: { ${spec} }\n`;
    for (const ignoreOtherKinds of [false, true]) {
      expect(parsePolicies({ file: 'p.yaml', text }, { ignoreOtherKinds }).map((policy) => policy.ref.kind)).toEqual([kind]);
    }
  });

  test('fails on an unknown kind even with --ignore-other-kinds, and counts what it skips', () => {
    expect(() => parsePolicies({ file: 'p.yaml', text: 'apiVersion: example.com/v1\nkind: Firewall\nmetadata: { name: a }\n' }, { ignoreOtherKinds: true }))
      .toThrow(/got kind Firewall \(example\.com\/v1\), a kind the analyzer does not know: it cannot tell whether it allows or denies traffic/);
    const skippedKinds = new Map<string, number>();
    const text = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: a }\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: b }\n---\n'
      + 'apiVersion: v1\nkind: Service\nmetadata: { name: s }\n';
    expect(parsePolicies({ file: 'p.yaml', text }, { ignoreOtherKinds: true, skippedKinds })).toEqual([]);
    expect([...skippedKinds]).toEqual([['apps/Deployment', 2], ['/Service', 1]]);
  });

  test.each([
    ['a name with a markdown link', 'metadata: { name: "x [click](https://evil.example/login)", namespace: prod }', 'metadata.name: expected an object name'],
    ['a name with a newline', 'metadata: { name: "a\\nb", namespace: prod }', 'metadata.name: expected an object name'],
    ['a name with an escape byte', 'metadata: { name: "a\\u001b[31m", namespace: prod }', 'metadata.name: expected an object name'],
    ['a namespace with capitals', 'metadata: { name: web, namespace: Prod }', 'metadata.namespace: expected a namespace name'],
  ])('fails on %s, as the API server would', (_title, metadata, problem) => {
    expect(errorOf(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n${metadata}\nspec: { podSelector: {} }\n`).message).toContain(problem);
  });

  test('fails on an invalid name of every other kind too (a CiliumNetworkPolicy)', () => {
    expect(errorOf('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: "x|y", namespace: prod }\nspec: { endpointSelector: {}, ingress: [{}] }\n').message)
      .toContain('metadata.name: expected an object name');
  });

  test('rejects an older NetworkPolicy apiVersion', () => {
    expect(errorOf('apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: { name: old }\n').message)
      .toMatch(/^policies\.yaml, document 1: kind: expected a policy such as NetworkPolicy \(networking\.k8s\.io\/v1\), got kind NetworkPolicy \(extensions\/v1beta1\), a kind the analyzer does not know/);
  });

  test('rejects the same policy defined in two files', () => {
    const text = `${header}spec: { podSelector: {} }\n`;
    expect(() => parsePolicies([{ file: 'a.yaml', text }, { file: 'b.yaml', text }]))
      .toThrow('b.yaml, document 1 (NetworkPolicy prod/web): metadata.name: NetworkPolicy prod/web is defined twice (first in a.yaml, document 1); names must be unique per namespace');
  });

  test('accepts a missing podSelector and spec as the API server does: every pod of the namespace', () => {
    const [policy] = parse('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: bare, namespace: x }\n');
    expect(policy.subject).toEqual({ namespaces: { kind: 'names', names: ['x'] }, pods: { op: 'all' } });
    expect(policy.ingress).toEqual({ isolates: true, rules: [] });
    expect(policy.egress).toBeUndefined();
  });

  test('uses the given default namespace for policies without one', () => {
    const [policy] = parsePolicies({ file: 'p.yaml', text: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: web }\nspec: { podSelector: {} }\n' }, { defaultNamespace: 'team-a' });
    expect(policy.ref).toEqual({ kind: 'NetworkPolicy', namespace: 'team-a', name: 'web' });
  });
});
