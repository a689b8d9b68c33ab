import { ClusterModel, parsePolicies } from '../../../src/analysis';
import { evaluate } from '../../../src/analysis/engine/reachability-analyzer';
import { Endpoint, ipEndpoint, podEndpoint } from '../../../src/analysis/ir/flow';
import { expectTruthTable, policiesFromYaml, threeNamespaceCluster } from '../support/fixtures';

// Calico NetworkSets and GlobalNetworkSets, pinned against Calico's documentation (docs.tigera.io
// reference/resources/networkset, globalnetworkset, _selector-scopes) and its source
// (projectcalico/calico @ 87c15906f20c): a selector's IP set holds the addresses of the endpoints and
// the CIDRs of the network sets it matches (felix/labelindex/named_port_index.go), built from the
// rule as libcalico-go's rules.go getEndpointSelector does, over the labels the update processors
// give network sets (networksetprocessor.go: the namespace label and the namespace's profile labels).

// x/a 10.1.0.10, x/b 10.1.0.11 (role=db), y/a 10.2.0.12; namespace y is team=ops.
const cluster = threeNamespaceCluster(['x/a', 'x/b', 'y/a'], { namespaceLabels: { y: { team: 'ops' } }, podLabels: { 'x/b': { role: 'db' } } });

const endpoint = (at: string): Endpoint => (at.includes('/') ? podEndpoint(...(at.split('/') as [string, string])) : ipEndpoint(at));
const allowedWith = (text: string, from: string, to: string, port = 80) =>
  evaluate(cluster, parsePolicies({ file: 'p.yaml', text }, { clusterNamespaces: cluster.namespaces }), {
    source: endpoint(from), destination: endpoint(to), port, protocol: 'TCP',
  }).allowed;

const GNS = (name: string, labels: string, nets: string) => `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: ${name}, labels: { ${labels} } }
spec: { nets: [${nets}] }
---`;
const NS = (namespace: string, name: string, labels: string, nets: string) => `
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: { name: ${name}, namespace: '${namespace}', labels: { ${labels} } }
spec: { nets: [${nets}] }
---`;
/** A policy isolating x/a for ingress, with one Allow rule from `source`. */
const INGRESS_TO_XA = (kind: string, source: string) => `
apiVersion: projectcalico.org/v3
kind: ${kind}
metadata: { name: to-xa${kind === 'NetworkPolicy' ? ', namespace: x' : ''} }
spec:
  selector: ${kind === 'NetworkPolicy' ? '' : "projectcalico.org/namespace == 'x' && "}pod == 'a'
  types: [Ingress]
  ingress: [{ action: Allow, source: ${source} }]
`;

describe('Calico network sets', () => {
  test('a GlobalNetworkSet gives its nets the labels a global policy\'s destination selector matches (the reference page\'s example)', () => {
    const text = `${GNS('a-name-for-the-set', 'role: external-database', '198.51.100.0/28, 203.0.113.0/24')}
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: to-db }
spec:
  selector: pod == 'a'
  types: [Egress]
  egress: [{ action: Allow, destination: { selector: role == 'external-database' } }]
`;
    expect(['198.51.100.5', '198.51.100.20', '203.0.113.200', '192.0.2.1'].map((ip) => allowedWith(text, 'x/a', ip))).toEqual([true, false, true, false]);
  });

  test('a NetworkSet is seen by the rules of policies in its namespace, and by global policies whatever its namespace', () => {
    const sets = `${NS('x', 'in-x', 'role: partner', '198.51.100.0/28')}${NS('y', 'in-y', 'role: partner', '203.0.113.0/24')}`;
    const namespaced = `${sets}${INGRESS_TO_XA('NetworkPolicy', "{ selector: role == 'partner' }")}`;
    const global = `${sets}${INGRESS_TO_XA('GlobalNetworkPolicy', "{ selector: role == 'partner' }")}`;
    expect([allowedWith(namespaced, '198.51.100.1', 'x/a'), allowedWith(namespaced, '203.0.113.1', 'x/a')]).toEqual([true, false]);
    expect([allowedWith(global, '198.51.100.1', 'x/a'), allowedWith(global, '203.0.113.1', 'x/a')]).toEqual([true, true]);
  });

  test('a namespaced policy sees GlobalNetworkSets only through namespaceSelector global(), and all() is every namespace but no global set', () => {
    const sets = `${GNS('g', 'role: db', '198.51.100.0/28')}${NS('y', 'ny', 'role: db', '203.0.113.0/24')}`;
    const rule = (namespaceSelector: string | undefined) => `${sets}${INGRESS_TO_XA('NetworkPolicy',
      `{ selector: role == 'db'${namespaceSelector ? `, namespaceSelector: "${namespaceSelector}"` : ''} }`)}`;
    const sources = ['198.51.100.1', '203.0.113.1', 'x/b'];
    expect(sources.map((from) => allowedWith(rule(undefined), from, 'x/a'))).toEqual([false, false, true]);
    expect(sources.map((from) => allowedWith(rule('global()'), from, 'x/a'))).toEqual([true, false, false]);
    expect(sources.map((from) => allowedWith(rule('all()'), from, 'x/a'))).toEqual([false, true, true]);
    expect(sources.map((from) => allowedWith(rule('global() || all()'), from, 'x/a'))).toEqual([true, true, true]);
  });

  test('a namespaceSelector matches a NetworkSet by its namespace\'s labels and name', () => {
    const sets = `${NS('y', 'ny', 'role: db', '203.0.113.0/24')}${NS('z', 'nz', 'role: db', '198.51.100.0/28')}`;
    const byLabel = `${sets}${INGRESS_TO_XA('NetworkPolicy', "{ selector: role == 'db', namespaceSelector: team == 'ops' }")}`;
    const byName = `${sets}${INGRESS_TO_XA('NetworkPolicy', "{ selector: role == 'db', namespaceSelector: projectcalico.org/name == 'z' }")}`;
    expect([allowedWith(byLabel, '203.0.113.1', 'x/a'), allowedWith(byLabel, '198.51.100.1', 'x/a')]).toEqual([true, false]);
    expect([allowedWith(byName, '203.0.113.1', 'x/a'), allowedWith(byName, '198.51.100.1', 'x/a')]).toEqual([false, true]);
  });

  test('a negative namespaceSelector also matches GlobalNetworkSets: they have no namespace labels, and != holds for an absent label', () => {
    // rules.go prefixes the namespaceSelector's keys with pcns.; a global set has no pcns. label at all.
    const text = `${GNS('g', 'role: db', '198.51.100.0/28')}${INGRESS_TO_XA('GlobalNetworkPolicy', "{ selector: role == 'db', namespaceSelector: team != 'ops' }")}`;
    expect(allowedWith(text, '198.51.100.1', 'x/a')).toBe(true);
  });

  test('a pod whose address is in a matched network set matches the selector, whatever its own labels', () => {
    const policies = policiesFromYaml(`${GNS('pods-of-y', 'role: db', '10.2.0.0/16')}${INGRESS_TO_XA('GlobalNetworkPolicy', "{ selector: role == 'db' }")}`);
    // y/a (10.2.0.12) is in the set; x/b carries role=db itself.
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  .   .   .
    `);
    const denyY = policiesFromYaml(`${GNS('pods-of-y', 'role: blocked', '10.2.0.0/16')}${INGRESS_TO_XA('GlobalNetworkPolicy', "{ selector: role == 'db' }")}`);
    expectTruthTable(cluster, denyY, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  X   .   .
    `);
    expect(allowedWith(`${GNS('pods-of-y', 'role: db', '10.2.0.0/16')}${INGRESS_TO_XA('GlobalNetworkPolicy', "{ selector: role == 'db' }")}`, '10.2.200.1', 'x/a')).toBe(true);
  });

  test('a notSelector excludes the addresses of the network sets it matches, pods inside them included', () => {
    const text = `${GNS('blocked', 'role: blocked', '10.2.0.0/16, 198.51.100.0/28')}${INGRESS_TO_XA('GlobalNetworkPolicy', "{ notSelector: role == 'blocked' }")}`;
    const policies = policiesFromYaml(text);
    expectTruthTable(cluster, policies, 80, 'TCP', `
          x/a x/b y/a
      x/a  .   .   .
      x/b  .   .   .
      y/a  X   .   .
    `);
    expect(['198.51.100.1', '192.0.2.1'].map((from) => allowedWith(text, from, 'x/a'))).toEqual([false, true]);
    // With a selector too: role=db (x/b and the set's nets) minus the blocked set.
    const both = `${GNS('dbs', 'role: db', '198.51.100.0/24')}${GNS('blocked', 'role: blocked', '198.51.100.0/28, 10.1.0.11/32')}`
      + INGRESS_TO_XA('GlobalNetworkPolicy', "{ selector: role == 'db', notSelector: role == 'blocked' }");
    expect(['198.51.100.1', '198.51.100.100', '192.0.2.1', 'x/b'].map((from) => allowedWith(both, from, 'x/a'))).toEqual([false, true, false, false]);
    // A namespaced policy's notSelector alone: the known endpoints of its namespace (pods and sets) minus the excluded.
    const scoped = `${NS('x', 'partners', 'role: partner', '198.51.100.0/24')}${GNS('blocked', 'role: blocked', '198.51.100.0/28')}`
      + INGRESS_TO_XA('NetworkPolicy', "{ notSelector: role == 'blocked' }");
    expect(['198.51.100.1', '198.51.100.100', '192.0.2.1', 'x/b', 'y/a'].map((from) => allowedWith(scoped, from, 'x/a'))).toEqual([false, true, false, true, false]);
  });

  test('selector all() matches only known endpoints and network sets, and !has(k) matches sets without k; notSelector has(k) matches every other address', () => {
    // _entityrule.mdx: "notSelector: has(x)" matches everything except x, "selector: !has(x)" only known endpoints without x.
    const sets = GNS('known', 'role: partner', '198.51.100.0/28');
    const rule = (source: string) => `${sets}${INGRESS_TO_XA('GlobalNetworkPolicy', source)}`;
    const sources = ['198.51.100.1', '192.0.2.1', 'y/a'];
    expect(sources.map((from) => allowedWith(rule('{ selector: all() }'), from, 'x/a'))).toEqual([true, false, true]);
    expect(sources.map((from) => allowedWith(rule('{ selector: "!has(tier)" }'), from, 'x/a'))).toEqual([true, false, true]);
    expect(sources.map((from) => allowedWith(rule('{ notSelector: has(role) }'), from, 'x/a'))).toEqual([false, true, true]);
  });

  test('a named destination port matches only endpoints the selector matches by their labels: network sets have no ports', () => {
    const text = (ports: string) => `${GNS('pods-of-y', 'role: db', '10.2.0.0/16')}
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: from-xa }
spec:
  selector: projectcalico.org/namespace == 'x' && pod == 'a'
  types: [Egress]
  egress: [{ action: Allow, protocol: TCP, destination: { selector: role == 'db', ports: [${ports}] } }]
`;
    // y/a is in the set (numeric ports match it) and serves serve-80-tcp, but is not role=db itself.
    expect(['x/b', 'y/a'].map((to) => allowedWith(text('serve-80-tcp'), 'x/a', to))).toEqual([true, false]);
    expect(['x/b', 'y/a'].map((to) => allowedWith(text('80'), 'x/a', to))).toEqual([true, true]);
    expect(['x/b', 'y/a'].map((to) => allowedWith(text('81, serve-80-tcp'), 'x/a', to))).toEqual([true, false]);
    expect(['x/b', 'y/a'].map((to) => allowedWith(text('81, serve-80-tcp'), 'x/a', to, 81))).toEqual([true, true]);
  });

  test('own-endpoint selectors see the subject\'s address in network sets too', () => {
    const text = `${GNS('pods-of-y', 'role: db', '10.2.0.0/16')}
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: egress }
spec:
  selector: all()
  types: [Egress]
  egress: [{ action: Allow, source: { selector: role == 'db' } }]
`;
    expect(['x/a', 'x/b', 'y/a'].map((from) => allowedWith(text, from, '192.0.2.1'))).toEqual([false, true, true]);
  });

  test('Kubernetes NetworkPolicies never match network sets (Calico gives their peers projectcalico.org/orchestrator == \'k8s\')', () => {
    const text = `${GNS('g', 'role: db', '198.51.100.0/28')}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: all-namespaces, namespace: x }
spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] }
`;
    expect([allowedWith(text, '198.51.100.1', 'x/a'), allowedWith(text, 'y/a', 'x/a')]).toEqual([false, true]);
  });

  test('a ClusterNetworkPolicy namespaces peer also matches the NetworkSets of those namespaces, as Calico converts it (a pods peer does not)', () => {
    // libcalico-go k8s/conversion/clusternetworkpolicy.go: a namespaces peer becomes a namespaceSelector
    // alone, without the pods-only projectcalico.org/orchestrator == 'k8s' term a pods peer gets.
    const cnp = (peer: string) => `${NS('y', 'ny', 'role: partner', '203.0.113.0/24')}
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: deny-ops }
spec:
  tier: Admin
  priority: 10
  subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: x } } }
  ingress: [{ name: deny, action: Deny, from: [${peer}] }]
`;
    const namespaces = cnp('{ namespaces: { matchLabels: { team: ops } } }');
    const pods = cnp('{ pods: { namespaceSelector: { matchLabels: { team: ops } }, podSelector: {} } }');
    expect(['203.0.113.1', 'y/a', '192.0.2.1'].map((from) => allowedWith(namespaces, from, 'x/a'))).toEqual([false, false, true]);
    expect(['203.0.113.1', 'y/a', '192.0.2.1'].map((from) => allowedWith(pods, from, 'x/a'))).toEqual([true, false, true]);
  });

  test('network sets count wherever they are in the input, after the policies or in another file', () => {
    const policy = INGRESS_TO_XA('GlobalNetworkPolicy', "{ selector: role == 'partner' }");
    const set = GNS('g', 'role: partner', '198.51.100.0/28');
    const flow = { source: ipEndpoint('198.51.100.1'), destination: podEndpoint('x', 'a'), port: 80, protocol: 'TCP' as const };
    expect(evaluate(cluster, parsePolicies({ file: 'p.yaml', text: `${policy}---\n${set}` }), flow).allowed).toBe(true);
    expect(evaluate(cluster, parsePolicies([{ file: 'p.yaml', text: policy }, { file: 's.yaml', text: set }]), flow).allowed).toBe(true);
    expect(evaluate(cluster, parsePolicies({ file: 'p.yaml', text: policy }), flow).allowed).toBe(false);
  });

  test('a global rule with only a notSelector matches host-network sources too: felix builds no positive selector, so every address not excluded matches', () => {
    const withHost = ClusterModel.create({
      namespaces: [{ name: 'x' }, { name: 'kube-system' }],
      pods: [
        { namespace: 'x', name: 'a', labels: { pod: 'a' }, ips: ['10.1.0.10'], nodeName: 'n1' },
        { namespace: 'kube-system', name: 'agent', hostNetwork: true, ips: ['192.168.0.2'], nodeName: 'n2' },
      ],
    });
    const policies = policiesFromYaml(INGRESS_TO_XA('GlobalNetworkPolicy', "{ notSelector: role == 'blocked' }"));
    const verdict = evaluate(withHost, policies, { source: podEndpoint('kube-system', 'agent'), destination: podEndpoint('x', 'a'), port: 80, protocol: 'TCP' });
    expect(verdict.allowed).toBe(true);
  });

  test('rules that match no network set translate as before (no exclusions, no address blocks)', () => {
    const text = INGRESS_TO_XA('NetworkPolicy', "{ selector: pod == 'b', notSelector: role == 'db' }");
    const without = parsePolicies({ file: 'p.yaml', text });
    const withSet = parsePolicies({ file: 'p.yaml', text: `${GNS('g', 'role: partner', '198.51.100.0/28')}${text}` });
    expect(withSet.map((policy) => policy.ingress)).toEqual(without.map((policy) => policy.ingress));
    expect(without[0].ingress?.rules[0].notPeers).toBeUndefined();
  });

  test('fails, asking for the cluster, when a NetworkSet may match by the labels of a namespace the analyzer was not given', () => {
    const text = `${NS('y', 'ny', 'role: db', '203.0.113.0/24')}${INGRESS_TO_XA('NetworkPolicy', "{ selector: role == 'db', namespaceSelector: team == 'ops' }")}`;
    expect(() => parsePolicies({ file: 'p.yaml', text })).toThrow(
      /p\.yaml, document 2.*spec\.ingress\[0\]\.source: whether spec\.ingress\[0\]\.source\.selector matches NetworkSet y\/ny depends on the labels of namespace y; pass the cluster/);
    // The namespace's name is known without the cluster.
    expect(() => parsePolicies({ file: 'p.yaml', text: text.replace("team == 'ops'", "projectcalico.org/name == 'y'") })).not.toThrow();
  });
});

describe('reading Calico network sets', () => {
  const read = (text: string) => () => parsePolicies({ file: 's.yaml', text });
  const set = (metadata: string, spec: string, kind = 'GlobalNetworkSet') => `apiVersion: projectcalico.org/v3\nkind: ${kind}\nmetadata: ${metadata}\nspec: ${spec}\n`;

  test('accepts bare addresses as /32 and /128 and masks host bits, as Calico\'s ParseCIDROrIP does', () => {
    const text = `${set('{ name: g, labels: { role: x } }', '{ nets: [198.51.100.7, "2001:db8::1", 203.0.113.9/24] }')}---
${INGRESS_TO_XA('GlobalNetworkPolicy', "{ selector: role == 'x' }")}`;
    const flow = (ip: string) => evaluate(cluster, parsePolicies({ file: 's.yaml', text }), {
      source: ipEndpoint(ip), destination: podEndpoint('x', 'a'), port: 80, protocol: 'TCP',
    }).allowed;
    expect(['198.51.100.7', '198.51.100.8', '203.0.113.200'].map(flow)).toEqual([true, false, true]);
  });

  test.each([
    ['a namespace on a GlobalNetworkSet', set('{ name: g, namespace: x }', '{ nets: [] }'), /metadata\.namespace: a GlobalNetworkSet is cluster-scoped/],
    ['the label Calico reserves', set('{ name: g, labels: { projectcalico.org/namespace: x } }', '{}'), /metadata\.labels\["projectcalico\.org\/namespace"\]: projectcalico\.org\/namespace is not a valid label name/],
    ['an invalid label value', set('{ name: g, labels: { role: "a b" } }', '{}'), /metadata\.labels\.role: expected a label value/],
    ['a missing spec', 'apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata: { name: no-spec }\n', /spec: required field is missing/],
    ['an invalid CIDR', set('{ name: g }', '{ nets: [10.0.0.0/33] }'), /spec\.nets\[0\]: expected a prefix length from 0 to 32/],
    ['a duplicate net', set('{ name: g }', '{ nets: [10.0.0.0/8, 10.0.0.0/8] }'), /spec\.nets\[1\]: duplicates spec\.nets\[0\]/],
    ['an unknown field', set('{ name: g }', '{ net: [10.0.0.0/8] }'), /spec\.net: unknown field "net"; did you mean "nets"\?/],
    ['Calico Enterprise domains', set('{ name: g }', '{ allowedEgressDomains: [db.com] }', 'NetworkSet'), /spec\.allowedEgressDomains: is a Calico Enterprise field/],
    ['Calico\'s internal storage version', set('{ name: g }', '{}').replace('projectcalico.org/v3', 'crd.projectcalico.org/v1'), /expected "projectcalico\.org\/v3" for a Calico GlobalNetworkSet/],
    ['a set defined twice', `${set('{ name: g }', '{}')}---\n${set('{ name: g }', '{}')}`, /document 2.*GlobalNetworkSet g is defined twice \(first in s\.yaml, document 1\)/],
  ])('fails on %s', (_what, text, message) => {
    expect(read(text)).toThrow(message);
  });

  test('a NetworkSet and a GlobalNetworkSet of the same name, or NetworkSets of one name in two namespaces, are different objects', () => {
    const text = [set('{ name: s }', '{}'), set('{ name: s, namespace: x }', '{}', 'NetworkSet'), set("{ name: s, namespace: 'y' }", '{}', 'NetworkSet')].join('---\n');
    expect(read(text)).not.toThrow();
  });
});
