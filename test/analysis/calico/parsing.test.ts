import { ManifestError } from '../../../src/analysis/parse/manifest-error';
import { parsePolicies } from '../../../src/analysis/parse/parse-policies';
import { policiesFromYaml } from '../support/fixtures';

const np = (spec: string, extra = '') => `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: web, namespace: shop${extra} }
spec: ${spec}
`;

/** The ManifestError message of reading `yaml`; fails when it reads fine. */
function readError(yaml: string): string {
  try {
    parsePolicies({ file: 'calico.yaml', text: yaml });
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    return (e as Error).message;
  }
  throw new Error('expected a ManifestError');
}

describe('reading Calico policies', () => {
  test('translates a NetworkPolicy: qualified kind, tier default with its order, the policy order, Calico selectors', () => {
    const [p] = policiesFromYaml(np(`{ order: 20, selector: "projectcalico.org/orchestrator == 'k8s' && app in {'web', 'api'}", types: [Ingress],
      ingress: [{ action: Deny, protocol: TCP, source: { namespaceSelector: "projectcalico.org/name == 'other'", selector: has(role) }, destination: { ports: [80, '8000:8010', http] } }] }`));
    expect(p.ref).toEqual({ kind: 'projectcalico.org/NetworkPolicy', namespace: 'shop', name: 'web' });
    expect(p.tier).toEqual({ name: 'default', order: 1_000_000, defaultAction: 'deny' });
    expect(p.order).toBe(20);
    expect(p.enforced).toBe(true);
    expect(p.subject).toEqual({ namespaces: { kind: 'names', names: ['shop'] }, pods: { op: 'in', key: 'app', values: ['api', 'web'] } });
    expect(p.egress).toBeUndefined();
    expect(p.ingress).toEqual({
      isolates: true,
      rules: [{
        label: 'ingress[0]',
        action: 'deny',
        peers: [{ kind: 'pods', selection: { namespaces: { kind: 'names', names: ['other'] }, pods: { op: 'exists', key: 'role' } } }],
        ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 8000, endPort: 8010 }, { protocol: 'TCP', port: 'http' }],
      }],
    });
  });

  test('takes tiers from Tier objects, wherever they are in the input', () => {
    const policies = policiesFromYaml(`${np('{ tier: security, selector: all() }')}
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: security }
spec: { order: 100, defaultAction: Pass }
`);
    expect(policies.map(p => p.tier)).toEqual([{ name: 'security', order: 100, defaultAction: 'pass' }]);
  });

  test('a Tier without order comes after every ordered tier', () => {
    const [p] = policiesFromYaml(`${np('{ tier: late }')}
---
{ apiVersion: projectcalico.org/v3, kind: Tier, metadata: { name: late } }
`);
    expect(p.tier).toEqual({ name: 'late', order: Number.POSITIVE_INFINITY, defaultAction: 'deny' });
  });

  test('a global policy that only applies to host endpoints selects no pod', () => {
    expect(policiesFromYaml(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: untracked }
spec: { selector: all(), doNotTrack: true, applyOnForward: true, ingress: [{ action: Allow }] }
`)).toEqual([]);
  });

  test('a Calico and a Kubernetes NetworkPolicy may share a name', () => {
    expect(policiesFromYaml(`${np('{}')}
---
{ apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: { name: web, namespace: shop }, spec: { podSelector: {} } }
`).map(p => p.ref.kind).sort()).toEqual(['NetworkPolicy', 'projectcalico.org/NetworkPolicy']);
  });

  test.each([
    ['the v1 storage API', np('{}').replace('projectcalico.org/v3', 'crd.projectcalico.org/v1'), 'apiVersion: expected "projectcalico.org/v3"'],
    ['a misspelt field', np('{ selectr: all() }'), 'spec.selectr: unknown field "selectr"; did you mean "selector"?'],
    ['a selector Calico cannot parse', np("{ selector: \"app = 'web'\" }"), "spec.selector: expected == in the selector \"app = 'web'\"; Calico would reject it"],
    ['a selector with an unterminated string', np("{ selector: \"app == 'web\" }"), 'unterminated string'],
    ['numeric ports without a protocol', np('{ ingress: [{ action: Allow, destination: { ports: [80] } }] }'), 'numeric destination ports need an explicit protocol'],
    ['ports with ICMP', np('{ ingress: [{ action: Allow, protocol: ICMP, destination: { ports: [80] } }] }'), 'ports need protocol TCP, UDP or SCTP'],
    ['an HTTP match on a Deny rule', np('{ ingress: [{ action: Deny, http: { methods: [GET] } }] }'), 'HTTP match is only valid on Allow rules'],
    ['an HTTP match on UDP', np('{ ingress: [{ action: Allow, protocol: UDP, http: { methods: [GET] } }] }'), 'must have protocol TCP or unset'],
    ['IPv4 and IPv6 in one rule', np('{ ingress: [{ action: Allow, source: { nets: [10.0.0.0/8, "fd00::/8"] } }] }'), 'mixes IPv4 and IPv6'],
    ['a bad CIDR', np('{ ingress: [{ action: Allow, source: { nets: [10.0.0.0/33] } }] }'), 'expected a prefix length from 0 to 32'],
    ['an unknown action', np('{ ingress: [{ action: Accept }] }'), 'expected Allow, Deny, Pass or Log, got "Accept"'],
    ['a reversed port range', np("{ ingress: [{ action: Allow, protocol: TCP, destination: { ports: ['90:80'] } }] }"), 'from <= to'],
    ['an unknown tier', np('{ tier: security }'), 'uses tier "security", but no Tier object of that name was given'],
    ['a namespaced GlobalNetworkPolicy', np('{}').replace('kind: NetworkPolicy', 'kind: GlobalNetworkPolicy'), 'is cluster-scoped; remove the namespace'],
    ['the default tier with Pass', '{ apiVersion: projectcalico.org/v3, kind: Tier, metadata: { name: default }, spec: { defaultAction: Pass } }', "the 'default' tier must have default action 'Deny'"],
  ])('fails for %s, naming file, object and field', (_, yaml, message) => {
    const msg = readError(yaml);
    expect(msg).toContain('calico.yaml, document 1');
    expect(msg).toContain(message);
  });

  test('fails for a Tier defined twice', () => {
    const tier = '{ apiVersion: projectcalico.org/v3, kind: Tier, metadata: { name: t }, spec: { order: 1 } }';
    expect(readError(`${tier}\n---\n${tier}`)).toContain('Tier t is defined twice');
  });

  describe('refuses what the analysis IR cannot express, rather than evaluating it wrongly', () => {
    test.each([
      ['a contains operator', np("{ selector: \"app contains 'we'\" }"), 'the "contains" operator on app'],
      ['a Service match', np('{ egress: [{ action: Allow, destination: { services: { name: api, namespace: shop } } }] }'), 'matching a Kubernetes Service\'s endpoints'],
      ['nets AND a selector in one rule', np("{ ingress: [{ action: Allow, source: { nets: [10.0.0.0/8], selector: app == 'x' } }] }"), 'an address condition (nets/notNets) AND an endpoint selector'],
      ['a source port on egress (the own endpoint\'s port)', np('{ egress: [{ action: Allow, protocol: TCP, source: { ports: [1234] } }] }'), 'spec.egress[0].source.ports: source ports'],
      ['a source port', np('{ ingress: [{ action: Allow, protocol: TCP, source: { ports: [1234] } }] }'), 'source ports'],
      ['an ipVersion-only rule', np('{ ingress: [{ action: Allow, ipVersion: 6 }] }'), 'limited to one IP version'],
      ['a service-account selector on other labels', np("{ serviceAccountSelector: \"team == 'ops'\" }"), 'knows service accounts by name only'],
      ['"every account but"', np("{ egress: [{ action: Allow, destination: { serviceAccounts: { selector: \"projectcalico.org/name != 'x'\" } } }] }"), 'every service account except x'],
      // Calico Open Source prunes destination.domains (the rule then allows every destination); Enterprise matches names.
      ['DNS names (Calico Enterprise destination.domains)', np('{ egress: [{ action: Allow, protocol: TCP, destination: { domains: [api.example.com], ports: [443] } }] }'),
        'spec.egress[0].destination.domains: domains is a Calico Enterprise / Cloud field'],
      ['excluding a named port', np('{ ingress: [{ action: Allow, protocol: TCP, destination: { notPorts: [http] } }] }'), 'excluding a named port'],
    ])('%s', (_, yaml, message) => {
      const msg = readError(yaml);
      expect(msg).toContain(message);
      expect(msg).toContain('the analyzer cannot evaluate this policy');
    });
  });
});
