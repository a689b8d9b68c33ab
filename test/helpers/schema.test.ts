import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { CEL_RULES, normalizeCel, SKIPPED_CEL_RULES } from './cel-rules';
import { goPatternToJs, isCidr } from './k8s-ajv-vocabulary';
import { expectValidManifests, validateManifest } from './schema';
import { SCHEMAS_DIR, SCHEMA_CATALOG } from './schema-catalog';

/** A deep copy of `obj` with `value` set at JSON `pointer`, creating missing parents. */
function withValue(obj: any, pointer: string, value: unknown): any {
  const copy = structuredClone(obj);
  const keys = pointer.split('/').slice(1).map(k => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = copy;
  keys.slice(0, -1).forEach((k, i) => {
    if (node[k] === undefined) node[k] = /^\d+$/.test(keys[i + 1]) ? [] : {};
    node = node[k];
  });
  node[keys[keys.length - 1]] = value;
  return copy;
}

function manifest(apiVersion: string, kind: string, spec: any, namespace: string | null = 'shop'): any {
  return { apiVersion, kind, metadata: { name: 'zt-policy', ...(namespace ? { namespace } : {}) }, spec };
}

interface KindCase {
  /** The smallest object of this kind that the API server accepts. */
  readonly valid: any;
  /** A pointer below spec (or into metadata when spec has no nesting) where an unknown field is planted. */
  readonly nestedUnknown: string;
  /** A pointer and a value of the wrong type for it. */
  readonly wrongType: readonly [string, unknown];
}

const CALICO = 'projectcalico.org/v3';
const calicoRule = { action: 'Allow', protocol: 'TCP', destination: { ports: [8080] } };

const KIND_CASES: Record<string, KindCase> = {
  'networking.k8s.io/v1 NetworkPolicy': {
    valid: manifest('networking.k8s.io/v1', 'NetworkPolicy', {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 8080 }, { port: 'http', protocol: 'TCP' }] }],
    }),
    nestedUnknown: '/spec/ingress/0/from/0/ipBlock/cidrs',
    wrongType: ['/spec/podSelector/matchLabels', 'app=api'],
  },
  'cilium.io/v2 CiliumNetworkPolicy': {
    valid: manifest('cilium.io/v2', 'CiliumNetworkPolicy', { endpointSelector: {}, ingress: [{}] }),
    nestedUnknown: '/spec/ingress/0/fromEndpoint',
    wrongType: ['/spec/ingress', {}],
  },
  'cilium.io/v2 CiliumClusterwideNetworkPolicy': {
    valid: manifest('cilium.io/v2', 'CiliumClusterwideNetworkPolicy', {
      endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop' } },
      egress: [{ toCIDR: ['10.0.0.0/8'], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }],
    }, null),
    nestedUnknown: '/spec/egress/0/toPorts/0/ports/0/portt',
    wrongType: ['/spec/egress/0/toPorts/0/ports/0/protocol', 17],
  },
  'projectcalico.org/v3 NetworkPolicy': {
    valid: manifest(CALICO, 'NetworkPolicy', { selector: "app == 'api'", ingress: [calicoRule] }),
    nestedUnknown: '/spec/ingress/0/destination/port',
    wrongType: ['/spec/order', 'first'],
  },
  'projectcalico.org/v3 GlobalNetworkPolicy': {
    valid: manifest(CALICO, 'GlobalNetworkPolicy', { selector: 'all()', types: ['Ingress'], ingress: [calicoRule] }, null),
    nestedUnknown: '/spec/ingress/0/source/net',
    wrongType: ['/spec/ingress/0/source/nets', '10.0.0.0/8'],
  },
  'projectcalico.org/v3 NetworkSet': {
    valid: manifest(CALICO, 'NetworkSet', { nets: ['10.0.0.0/8'] }),
    nestedUnknown: '/metadata/label',
    wrongType: ['/spec/nets', '10.0.0.0/8'],
  },
  'projectcalico.org/v3 GlobalNetworkSet': {
    valid: manifest(CALICO, 'GlobalNetworkSet', { nets: ['10.0.0.0/8'] }, null),
    nestedUnknown: '/metadata/label',
    wrongType: ['/spec/nets/0', 10],
  },
  'projectcalico.org/v3 Tier': {
    valid: manifest(CALICO, 'Tier', { order: 100, defaultAction: 'Pass' }, null),
    nestedUnknown: '/metadata/annotation',
    wrongType: ['/spec/order', '100'],
  },
  'projectcalico.org/v3 StagedNetworkPolicy': {
    valid: manifest(CALICO, 'StagedNetworkPolicy', { selector: 'all()', egress: [{ action: 'Deny' }] }),
    nestedUnknown: '/spec/egress/0/destination/selectors',
    wrongType: ['/spec/egress/0/action', true],
  },
  'projectcalico.org/v3 StagedGlobalNetworkPolicy': {
    valid: manifest(CALICO, 'StagedGlobalNetworkPolicy', { selector: 'all()', ingress: [calicoRule] }, null),
    nestedUnknown: '/spec/ingress/0/http/method',
    wrongType: ['/spec/ingress/0/http/methods', 'GET'],
  },
  'projectcalico.org/v3 StagedKubernetesNetworkPolicy': {
    valid: manifest(CALICO, 'StagedKubernetesNetworkPolicy', { podSelector: {}, policyTypes: ['Ingress'] }),
    nestedUnknown: '/spec/podSelector/matchLabel',
    wrongType: ['/spec/podSelector', []],
  },
  'security.istio.io/v1 AuthorizationPolicy': {
    valid: manifest('security.istio.io/v1', 'AuthorizationPolicy', {
      selector: { matchLabels: { app: 'api' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { ports: ['8080'] } }] }],
    }),
    nestedUnknown: '/spec/rules/0/from/0/source/principal',
    wrongType: ['/spec/rules/0/to/0/operation/ports', ['8080', 8081]],
  },
  'security.istio.io/v1beta1 AuthorizationPolicy': {
    valid: manifest('security.istio.io/v1beta1', 'AuthorizationPolicy', {}),
    nestedUnknown: '/spec/selector/matchLabel',
    wrongType: ['/spec/rules', {}],
  },
  'security.istio.io/v1 PeerAuthentication': {
    valid: manifest('security.istio.io/v1', 'PeerAuthentication', { mtls: { mode: 'STRICT' } }),
    nestedUnknown: '/spec/mtls/mod',
    wrongType: ['/spec/mtls', 'STRICT'],
  },
  'security.istio.io/v1beta1 PeerAuthentication': {
    valid: manifest('security.istio.io/v1beta1', 'PeerAuthentication', { mtls: { mode: 'PERMISSIVE' } }),
    nestedUnknown: '/spec/mtls/mod',
    wrongType: ['/spec/mtls/mode', 1],
  },
  'gateway.networking.k8s.io/v1 Gateway': {
    valid: manifest('gateway.networking.k8s.io/v1', 'Gateway', {
      gatewayClassName: 'istio-waypoint',
      listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
    }),
    nestedUnknown: '/spec/listeners/0/allowedRoutes/namespace',
    wrongType: ['/spec/listeners/0/port', '15008'],
  },
};

const cnpSpec = {
  tier: 'Admin',
  priority: 10,
  subject: { namespaces: { matchLabels: { tenant: 'a' } } },
  egress: [{ name: 'no-metadata', action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }], protocols: [{ tcp: { destinationPort: { number: 80 } } }] }],
};
const anpSpec = {
  priority: 10,
  subject: { namespaces: {} },
  egress: [{ action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }], ports: [{ portNumber: { protocol: 'TCP', port: 80 } }] }],
};
const NPA_CASES: Record<string, KindCase> = {
  'policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy': {
    valid: manifest('policy.networking.k8s.io/v1alpha2', 'ClusterNetworkPolicy', cnpSpec, null),
    nestedUnknown: '/spec/egress/0/actions',
    wrongType: ['/spec/priority', '10'],
  },
  'policy.networking.k8s.io/v1beta1 ClusterNetworkPolicy': {
    valid: manifest('policy.networking.k8s.io/v1beta1', 'ClusterNetworkPolicy', cnpSpec, null),
    nestedUnknown: '/spec/subject/namespaces/matchLabel',
    wrongType: ['/spec/egress/0/protocols/0/tcp/destinationPort/number', '80'],
  },
  'policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy': {
    valid: manifest('policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy', anpSpec, null),
    nestedUnknown: '/spec/egress/0/ports/0/portNumber/number',
    wrongType: ['/spec/egress/0/to/0/networks', '169.254.169.254/32'],
  },
  'policy.networking.k8s.io/v1alpha1 BaselineAdminNetworkPolicy': {
    valid: { ...manifest('policy.networking.k8s.io/v1alpha1', 'BaselineAdminNetworkPolicy', { subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] }, null), metadata: { name: 'default' } },
    nestedUnknown: '/spec/ingress/0/from/0/namespaces/matchLabel',
    wrongType: ['/spec/ingress/0/action', 1],
  },
};

/** The channel-labelled form of an issue of a ClusterNetworkPolicy (validated against both release channels). */
function inEveryChannel(kind: string, issue: string): string[] {
  return kind.endsWith(' ClusterNetworkPolicy') ? [`${issue} [standard channel]`, `${issue} [experimental channel]`] : [issue];
}

const KIND_NAMES = [...Object.keys(KIND_CASES), ...Object.keys(NPA_CASES)];
Object.assign(KIND_CASES, NPA_CASES);

describe('validateManifest, for every supported kind', () => {
  test.each(KIND_NAMES)('accepts a minimal valid %s', name => {
    expect(validateManifest(KIND_CASES[name].valid)).toEqual([]);
  });

  test.each(KIND_NAMES)('rejects an unknown field directly under spec of a %s', name => {
    const bad = withValue(KIND_CASES[name].valid, '/spec/notAField', 'x');
    expect(validateManifest(bad)).toEqual(inEveryChannel(name, '/spec/notAField: unknown field (not in the schema)'));
  });

  test.each(KIND_NAMES)('rejects an unknown field nested deeper in a %s', name => {
    const { valid, nestedUnknown } = KIND_CASES[name];
    expect(validateManifest(withValue(valid, nestedUnknown, {}))).toEqual(inEveryChannel(name, `${nestedUnknown}: unknown field (not in the schema)`));
  });

  test.each(KIND_NAMES)('rejects a value of the wrong type in a %s', name => {
    const { valid, wrongType: [pointer, value] } = KIND_CASES[name];
    const errors = validateManifest(withValue(valid, pointer, value));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every(e => e.startsWith(pointer))).toBe(true);
  });

  test.each(KIND_NAMES)('rejects a %s whose metadata.name is not a DNS-1123 subdomain', name => {
    const bad = withValue(KIND_CASES[name].valid, '/metadata/name', 'Zero_Trust');
    // The one BaselineAdminNetworkPolicy of a cluster must also be called "default" (a CEL rule of its CRD).
    const singleton = name.endsWith(' BaselineAdminNetworkPolicy') ? [expect.stringContaining('metadata.name="default"')] : [];
    expect(validateManifest(bad)).toEqual([expect.stringMatching(/^\/metadata\/name: "Zero_Trust" is not a DNS-1123 subdomain/), ...singleton]);
  });

  test('covers every kind in the schema catalog', () => {
    const covered = new Set(KIND_NAMES.map(n => n.replace(/\/v[^ ]+ /, '/')));
    const catalog = Object.entries(SCHEMA_CATALOG).flatMap(([group, kinds]) => Object.keys(kinds).map(k => `${group}/${k}`));
    expect(catalog.filter(k => !covered.has(k))).toEqual([]);
  });

  test('does not modify the object it validates, even when CRD defaults apply', () => {
    const tier = manifest(CALICO, 'Tier', {}, null);
    const before = JSON.stringify(tier);
    expect(validateManifest(tier)).toEqual([]);
    expect(JSON.stringify(tier)).toBe(before);
  });
});

describe('validateManifest, for unsupported input', () => {
  test('rejects a kind that has no schema', () => {
    expect(validateManifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }))
      .toEqual([expect.stringMatching(/^\/apiVersion: unsupported kind ConfigMap in apiVersion v1/)]);
  });

  test('rejects a known kind under an API group that does not define it', () => {
    expect(validateManifest(manifest('cilium.io/v2', 'NetworkPolicy', {})))
      .toEqual([expect.stringContaining('unsupported kind NetworkPolicy in apiVersion cilium.io/v2')]);
  });

  test('rejects a known kind under a version its CRD does not serve', () => {
    expect(validateManifest(manifest('cilium.io/v3', 'CiliumNetworkPolicy', { endpointSelector: {}, ingress: [{}] })))
      .toEqual(['/apiVersion: cilium.io/CiliumNetworkPolicy: version "v3" is not served by the CRD (served: v2)']);
  });

  test('rejects a built-in kind under a version the OpenAPI document does not describe', () => {
    expect(validateManifest(manifest('networking.k8s.io/v1beta1', 'NetworkPolicy', {})))
      .toEqual([expect.stringContaining('version "v1beta1" is not described by the schema')]);
  });

  test('rejects an object without apiVersion or kind', () => {
    expect(validateManifest({ metadata: { name: 'x' } })).toEqual(['(root): apiVersion and kind must be non-empty strings']);
  });

  test('rejects something that is not an object', () => {
    expect(validateManifest([])).toEqual(['(root): a manifest must be an object, got []']);
  });
});

describe('validateManifest, for metadata', () => {
  const np = KIND_CASES['networking.k8s.io/v1 NetworkPolicy'].valid;
  const ccnp = KIND_CASES['cilium.io/v2 CiliumClusterwideNetworkPolicy'].valid;

  test('rejects an object without metadata.name', () => {
    expect(validateManifest(withValue(np, '/metadata', { namespace: 'shop' }))).toEqual(['/metadata/name: metadata.name is required']);
  });

  test('rejects a name longer than 253 characters', () => {
    expect(validateManifest(withValue(np, '/metadata/name', 'a'.repeat(254))))
      .toEqual([expect.stringContaining('is not a DNS-1123 subdomain')]);
  });

  test('accepts a dotted name of 253 characters', () => {
    expect(validateManifest(withValue(np, '/metadata/name', `${'a'.repeat(63)}.`.repeat(3) + 'b'.repeat(61)))).toEqual([]);
  });

  test('rejects a namespace that is not a DNS-1123 label', () => {
    expect(validateManifest(withValue(np, '/metadata/namespace', 'shop.prod')))
      .toEqual([expect.stringMatching(/^\/metadata\/namespace: "shop.prod" is not a DNS-1123 label/)]);
  });

  test('rejects a namespace on a cluster-scoped kind', () => {
    expect(validateManifest(withValue(ccnp, '/metadata/namespace', 'shop')))
      .toEqual(['/metadata/namespace: CiliumClusterwideNetworkPolicy is cluster-scoped and must not set metadata.namespace']);
  });

  test('rejects a label key with an invalid prefix or name part', () => {
    const bad = withValue(np, '/metadata/labels', { 'Example.com/app': 'a', 'app/': 'b', 'a/b/c': 'c' });
    expect(validateManifest(bad)).toEqual([
      expect.stringMatching(/^\/metadata\/labels\/Example.com~1app: labels key "Example.com\/app": prefix/),
      expect.stringMatching(/^\/metadata\/labels\/app~1: labels key "app\/": name part "" must be/),
      expect.stringMatching(/^\/metadata\/labels\/a~1b~1c: labels key "a\/b\/c": must be a qualified name/),
    ]);
  });

  test('rejects a label value that is too long or has invalid characters', () => {
    const bad = withValue(np, '/metadata/labels', { a: 'x'.repeat(64), b: 'has space' });
    expect(validateManifest(bad)).toHaveLength(2);
  });

  test('rejects a label value that is not a string on a CRD kind', () => {
    const errors = validateManifest(withValue(ccnp, '/metadata/labels', { tier: 1 }));
    expect(errors).toContain('/metadata/labels/tier: labels values must be strings, got number');
  });

  test('accepts prefixed label keys, empty label values and free-form annotation values', () => {
    const ok = withValue(np, '/metadata', {
      name: 'zt',
      namespace: 'shop',
      labels: { 'app.kubernetes.io/managed-by': 'cdk8s-zero-trust', 'empty': '' },
      annotations: { 'zero-trust.dev/intent': '{"allow": ["web -> api:8080"]}' },
    });
    expect(validateManifest(ok)).toEqual([]);
  });
});

describe('validateManifest, for Kubernetes schema conventions', () => {
  const np = KIND_CASES['networking.k8s.io/v1 NetworkPolicy'].valid;
  const cnp = KIND_CASES['cilium.io/v2 CiliumNetworkPolicy'].valid;

  test('rejects an IntOrString port that is neither an integer nor a string', () => {
    expect(validateManifest(withValue(np, '/spec/ingress/0/ports/0/port', true)))
      .toEqual(['/spec/ingress/0/ports/0/port: must be of type integer or string (got true)']);
  });

  test('rejects a missing required field of a built-in type even though its OpenAPI schema declares a default', () => {
    expect(validateManifest(withValue(np, '/spec/ingress/0/from/0/ipBlock', { except: [] })))
      .toEqual(['/spec/ingress/0/from/0/ipBlock/cidr: required field is missing']);
  });

  test('rejects a Cilium policy that selects neither endpoints nor nodes', () => {
    expect(validateManifest(manifest('cilium.io/v2', 'CiliumNetworkPolicy', { ingress: [{}] })))
      .toEqual(['/spec: exactly one of [endpointSelector, nodeSelector] must be set']);
  });

  test('rejects a Cilium policy without any ingress or egress section', () => {
    expect(validateManifest(manifest('cilium.io/v2', 'CiliumNetworkPolicy', { endpointSelector: {} })))
      .toEqual(['/spec: at least one of [ingress, ingressDeny, egress, egressDeny] must be set']);
  });

  test('rejects a malformed CIDR where the schema declares format cidr', () => {
    const bad = withValue(cnp, '/spec/ingress/0/fromCIDR', ['10.0.0.0/33', '010.0.0.0/8', '10.0.0.0']);
    expect(validateManifest(bad)).toEqual([0, 1, 2].map(i => expect.stringMatching(new RegExp(`^/spec/ingress/0/fromCIDR/${i}: must match format "cidr"`))));
  });

  test('rejects a control character where Cilium uses the Go pattern ^\\PC*$', () => {
    expect(validateManifest(withValue(cnp, '/spec/log/value', 'tab\there')))
      .toEqual([expect.stringMatching(/^\/spec\/log\/value: must match pattern/)]);
    expect(validateManifest(withValue(cnp, '/spec/log/value', 'zero-trust: web->api'))).toEqual([]);
  });

  test('rejects an enum value outside the allowed set', () => {
    expect(validateManifest(withValue(KIND_CASES['security.istio.io/v1 PeerAuthentication'].valid, '/spec/mtls/mode', 'strict')))
      .toEqual(['/spec/mtls/mode: must be one of "UNSET", "DISABLE", "PERMISSIVE", "STRICT" (got "strict")']);
  });

  test('rejects duplicate entries in a list-type=set list', () => {
    const gnp = KIND_CASES['projectcalico.org/v3 GlobalNetworkPolicy'].valid;
    expect(validateManifest(withValue(gnp, '/spec/types', ['Ingress', 'Ingress'])))
      .toEqual(['/spec/types: duplicate entry in a list-type=set list (same as item 0)']);
  });

  test('rejects a Calico policy without spec, which the CRD requires', () => {
    const { spec: _spec, ...noSpec } = KIND_CASES['projectcalico.org/v3 NetworkPolicy'].valid;
    expect(validateManifest(noSpec)).toEqual(['/spec: required field is missing']);
  });

  test('rejects a Gateway without gatewayClassName or listeners', () => {
    expect(validateManifest(manifest('gateway.networking.k8s.io/v1', 'Gateway', {}))).toEqual([
      '/spec/gatewayClassName: required field is missing',
      '/spec/listeners: required field is missing',
    ]);
  });
});

describe('validateManifest, for the NetworkPolicy checks kube-apiserver runs in Go', () => {
  const np = (spec: any) => manifest('networking.k8s.io/v1', 'NetworkPolicy', { podSelector: {}, ...spec });
  const ingressPorts = (...ports: any[]) => np({ ingress: [{ ports }] });
  const ingressFrom = (...from: any[]) => np({ ingress: [{ from }] });

  test('accepts port ranges, named ports, ipBlock exceptions and set-based selectors', () => {
    expect(validateManifest(np({
      podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'web'] }, { key: 'canary', operator: 'DoesNotExist' }] },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ port: 8000, endPort: 8100 }, { port: 'http-alt', protocol: 'SCTP' }] }],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.96.0.0/12', '10.0.0.1/32'] } }, { ipBlock: { cidr: 'fd00::/8', except: ['fd00:1::/32'] } }] }],
    }))).toEqual([]);
  });

  test('rejects port numbers outside 1-65535', () => {
    expect(validateManifest(ingressPorts({ port: 0 }, { port: 65536 }))).toEqual([
      '/spec/ingress/0/ports/0/port: must be between 1 and 65535, inclusive',
      '/spec/ingress/0/ports/1/port: must be between 1 and 65535, inclusive',
    ]);
  });

  test('rejects a named port that is not an IANA service name', () => {
    expect(validateManifest(ingressPorts({ port: 'HTTP' }, { port: 'metrics-endpoint1' }, { port: '8080' }))).toEqual([
      '/spec/ingress/0/ports/0/port: port name "HTTP" must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      '/spec/ingress/0/ports/1/port: port name "metrics-endpoint1" must be no more than 15 characters',
      '/spec/ingress/0/ports/2/port: port name "8080" must contain at least one letter (a-z)',
    ]);
  });

  test('rejects an endPort below port, after a named port, or without a port', () => {
    expect(validateManifest(ingressPorts({ port: 9000, endPort: 8000 }, { port: 'http', endPort: 90 }, { endPort: 90 }))).toEqual([
      '/spec/ingress/0/ports/0/endPort: must be greater than or equal to `port`',
      '/spec/ingress/0/ports/1/endPort: may not be specified when `port` is non-numeric',
      '/spec/ingress/0/ports/2/endPort: may not be specified when `port` is not specified',
    ]);
  });

  test('rejects a protocol other than TCP, UDP or SCTP', () => {
    expect(validateManifest(ingressPorts({ protocol: 'ICMP' })))
      .toEqual(['/spec/ingress/0/ports/0/protocol: Unsupported value "ICMP": supported values: "TCP", "UDP", "SCTP"']);
  });

  test('rejects an empty peer and an ipBlock combined with a selector', () => {
    expect(validateManifest(ingressFrom({}, { ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} }))).toEqual([
      '/spec/ingress/0/from/0: must specify a peer',
      '/spec/ingress/0/from/1: may not specify both ipBlock and another peer',
    ]);
  });

  test('rejects an invalid ipBlock CIDR', () => {
    expect(validateManifest(ingressFrom({ ipBlock: { cidr: '10.0.0.0' } })))
      .toEqual([expect.stringMatching(/^\/spec\/ingress\/0\/from\/0\/ipBlock\/cidr: "10.0.0.0" must be a valid CIDR value/)]);
  });

  test('rejects an except entry that is not a strict subset of the cidr', () => {
    const errors = validateManifest(ingressFrom({ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.0.0/16', '192.168.0.0/24', '10.0.0.0/8', 'fd00::/64'] } }));
    expect(errors).toEqual([0, 1, 2, 3].map(i => expect.stringMatching(new RegExp(`^/spec/ingress/0/from/0/ipBlock/except/${i}: ".*" must be a strict subset of \`cidr\`$`))));
  });

  test('rejects unknown or too many policyTypes', () => {
    expect(validateManifest(np({ policyTypes: ['Ingres'] })))
      .toEqual(['/spec/policyTypes/0: Unsupported value "Ingres": supported values: "Ingress", "Egress"']);
    expect(validateManifest(np({ policyTypes: ['Ingress', 'Egress', 'Ingress'] })))
      .toEqual(['/spec/policyTypes: may not specify more than two policyTypes']);
  });

  test('rejects label selectors with a bad operator, missing values or unexpected values', () => {
    expect(validateManifest(ingressFrom({
      podSelector: {
        matchLabels: { 'app/': 'web' },
        matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }, { key: 'b', operator: 'In' }, { key: 'c', operator: 'Exists', values: ['y'] }],
      },
    }))).toEqual([
      expect.stringMatching(/^\/spec\/ingress\/0\/from\/0\/podSelector\/matchLabels\/app~1: label key "app\/"/),
      '/spec/ingress/0/from/0/podSelector/matchExpressions/0/operator: "Equals" is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)',
      "/spec/ingress/0/from/0/podSelector/matchExpressions/1/values: must be specified when `operator` is 'In' or 'NotIn'",
      "/spec/ingress/0/from/0/podSelector/matchExpressions/2/values: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    ]);
  });
});

describe('goPatternToJs and isCidr', () => {
  test('translates one-letter Unicode classes and leaves escaped backslashes alone', () => {
    expect(goPatternToJs('^\\PC*$')).toBe('^\\P{C}*$');
    expect(goPatternToJs('\\pL\\pN')).toBe('\\p{L}\\p{N}');
    expect(goPatternToJs('\\\\pL')).toBe('\\\\pL');
    expect(goPatternToJs('\\p{Lu}')).toBe('\\p{Lu}');
  });

  test('accepts IPv4 and IPv6 CIDRs the way Go net.ParseCIDR does', () => {
    expect(['10.0.0.0/8', '10.1.2.3/8', '0.0.0.0/0', '::/0', 'fd00::/8', '2001:db8::1/128'].filter(c => !isCidr(c))).toEqual([]);
    expect(['10.0.0.0', '10.0.0.0/33', '010.0.0.0/8', '10.0.0/8', 'fd00::/129', '10.0.0.0/08', 'fe80::1%eth0/64', ''].filter(isCidr)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// CEL rules: one conforming and one violating object per implemented rule.

const ap = (spec: any) => manifest('security.istio.io/v1', 'AuthorizationPolicy', spec);
const pa = (spec: any) => manifest('security.istio.io/v1', 'PeerAuthentication', spec);
const cnp = (spec: any) => manifest(CALICO, 'NetworkPolicy', { selector: 'all()', ...spec });
const gnp = (spec: any) => manifest(CALICO, 'GlobalNetworkPolicy', { selector: 'all()', ...spec }, null);
const tier = (name: string, spec: any) => ({ ...manifest(CALICO, 'Tier', spec, null), metadata: { name } });
const gw = (...listeners: any[]) => manifest('gateway.networking.k8s.io/v1', 'Gateway', { gatewayClassName: 'istio', listeners });
const waypoint = { name: 'mesh', port: 15008, protocol: 'HBONE' };
const cert = { certificateRefs: [{ name: 'tls-cert' }] };

interface CelCase {
  /** The `message` of the rule in CEL_RULES. */
  readonly message: string;
  readonly passes: any;
  readonly fails: any;
  /** JSON pointer the violation is reported at. */
  readonly at: string;
}

const clusterPolicy = (spec: any) => manifest('policy.networking.k8s.io/v1alpha2', 'ClusterNetworkPolicy', { tier: 'Admin', priority: 1, subject: { namespaces: {} }, ...spec }, null);
const cnpRange = (start: number, end: number) => clusterPolicy({ ingress: [{ action: 'Accept', from: [{ namespaces: {} }], protocols: [{ udp: { destinationPort: { range: { start, end } } } }] }] });
const anp = (spec: any) => manifest('policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy', { priority: 1, subject: { namespaces: {} }, ...spec }, null);

const CEL_CASES: readonly CelCase[] = [
  {
    message: 'Start port must be less than End port',
    passes: cnpRange(1000, 2000),
    fails: cnpRange(2000, 2000),
    at: '/spec/ingress/0/protocols/0/udp/destinationPort/range',
  },
  {
    message: 'Invalid CIDR format provided',
    passes: clusterPolicy({ egress: [{ action: 'Deny', to: [{ networks: ['10.0.0.0/8', 'fd00::/8'] }] }] }),
    fails: clusterPolicy({ egress: [{ action: 'Deny', to: [{ networks: ['10.0.0.0/8', '10.0.0.0'] }] }] }),
    at: '/spec/egress/0/to/0/networks/1',
  },
  {
    message: 'Invalid CIDR format provided',
    passes: anp({ egress: [{ action: 'Deny', to: [{ networks: ['192.168.0.1/24'] }] }] }),
    fails: anp({ egress: [{ action: 'Deny', to: [{ networks: ['192.168.0.0/33'] }] }] }),
    at: '/spec/egress/0/to/0/networks/0',
  },
  {
    message: 'networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames',
    passes: clusterPolicy({ egress: [{ action: 'Accept', to: [{ namespaces: {} }], protocols: [{ destinationNamedPort: 'http' }] }] }),
    fails: clusterPolicy({ egress: [{ action: 'Accept', to: [{ namespaces: {} }, { networks: ['10.0.0.0/8'] }], protocols: [{ destinationNamedPort: 'http' }] }] }),
    at: '/spec/egress/0',
  },
  {
    message: 'Only one baseline admin network policy with metadata.name="default" can be created in the cluster',
    passes: { ...manifest('policy.networking.k8s.io/v1alpha1', 'BaselineAdminNetworkPolicy', { subject: { namespaces: {} } }, null), metadata: { name: 'default' } },
    fails: manifest('policy.networking.k8s.io/v1alpha1', 'BaselineAdminNetworkPolicy', { subject: { namespaces: {} } }, null),
    at: '(root)',
  },
  {
    message: 'only one of targetRefs or selector can be set',
    passes: ap({ targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }] }),
    fails: ap({ selector: { matchLabels: { app: 'api' } }, targetRefs: [{ kind: 'Gateway', name: 'waypoint' }] }),
    at: '/spec',
  },
  {
    message: 'Cannot set serviceAccounts with namespaces or principals',
    passes: ap({ rules: [{ from: [{ source: { serviceAccounts: ['shop/web'] } }] }] }),
    fails: ap({ rules: [{ from: [{ source: { serviceAccounts: ['shop/web'], namespaces: ['shop'] } }] }] }),
    at: '/spec/rules/0/from/0/source',
  },
  {
    message: 'cross namespace referencing is not currently supported',
    passes: ap({ targetRef: { kind: 'Service', name: 'api', namespace: '' } }),
    fails: ap({ targetRef: { kind: 'Service', name: 'api', namespace: 'other' } }),
    at: '/spec/targetRef/namespace',
  },
  {
    message: 'cross namespace referencing is not currently supported',
    passes: ap({ targetRefs: [{ kind: 'Service', name: 'api' }] }),
    fails: ap({ targetRefs: [{ kind: 'Service', name: 'api' }, { kind: 'Service', name: 'db', namespace: 'other' }] }),
    at: '/spec/targetRefs/1/namespace',
  },
  {
    message: 'wildcard not allowed in label key match',
    passes: ap({ selector: { matchLabels: { 'app.kubernetes.io/name': 'api' } } }),
    fails: ap({ selector: { matchLabels: { 'app*': 'api' } } }),
    at: '/spec/selector/matchLabels',
  },
  {
    message: 'key must not be empty',
    passes: pa({ selector: { matchLabels: { app: 'api' } } }),
    fails: pa({ selector: { matchLabels: { '': 'api' } } }),
    at: '/spec/selector/matchLabels',
  },
  {
    message: 'wildcard not allowed in label value match',
    passes: pa({ selector: { matchLabels: { app: 'api-v1' } } }),
    fails: pa({ selector: { matchLabels: { app: 'api-*' } } }),
    at: '/spec/selector/matchLabels/app',
  },
  {
    message: 'portLevelMtls requires selector',
    passes: pa({ selector: { matchLabels: { app: 'api' } }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } }),
    fails: pa({ selector: { matchLabels: {} }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } }),
    at: '/spec',
  },
  {
    message: 'port must be between 1-65535',
    passes: pa({ selector: { matchLabels: { app: 'api' } }, portLevelMtls: { 65535: { mode: 'DISABLE' } } }),
    fails: pa({ selector: { matchLabels: { app: 'api' } }, portLevelMtls: { 0: { mode: 'DISABLE' }, http: { mode: 'DISABLE' } } }),
    at: '/spec/portLevelMtls',
  },
  {
    message: 'rules with HTTP match must have protocol TCP or unset',
    passes: cnp({ ingress: [{ action: 'Allow', protocol: 6, http: { methods: ['GET'] } }] }),
    fails: cnp({ ingress: [{ action: 'Allow', protocol: 'UDP', http: { methods: ['GET'] } }] }),
    at: '/spec/ingress/0',
  },
  {
    message: 'HTTP match is only valid on Allow rules',
    passes: cnp({ egress: [{ action: 'Allow', http: { paths: [{ prefix: '/api' }] } }] }),
    fails: cnp({ egress: [{ action: 'Deny', http: { paths: [{ prefix: '/api' }] } }] }),
    at: '/spec/egress/0',
  },
  {
    message: 'ports and notPorts cannot be specified with services',
    passes: cnp({ egress: [{ action: 'Allow', destination: { services: { name: 'api', namespace: 'shop' } } }] }),
    fails: cnp({ egress: [{ action: 'Allow', destination: { services: { name: 'api', namespace: 'shop' }, ports: [8080] } }] }),
    at: '/spec/egress/0',
  },
  {
    message: 'ICMP code specified without an ICMP type',
    passes: cnp({ ingress: [{ action: 'Allow', protocol: 'ICMP', icmp: { type: 8, code: 0 } }] }),
    fails: cnp({ ingress: [{ action: 'Allow', protocol: 'ICMP', notICMP: { code: 0 } }] }),
    at: '/spec/ingress/0/notICMP',
  },
  {
    message: 'preDNAT and doNotTrack cannot both be true',
    passes: gnp({ preDNAT: true, applyOnForward: true }),
    fails: gnp({ preDNAT: true, doNotTrack: true, applyOnForward: true }),
    at: '/spec',
  },
  {
    message: 'preDNAT policy cannot have any egress rules',
    passes: gnp({ preDNAT: true, applyOnForward: true, egress: [] }),
    fails: gnp({ preDNAT: true, applyOnForward: true, egress: [{ action: 'Allow' }] }),
    at: '/spec',
  },
  {
    message: "preDNAT policy cannot have 'Egress' type",
    passes: gnp({ preDNAT: true, applyOnForward: true, types: ['Ingress'] }),
    fails: gnp({ preDNAT: true, applyOnForward: true, types: ['Ingress', 'Egress'] }),
    at: '/spec',
  },
  {
    message: 'applyOnForward must be true if either preDNAT or doNotTrack is true',
    passes: gnp({ doNotTrack: true, applyOnForward: true }),
    fails: gnp({ doNotTrack: true }),
    at: '/spec',
  },
  {
    message: "The 'kube-admin' tier must have default action 'Pass'",
    passes: tier('kube-admin', { order: 1000, defaultAction: 'Pass' }),
    // defaultAction defaults to Deny, as on the server
    fails: tier('kube-admin', { order: 1000 }),
    at: '(root)',
  },
  {
    message: "The 'kube-baseline' tier must have default action 'Pass'",
    passes: tier('kube-baseline', { defaultAction: 'Pass' }),
    fails: tier('kube-baseline', { defaultAction: 'Deny' }),
    at: '(root)',
  },
  {
    message: "The 'default' tier must have default action 'Deny'",
    passes: tier('default', {}),
    fails: tier('default', { defaultAction: 'Pass' }),
    at: '(root)',
  },
  {
    message: "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
    passes: gw({ name: 'web', port: 80, protocol: 'HTTP' }),
    fails: gw({ name: 'web', port: 80, protocol: 'HTTP', tls: cert }),
    at: '/spec/listeners',
  },
  {
    message: 'tls mode must be Terminate for protocol HTTPS',
    passes: gw({ name: 'web', port: 443, protocol: 'HTTPS', tls: cert }),
    fails: gw({ name: 'web', port: 443, protocol: 'HTTPS', tls: { mode: 'Passthrough' } }),
    at: '/spec/listeners',
  },
  {
    message: 'tls mode must be set for protocol TLS',
    passes: gw({ name: 'tls', port: 443, protocol: 'TLS', tls: { mode: 'Passthrough' } }),
    fails: gw({ name: 'tls', port: 443, protocol: 'TLS' }),
    at: '/spec/listeners',
  },
  {
    message: "hostname must not be specified for protocols ['TCP', 'UDP']",
    passes: gw(waypoint, { name: 'db', port: 5432, protocol: 'TCP' }),
    fails: gw(waypoint, { name: 'db', port: 5432, protocol: 'TCP', hostname: 'db.example.com' }),
    at: '/spec/listeners',
  },
  {
    message: 'Listener name must be unique within the Gateway',
    passes: gw(waypoint, { ...waypoint, name: 'mesh-2', port: 15009 }),
    fails: gw(waypoint, { ...waypoint, port: 15009 }),
    at: '/spec/listeners',
  },
  {
    message: 'Combination of port, protocol and hostname must be unique for each listener',
    passes: gw({ name: 'a', port: 80, protocol: 'HTTP', hostname: 'a.example.com' }, { name: 'b', port: 80, protocol: 'HTTP' }),
    fails: gw(waypoint, { ...waypoint, name: 'mesh-2' }),
    at: '/spec/listeners',
  },
  {
    message: 'certificateRefs or options must be specified when mode is Terminate',
    passes: gw({ name: 'web', port: 443, protocol: 'HTTPS', tls: { options: { 'example.com/key': 'v' } } }),
    // mode defaults to Terminate
    fails: gw({ name: 'web', port: 443, protocol: 'HTTPS', tls: {} }),
    at: '/spec/listeners/0/tls',
  },
];

describe('CEL rules', () => {
  const errorFor = (c: CelCase) => `${c.at}: ${c.message} (CEL: ${CEL_RULES.find(r => r.message === c.message)!.rule})`;
  // ClusterNetworkPolicy issues carry the release channel they were found in.
  const isError = (e: string, c: CelCase) => e === errorFor(c) || e.startsWith(`${errorFor(c)} [`);

  test.each(CEL_CASES)('passes an object that satisfies "$message" (at $at)', c => {
    expect(validateManifest(c.passes)).toEqual([]);
  });

  test.each(CEL_CASES)('rejects an object that breaks "$message" (at $at)', c => {
    const errors = validateManifest(c.fails);
    expect(errors.some(e => isError(e, c))).toBe(true);
    // Only the rule under test (and, for duplicate listener names, the list-type=map check) may fire.
    expect(errors.filter(e => !isError(e, c) && !e.includes('list-type=map'))).toEqual([]);
  });

  test('checks a rule of the experimental channel only there', () => {
    const named = clusterPolicy({ egress: [{ action: 'Accept', to: [{ networks: ['10.0.0.0/8'] }], protocols: [{ destinationNamedPort: 'http' }] }] });
    expect(validateManifest(named).map(e => e.replace(/ \(CEL: .*\)/, ''))).toEqual([
      '/spec/egress/0: networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames [experimental channel]',
    ]);
  });

  test('every implemented rule has a passing and a failing case', () => {
    const tested = new Set(CEL_CASES.map(c => c.message));
    expect(CEL_RULES.map(r => r.message).filter(m => !tested.has(m))).toEqual([]);
  });
});

describe('CEL rule table against the CRD files', () => {
  type Found = { group: string; kind: string; version: string; path: string; rule: string };

  /** Every x-kubernetes-validations rule in a CRD, with its path in the rule-table syntax. */
  function celRulesInCrd(file: string): Found[] {
    const crd = parseYaml(fs.readFileSync(path.join(SCHEMAS_DIR, file), 'utf8'));
    const found: Found[] = [];
    const walk = (node: any, at: string) => {
      if (!node || typeof node !== 'object') return;
      for (const v of node['x-kubernetes-validations'] ?? []) {
        found.push({ group: crd.spec.group, kind: crd.spec.names.kind, version: '', path: at, rule: normalizeCel(v.rule) });
      }
      const join = (seg: string) => (at === '' ? seg : `${at}.${seg}`);
      for (const [k, child] of Object.entries(node.properties ?? {})) {
        if (at !== '' || k !== 'status') walk(child, join(k));
      }
      if (node.items) walk(node.items, `${at}[]`);
      if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${at}{}`);
    };
    for (const version of crd.spec.versions.filter((v: any) => v.served)) {
      const before = found.length;
      walk(version.schema.openAPIV3Schema, '');
      found.slice(before).forEach(f => (f.version = version.name));
    }
    return found;
  }

  const covered = ['security.istio.io', 'projectcalico.org', 'gateway.networking.k8s.io', 'policy.networking.k8s.io'];
  const inCrds = covered.flatMap(group => Object.values(SCHEMA_CATALOG[group])
    .flatMap(s => [s.file, ...(s.format === 'crd' ? s.channels ?? [] : [])].flatMap(celRulesInCrd)));
  const key = (group: string, kind: string, p: string, rule: string) => `${group} ${kind} ${p} ${normalizeCel(rule)}`;
  const crdKeys = new Set(inCrds.map(f => key(f.group, f.kind, f.path, f.rule)));
  const expand = (r: { group: string; kinds: readonly string[]; paths: readonly string[]; rule: string }) =>
    r.kinds.flatMap(kind => r.paths.map(p => key(r.group, kind, p, r.rule)));

  test('finds the CEL rules in the covered CRDs', () => {
    expect(inCrds.length).toBeGreaterThan(50);
  });

  test('every implemented rule is still in its CRD, verbatim, at every declared path', () => {
    expect(CEL_RULES.flatMap(expand).filter(k => !crdKeys.has(k))).toEqual([]);
  });

  test('every skipped rule is still in its CRD, verbatim, at every declared path', () => {
    expect(SKIPPED_CEL_RULES.flatMap(expand).filter(k => !crdKeys.has(k))).toEqual([]);
  });

  test('every CEL rule of every served version of a covered CRD is implemented or listed as skipped', () => {
    const known = new Set([...CEL_RULES, ...SKIPPED_CEL_RULES].flatMap(expand));
    const unknown = inCrds.filter(f => !known.has(key(f.group, f.kind, f.path, f.rule)));
    expect(unknown.map(f => `${f.kind} ${f.version} ${f.path}: ${f.rule}`)).toEqual([]);
  });
});

describe('expectValidManifests', () => {
  test('passes for a list of valid objects of different kinds', () => {
    expect(() => expectValidManifests(KIND_NAMES.map(n => KIND_CASES[n].valid))).not.toThrow();
  });

  test('fails with the kind, name, pointer and message of every problem in every invalid object', () => {
    const objs = [
      KIND_CASES['cilium.io/v2 CiliumNetworkPolicy'].valid,
      withValue(KIND_CASES['cilium.io/v2 CiliumNetworkPolicy'].valid, '/spec/ingress/0/fromEndpoint', {}),
      withValue(ap({ action: 'DENY' }), '/metadata/name', 'Bad'),
    ];
    let message = '';
    try {
      expectValidManifests(objs);
    } catch (e) {
      message = (e as Error).message;
    }
    const lines = message.split('\n');
    expect(lines[0]).toBe('2 of 3 manifests are invalid:');
    expect(lines[1]).toBe('  [1] CiliumNetworkPolicy shop/zt-policy: /spec/ingress/0/fromEndpoint: unknown field (not in the schema)');
    expect(lines[2]).toMatch(/^ {2}\[2\] AuthorizationPolicy shop\/Bad: \/metadata\/name: "Bad" is not a DNS-1123 subdomain/);
    expect(lines).toHaveLength(3);
  });

  test('rejects an argument that is not an array', () => {
    expect(() => expectValidManifests({} as any)).toThrow('expects an array');
  });
});
