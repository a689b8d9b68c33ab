import { ccnp, cnp } from './helpers';
import { ManifestError } from '../../../src/analysis/parse/manifest-error';
import { parsePolicies } from '../../../src/analysis/parse/parse-policies';
import { CILIUM_ALLOW_TIER, CILIUM_DENY_TIER } from '../../../src/analysis/translate/cilium-network-policy';
import { policiesFromYaml } from '../support/fixtures';

/** The ManifestError of reading `yaml`; fails when it reads fine. */
function readError(yaml: string): ManifestError {
  try {
    parsePolicies({ file: 'cilium.yaml', text: yaml });
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    return e as ManifestError;
  }
  throw new Error('expected a ManifestError');
}

/** A CNP in namespace shop whose only ingress rule is `rule`. */
const ingress = (rule: string) => cnp('shop', 'web', `{ endpointSelector: {}, ingress: [${rule}] }`);
const egress = (rule: string) => cnp('shop', 'web', `{ endpointSelector: {}, egress: [${rule}] }`);

describe('reading Cilium policies', () => {
  test('translates a rule into an allow-tier and a deny-tier policy with the object\'s reference', () => {
    const policies = policiesFromYaml(cnp('shop', 'web', `
  endpointSelector: { matchLabels: { app: web } }
  ingress: [{ fromEndpoints: [{ matchLabels: { app: api } }], toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }] }]
  ingressDeny: [{ fromCIDR: [10.0.0.0/8] }]
`));
    expect(policies.map((p) => [p.ref, p.tier, p.enforced])).toEqual([
      [{ kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'web' }, CILIUM_ALLOW_TIER, true],
      [{ kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'web' }, CILIUM_DENY_TIER, true],
    ]);
    expect(policies[0].subject).toEqual({ namespaces: { kind: 'names', names: ['shop'] }, pods: { op: 'in', key: 'app', values: ['web'] } });
    expect(policies[0].ingress).toEqual({
      isolates: true,
      rules: [{
        label: 'ingress[0]',
        action: 'allow',
        peers: [{ kind: 'pods', selection: { namespaces: { kind: 'names', names: ['shop'] }, pods: { op: 'in', key: 'app', values: ['api'] } } }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      }],
    });
    expect(policies[1].ingress?.isolates).toBe(false);
    expect(policies[1].ingress?.rules.map((r) => [r.label, r.action, r.peers?.[0].kind])).toEqual([['ingressDeny[0]', 'deny', 'ipBlock']]);
    expect(CILIUM_DENY_TIER.order).toBeLessThan(CILIUM_ALLOW_TIER.order);
  });

  test('a clusterwide policy has no namespace, and its subject spans every namespace', () => {
    const [p] = policiesFromYaml(ccnp('all', '{ endpointSelector: { matchLabels: { app: web } }, egress: [{}] }'));
    expect(p.ref).toEqual({ kind: 'CiliumClusterwideNetworkPolicy', name: 'all' });
    expect(p.subject).toEqual({ namespaces: { kind: 'selector', selector: { op: 'all' } }, pods: { op: 'in', key: 'app', values: ['web'] } });
  });

  test('egress named ports resolve cluster-wide, ingress ones against the pod; port "0" is every port', () => {
    const [p] = policiesFromYaml(cnp('shop', 'web', `{ endpointSelector: {},
      ingress: [{ toPorts: [{ ports: [{ port: http, protocol: TCP }, { port: "0", protocol: UDP }] }] }],
      egress: [{ toPorts: [{ ports: [{ port: http }] }] }] }`));
    expect(p.ingress?.rules[0].ports).toEqual([{ protocol: 'TCP', port: 'http' }, { protocol: 'UDP' }]);
    expect(p.egress?.rules[0].ports).toEqual([{ protocol: 'ANY', port: 'http', namedPortResolution: 'cluster' }]);
  });

  test('every error names the file, the document, the object and the field', () => {
    const error = readError(`${cnp('shop', 'ok', '{ endpointSelector: {}, ingress: [{}] }')}${ingress('{ fromEndpoints: [{ matchLabels: { app: web } }], fromCIDR: [10.0.0.0/8] }')}`);
    expect(error.file).toBe('cilium.yaml');
    expect(error.document).toBe(2);
    expect(error.fieldPath).toBe('spec.ingress[0]');
    expect(error.message).toMatch(/^cilium\.yaml, document 2 \(CiliumNetworkPolicy shop\/web\): spec\.ingress\[0\]: combines fromEndpoints and fromCIDR in one rule, which Cilium refuses/);
  });

  test.each([
    ['a typo in a field name', ingress('{ fromEndpoint: [{}] }'), 'spec.ingress[0].fromEndpoint', /unknown field "fromEndpoint"; did you mean "fromEndpoints"/],
    ['a wrong apiVersion', cnp('shop', 'web', '{ endpointSelector: {}, ingress: [{}] }').replace('cilium.io/v2', 'cilium.io/v1'), 'apiVersion', /expected "cilium\.io\/v2"/],
    ['no endpointSelector', cnp('shop', 'web', '{ ingress: [{}] }'), 'spec.endpointSelector', /required field is missing/],
    ['both selectors', ccnp('c', '{ endpointSelector: {}, nodeSelector: {}, ingress: [{}] }'), 'spec', /both endpointSelector and nodeSelector/],
    ['a nodeSelector in a namespaced policy', cnp('shop', 'web', '{ nodeSelector: {}, ingress: [{}] }'), 'spec.nodeSelector', /only allowed in a CiliumClusterwideNetworkPolicy/],
    ['two peer fields in one rule', egress('{ toEndpoints: [{}], toEntities: [world] }'), 'spec.egress[0]', /combines toEndpoints and toEntities.*Fix: write one rule per peer field/],
    ['an unknown entity', ingress('{ fromEntities: [internet] }'), 'spec.ingress[0].fromEntities[0]', /expected one of all, world, cluster/],
    ['a reserved label in a selector', ingress('{ fromEndpoints: [{ matchLabels: { "reserved:host": "" } }] }'), 'spec.ingress[0].fromEndpoints[0].matchLabels["reserved:host"]', /use fromEntities/],
    ['an unprefixed key that is also a reserved label', ingress('{ fromEndpoints: [{ matchExpressions: [{ key: world, operator: DoesNotExist }] }] }'), 'spec.ingress[0].fromEndpoints[0].matchExpressions[0].key', /write k8s:world/],
    ['a label source the model does not know', ingress('{ fromEndpoints: [{ matchLabels: { "container:app": web } }] }'), 'spec.ingress[0].fromEndpoints[0].matchLabels["container:app"]', /label source "container:"/],
    ['NotIn on the service account', ingress('{ fromEndpoints: [{ matchExpressions: [{ key: io.cilium.k8s.policy.serviceaccount, operator: NotIn, values: [a] }] }] }'), 'spec.ingress[0].fromEndpoints[0].matchExpressions[0]', /NotIn requirement on the service account/],
    ['a cluster name', ingress('{ fromEndpoints: [{ matchLabels: { "k8s:io.cilium.k8s.policy.cluster": east } }] }'), 'spec.ingress[0].fromEndpoints[0].matchLabels["k8s:io.cilium.k8s.policy.cluster"]', /cluster name/],
    ['In without values', ingress('{ fromEndpoints: [{ matchExpressions: [{ key: app, operator: In }] }] }'), 'spec.ingress[0].fromEndpoints[0].matchExpressions[0].values', /needs at least one value/],
    ['fromNodes', ingress('{ fromNodes: [{}] }'), 'spec.ingress[0].fromNodes', /nodes by their labels/],
    ['toServices', egress('{ toServices: [{ k8sService: { serviceName: api, namespace: shop } }] }'), 'spec.egress[0].toServices', /endpoints of Services/],
    ['toRequires', egress('{ toRequires: [{}] }'), 'spec.egress[0].toRequires', /removed in Cilium 1\.19/],
    ['toGroups', egress('{ toGroups: [{ aws: { region: eu } }] }'), 'spec.egress[0].toGroups', /cloud provider groups/],
    ['a CIDR group', egress('{ toCIDRSet: [{ cidrGroupRef: office }] }'), 'spec.egress[0].toCIDRSet[0].cidrGroupRef', /CiliumCIDRGroup/],
    ['an except outside its CIDR', egress('{ toCIDRSet: [{ cidr: 10.0.0.0/16, except: [10.1.0.0/24] }] }'), 'spec.egress[0].toCIDRSet[0].except[0]', /must lie inside cidr 10\.0\.0\.0\/16/],
    ['an IPv4 octet with a leading zero', egress('{ toCIDR: [010.0.0.0/8] }'), 'spec.egress[0].toCIDR[0]', /leading zero/],
    ['a CIDR without prefix in a CIDRSet', egress('{ toCIDRSet: [{ cidr: 10.0.0.1 }] }'), 'spec.egress[0].toCIDRSet[0].cidr', /prefix length is missing/],
    ['a port given as a number', ingress('{ toPorts: [{ ports: [{ port: 80 }] }] }'), 'spec.ingress[0].toPorts[0].ports[0].port', /quote it: "80"/],
    ['a port with a leading zero (octal to Cilium)', ingress('{ toPorts: [{ ports: [{ port: "080" }] }] }'), 'spec.ingress[0].toPorts[0].ports[0].port', /octal/],
    ['a lower-case protocol', ingress('{ toPorts: [{ ports: [{ port: "80", protocol: tcp }] }] }'), 'spec.ingress[0].toPorts[0].ports[0].protocol', /expected one of TCP, UDP, SCTP, ANY/],
    ['ICMP as a port protocol', ingress('{ toPorts: [{ ports: [{ port: "0", protocol: ICMP }] }] }'), 'spec.ingress[0].toPorts[0].ports[0].protocol', /expected one of/],
    ['a reversed range', ingress('{ toPorts: [{ ports: [{ port: "90", endPort: 80, protocol: TCP }] }] }'), 'spec.ingress[0].toPorts[0].ports[0].endPort', /greater than or equal to port 90/],
    ['a port rule without ports', ingress('{ toPorts: [{ rules: { http: [{}] } }] }'), 'spec.ingress[0].toPorts[0].ports', /lists no port/],
    ['too many ports', ingress(`{ toPorts: [{ ports: [${Array.from({ length: 41 }, (_, i) => `{ port: "${i + 1}", protocol: TCP }`).join(', ')}] }] }`), 'spec.ingress[0].toPorts[0].ports', /more than 40/],
    ['toPorts and icmps together', ingress('{ toPorts: [{ ports: [{ port: "80" }] }], icmps: [{ fields: [{ type: 8 }] }] }'), 'spec.ingress[0]', /both toPorts and icmps/],
    ['HTTP rules on UDP', ingress('{ toPorts: [{ ports: [{ port: "80", protocol: UDP }], rules: { http: [{}] } }] }'), 'spec.ingress[0].toPorts[0].ports', /HTTP rules need TCP/],
    ['HTTP rules on a port omitting the protocol (ANY)', ingress('{ toPorts: [{ ports: [{ port: "80" }], rules: { http: [{}] } }] }'), 'spec.ingress[0].toPorts[0].ports', /protocol ANY/],
    ['HTTP rules on every port', ingress('{ toPorts: [{ ports: [{ port: "0", protocol: TCP }], rules: { http: [{}] } }] }'), 'spec.ingress[0].toPorts[0].ports', /port "0"/],
    ['an empty http list', ingress('{ toPorts: [{ ports: [{ port: "80", protocol: TCP }], rules: { http: [] } }] }'), 'spec.ingress[0].toPorts[0].rules.http', /http: \[\{\}\]/],
    ['DNS rules on ingress', ingress('{ toPorts: [{ ports: [{ port: "53", protocol: UDP }], rules: { dns: [{ matchPattern: "*" }] } }] }'), 'spec.ingress[0].toPorts[0].rules.dns', /only allowed on egress/],
    ['Kafka rules', ingress('{ toPorts: [{ ports: [{ port: "9092", protocol: TCP }], rules: { kafka: [{ topic: t }] } }] }'), 'spec.ingress[0].toPorts[0].rules.kafka', /Kafka/],
    ['header conditions', ingress('{ toPorts: [{ ports: [{ port: "80", protocol: TCP }], rules: { http: [{ headers: ["X-Token: a"] }] } }] }'), 'spec.ingress[0].toPorts[0].rules.http[0].headers', /header conditions/],
    ['a lookahead in a path regex', ingress('{ toPorts: [{ ports: [{ port: "80", protocol: TCP }], rules: { http: [{ path: "/(?!admin).*" }] } }] }'), 'spec.ingress[0].toPorts[0].rules.http[0].path', /lookaround/],
    ['a backreference in a path regex', ingress('{ toPorts: [{ ports: [{ port: "80", protocol: TCP }], rules: { http: [{ path: "/(a)\\\\1" }] } }] }'), 'spec.ingress[0].toPorts[0].rules.http[0].path', /no backreferences/],
    ['a flag group in a method regex', ingress('{ toPorts: [{ ports: [{ port: "80", protocol: TCP }], rules: { http: [{ method: "(?i)get" }] } }] }'), 'spec.ingress[0].toPorts[0].rules.http[0].method', /flag group/],
    ['an unbalanced regex', ingress('{ toPorts: [{ ports: [{ port: "80", protocol: TCP }], rules: { http: [{ path: "/(a" }] } }] }'), 'spec.ingress[0].toPorts[0].rules.http[0].path', /unclosed "\("/],
    ['TLS interception', ingress('{ toPorts: [{ ports: [{ port: "443", protocol: TCP }], serverNames: [a.example] }] }'), 'spec.ingress[0].toPorts[0].serverNames', /TLS/],
    ['mutual authentication', ingress('{ fromEndpoints: [{}], authentication: { mode: required } }'), 'spec.ingress[0].authentication.mode', /mutual authentication/],
    ['an L7 field in a deny rule', cnp('shop', 'web', '{ endpointSelector: {}, ingressDeny: [{ toPorts: [{ ports: [{ port: "80" }], rules: { http: [{}] } }] }] }'), 'spec.ingressDeny[0].toPorts[0].rules', /unknown field "rules"/],
    ['toFQDNs in an egress deny rule', cnp('shop', 'web', '{ endpointSelector: {}, egressDeny: [{ toFQDNs: [{ matchName: a.example }] }] }'), 'spec.egressDeny[0].toFQDNs', /unknown field "toFQDNs"/],
    ['a toFQDNs "**." pattern, whose meaning depends on the Cilium version', egress('{ toFQDNs: [{ matchPattern: "**.example.com" }] }'), 'spec.egress[0].toFQDNs[0].matchPattern', /one or more labels from Cilium 1\.19.*exactly one label before/],
    ['a toFQDNs pattern with characters Cilium refuses', egress('{ toFQDNs: [{ matchPattern: "a+b.example.com" }] }'), 'spec.egress[0].toFQDNs[0].matchPattern', /only 0-9, a-z/],
    ['a toFQDNs entry with both forms', egress('{ toFQDNs: [{ matchName: a.example, matchPattern: "*.example" }] }'), 'spec.egress[0].toFQDNs[0]', /exactly one of matchName and matchPattern/],
    ['enableDefaultDeny that is not a boolean', cnp('shop', 'web', '{ endpointSelector: {}, enableDefaultDeny: { ingress: "yes" }, ingress: [{}] }'), 'spec.enableDefaultDeny.ingress', /expected true or false/],
  ])('rejects %s', (_what, yaml, field, message) => {
    const error = readError(yaml);
    expect(error.fieldPath).toBe(field);
    expect(error.problem).toMatch(message);
  });

  test('accepts what the Cilium dialect writes, and fields that only carry metadata', () => {
    expect(() => policiesFromYaml(cnp('shop', 'web', `
  description: anything
  labels: [{ key: team, value: shop, source: k8s }]
  log: { value: audit }
  endpointSelector: { matchLabels: { "k8s:io.kubernetes.pod.namespace": shop } }
  enableDefaultDeny: { ingress: true }
  ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: "k8s:io.kubernetes.pod.namespace", operator: Exists }] }], authentication: { mode: disabled } }]
`))).not.toThrow();
  });
});
