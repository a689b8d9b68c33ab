import { ClusterModel, evaluate, Flow, ipEndpoint, podEndpoint, parsePolicies } from '../../../src/analysis';
import { errorOf } from '../../helpers/synth';

/** production: backend (sa backend, app=backend-api), frontend (sa frontend), other (sa other); monitoring: prometheus. */
const cluster = ClusterModel.create({
  namespaces: [{ name: 'production' }, { name: 'monitoring' }],
  pods: [
    { namespace: 'production', name: 'backend', labels: { app: 'backend-api' }, serviceAccountName: 'backend', ips: ['10.0.0.10'], ports: [{ port: 8080, protocol: 'TCP' }] },
    { namespace: 'production', name: 'frontend', labels: { app: 'frontend' }, serviceAccountName: 'frontend', ips: ['10.0.0.11'] },
    { namespace: 'production', name: 'other', labels: { app: 'other' }, serviceAccountName: 'other', ips: ['10.0.0.12'] },
    { namespace: 'monitoring', name: 'prometheus', labels: { app: 'prometheus' }, serviceAccountName: 'prometheus', ips: ['10.0.1.10'] },
  ],
});

const SEED = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: backend-api-policy, namespace: production }
spec:
  selector: { matchLabels: { app: backend-api } }
  action: ALLOW
  rules:
  - from: [{ source: { principals: ['cluster.local/ns/production/sa/frontend'] } }]
    to: [{ operation: { methods: ['GET', 'POST'], paths: ['/api/v1/*'], ports: ['8080'] } }]
  - from: [{ source: { principals: ['cluster.local/ns/monitoring/sa/prometheus'] } }]
    to: [{ operation: { methods: ['GET'], paths: ['/metrics'] } }]
`;

function flow(from: string, to: string, extra: Partial<Flow> = {}): Flow {
  const end = (x: string) => (x.includes('/') ? podEndpoint(x.split('/')[0], x.split('/')[1]) : ipEndpoint(x));
  return { source: end(from), destination: end(to), port: 8080, protocol: 'TCP', mesh: { mtls: true }, ...extra };
}

function allowed(yaml: string, f: Flow): boolean {
  return evaluate(cluster, parsePolicies({ file: 'istio.yaml', text: yaml }), f).allowed;
}

describe('Istio AuthorizationPolicy in the analyzer', () => {
  test('the seed policy: principals AND method AND path, the query string ignored', () => {
    expect(allowed(SEED, flow('production/frontend', 'production/backend', { http: { method: 'GET', path: '/api/v1/orders?page=2' } }))).toBe(true);
    expect(allowed(SEED, flow('production/frontend', 'production/backend', { http: { method: 'DELETE', path: '/api/v1/orders' } }))).toBe(false);
    expect(allowed(SEED, flow('production/frontend', 'production/backend', { http: { method: 'GET', path: '/api/v2' } }))).toBe(false);
    expect(allowed(SEED, flow('monitoring/prometheus', 'production/backend', { http: { method: 'GET', path: '/metrics?x' } }))).toBe(true);
    expect(allowed(SEED, flow('monitoring/prometheus', 'production/backend', { http: { method: 'GET', path: '/metrics/x' } }))).toBe(false);
    expect(allowed(SEED, flow('production/other', 'production/backend', { http: { method: 'GET', path: '/api/v1/x' } }))).toBe(false);
  });

  test('identities need mTLS: a plaintext client matches no principal', () => {
    expect(allowed(SEED, flow('production/frontend', 'production/backend', { mesh: { mtls: false }, http: { method: 'GET', path: '/api/v1/x' } }))).toBe(false);
  });

  test('an ALLOW rule with HTTP fields does not match plain TCP; a DENY rule with them does', () => {
    expect(allowed(SEED, flow('production/frontend', 'production/backend'))).toBe(false);
    const deny = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: deny-admin, namespace: production }
spec:
  action: DENY
  rules: [{ to: [{ operation: { paths: ['/admin*'] } }] }]
`;
    expect(allowed(deny, flow('production/frontend', 'production/backend'))).toBe(false);
    expect(allowed(deny, flow('production/frontend', 'production/backend', { http: { method: 'GET', path: '/public' } }))).toBe(true);
  });

  test('spec: {} allows nothing; rules: [{}] allows everything; DENY runs before ALLOW', () => {
    const nothing = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: deny-all, namespace: production }\nspec: {}\n';
    expect(allowed(nothing, flow('production/frontend', 'production/backend'))).toBe(false);
    const everything = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: allow-all, namespace: production }\nspec: { rules: [{}] }\n';
    expect(allowed(everything, flow('production/frontend', 'production/backend'))).toBe(true);
    const both = `${everything}---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: deny-frontend, namespace: production }\nspec: { action: DENY, rules: [{ from: [{ source: { namespaces: [production] } }] }] }\n`;
    expect(allowed(both, flow('production/frontend', 'production/backend'))).toBe(false);
    expect(allowed(both, flow('monitoring/prometheus', 'production/backend'))).toBe(true);
  });

  test('dry-run policies are not enforced; UDP is never intercepted; only ingress is authorized', () => {
    const nothing = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: deny-all, namespace: production }\nspec: {}\n';
    const dryRun = nothing.replace('namespace: production }', 'namespace: production, annotations: { istio.io/dry-run: "true" } }');
    expect(allowed(dryRun, flow('production/frontend', 'production/backend'))).toBe(true);
    expect(allowed(nothing, flow('production/frontend', 'production/backend', { protocol: 'UDP', port: 53 }))).toBe(true);
    expect(allowed(nothing, flow('production/backend', 'monitoring/prometheus'))).toBe(true);
  });

  test('ipBlocks minus notIpBlocks match the source address, pod IPs included', () => {
    const blocks = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: lb, namespace: production }\nspec: { rules: [{ from: [{ source: { ipBlocks: [10.0.0.0/16], notIpBlocks: [10.0.0.12/32] } }] }] }\n';
    expect(allowed(blocks, flow('production/frontend', 'production/backend', { mesh: { mtls: false } }))).toBe(true);
    expect(allowed(blocks, flow('production/other', 'production/backend'))).toBe(false);
    expect(allowed(blocks, flow('192.0.2.1', 'production/backend', { mesh: undefined }))).toBe(false);
  });

  test('is layered on the CNI: a NetworkPolicy denial wins over an Istio allow', () => {
    const layered = `${SEED}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: only-monitoring, namespace: production }
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: monitoring } } }] }]
`;
    expect(allowed(layered, flow('production/frontend', 'production/backend', { http: { method: 'GET', path: '/api/v1/x' } }))).toBe(false);
    expect(allowed(layered, flow('monitoring/prometheus', 'production/backend', { http: { method: 'GET', path: '/metrics' } }))).toBe(true);
  });

  test.each([
    ['an empty source', 'spec: { rules: [{ from: [{ source: {} }] }] }', 'spec.rules[0].from[0].source: a source must set at least one field (Istio refuses an empty `from.source`)'],
    ['an empty operation', 'spec: { rules: [{ to: [{ operation: {} }] }] }', 'spec.rules[0].to[0].operation: an operation must set at least one field'],
    ['a port out of range', 'spec: { rules: [{ to: [{ operation: { ports: ["65536"] } }] }] }', 'spec.rules[0].to[0].operation.ports[0]: expected a port number 0-65535 as a string of digits, got "65536"'],
    ['a service account with a wildcard', 'spec: { rules: [{ from: [{ source: { serviceAccounts: ["prod/*"] } }] }] }', 'spec.rules[0].from[0].source.serviceAccounts[0]: expected <account> or <namespace>/<account> without wildcards'],
    // istio/istio pilot/pkg/model/policyattachment.go ShouldAttachPolicy: the kinds a waypoint honours are Service, Gateway,
    // GatewayClass istio-waypoint (root namespace only) and ServiceEntry (not modelled); the CRD refuses cross-namespace refs.
    ['a ServiceEntry target', 'spec: { targetRefs: [{ kind: ServiceEntry, group: networking.istio.io, name: ext }], rules: [{}] }',
      'spec.targetRefs[0].kind: a policy bound to a ServiceEntry applies to mesh-external hosts through a waypoint, which the analyzer does not model'],
    ['a target kind istiod attaches to no waypoint', 'spec: { targetRefs: [{ kind: Deployment, group: apps, name: web }], rules: [{}] }',
      'spec.targetRefs[0]: expected a target of kind Service (group ""), Gateway or GatewayClass (group gateway.networking.k8s.io), got kind "Deployment" group "apps"'],
    ['a GatewayClass target outside the root namespace', 'spec: { targetRefs: [{ kind: GatewayClass, group: gateway.networking.k8s.io, name: istio-waypoint }], rules: [{}] }',
      'spec.targetRefs[0]: a GatewayClass target applies only as GatewayClass istio-waypoint from the root namespace istio-system'],
    ['a cross-namespace target', 'spec: { targetRefs: [{ kind: Service, group: "", name: web, namespace: other }], rules: [{}] }',
      'spec.targetRefs[0].namespace: cross namespace referencing is not supported by Istio'],
    ['targetRefs with a selector', 'spec: { selector: { matchLabels: { app: web } }, targetRefs: [{ kind: Service, group: "", name: web }], rules: [{}] }',
      'spec.targetRefs: only one of targetRefs or selector can be set'],
    ['CUSTOM', 'spec: { action: CUSTOM, provider: { name: ext }, rules: [{}] }', 'spec.action: CUSTOM delegates the decision to an external authorizer'],
    // when keys: istio/istio @ 86c9f01fd735 pilot/pkg/security/authz/model/model.go New, pkg/config/security/security.go ValidateAttribute.
    ['a JWT claim condition', 'spec: { rules: [{ when: [{ key: "request.auth.claims[iss]", values: [x] }] }] }',
      'spec.rules[0].when[0].key: the condition on "request.auth.claims[iss]" cannot be evaluated by the analyzer: it matches the JWT of the request'],
    ['a request header condition', 'spec: { rules: [{ when: [{ key: "request.headers[x-user]", values: [x] }] }] }',
      'spec.rules[0].when[0].key: the condition on "request.headers[x-user]" cannot be evaluated by the analyzer: request headers other than the method, path and host are not part of the analyzer\'s request model'],
    ['a header key without a name', 'spec: { rules: [{ when: [{ key: "request.headers[]", values: [x] }] }] }',
      'spec.rules[0].when[0].key: bad key "request.headers[]": expected request.headers[<header name>]'],
    ['remote.ip', 'spec: { rules: [{ when: [{ key: remote.ip, values: [10.0.0.1] }] }] }',
      'spec.rules[0].when[0].key: the condition on "remote.ip" cannot be evaluated by the analyzer: it matches the original client address taken from X-Forwarded-For'],
    ['remoteIpBlocks', 'spec: { rules: [{ from: [{ source: { remoteIpBlocks: [10.0.0.0/8] } }] }] }',
      'spec.rules[0].from[0].source.remoteIpBlocks: remoteIpBlocks cannot be evaluated by the analyzer: it matches the original client address'],
    ['connection.sni', 'spec: { rules: [{ when: [{ key: connection.sni, values: [a.example.com] }] }] }',
      'spec.rules[0].when[0].key: the condition on "connection.sni" cannot be evaluated by the analyzer: it matches the TLS server name'],
    ['an unknown attribute', 'spec: { rules: [{ when: [{ key: source.user, values: [x] }] }] }',
      'spec.rules[0].when[0].key: unknown attribute "source.user" (Istio refuses it); expected one of source.principal, source.namespace, source.serviceAccount, source.ip, destination.ip, destination.port'],
    ['destination.namespace', 'spec: { rules: [{ when: [{ key: destination.namespace, values: [x] }] }] }',
      'spec.rules[0].when[0].key: attribute destination.namespace is replaced by the metadata.namespace (Istio refuses it)'],
    ['a condition without values', 'spec: { rules: [{ when: [{ key: source.namespace }] }] }',
      'spec.rules[0].when[0]: at least one of values or notValues must be set for key source.namespace'],
    ['an empty value', 'spec: { rules: [{ when: [{ key: source.namespace, values: [""] }] }] }', 'spec.rules[0].when[0].values[0]'],
    ['a bad address', 'spec: { rules: [{ when: [{ key: source.ip, notValues: ["10.0.0.0/33"] }] }] }',
      'spec.rules[0].when[0].notValues[0]: expected an IP address or a CIDR range such as 10.0.0.0/16, got "10.0.0.0/33"'],
    ['a bad port', 'spec: { rules: [{ when: [{ key: destination.port, values: ["http"] }] }] }',
      'spec.rules[0].when[0].values[0]: expected a port number 0-65535 as a string of digits, got "http"'],
    ['a bad service account', 'spec: { rules: [{ when: [{ key: source.serviceAccount, values: ["a/b/c"] }] }] }',
      'spec.rules[0].when[0].values[0]: expected <account> or <namespace>/<account> without wildcards'],
    ['serviceAccounts with principals', 'spec: { rules: [{ from: [{ source: { notServiceAccounts: [a], principals: ["*"] } }] }] }',
      'spec.rules[0].from[0].source.notServiceAccounts: cannot set notServiceAccounts with principals (Istio refuses serviceAccounts with namespaces or principals)'],
    ['a bad notServiceAccount', 'spec: { rules: [{ from: [{ source: { notServiceAccounts: ["prod/*"] } }] }] }',
      'spec.rules[0].from[0].source.notServiceAccounts[0]: expected <account> or <namespace>/<account> without wildcards'],
    ['trustDomains', 'spec: { rules: [{ from: [{ source: { trustDomains: [example.org] } }] }] }',
      'spec.rules[0].from[0].source.trustDomains: trustDomains cannot be evaluated by the analyzer'],
    ['an identity and an address in one source', 'spec: { rules: [{ from: [{ source: { principals: ["*"] } }], when: [{ key: source.ip, values: [10.0.0.0/8] }] }] }',
      'spec.rules[0].from[0].source: a source that requires an identity (principals, namespaces, serviceAccounts) and a source address (ipBlocks, notIpBlocks, source.ip) at once (AND) is not supported'],
    ['destination.ip at a waypoint', 'spec: { targetRefs: [{ kind: Service, group: "", name: web }], rules: [{ when: [{ key: destination.ip, values: [10.0.0.1] }] }] }',
      'spec.rules[0].when: destination.ip in a policy bound with targetRefs is evaluated at a waypoint'],
    ['hosts', 'spec: { rules: [{ to: [{ operation: { hosts: [a.example.com] } }] }] }', 'spec.rules[0].to[0].operation.hosts: hosts is not supported by the analyzer'],
    ['a principal whose meaning depends on the trust domain', 'spec: { rules: [{ from: [{ source: { principals: ["example.org/ns/production/sa/frontend"] } }] }] }',
      'spec.rules[0].from[0].source.principals[0]: principal "example.org/ns/production/sa/frontend" names the trust domain "example.org", so whether it matches depends on the mesh\'s trust domain (meshConfig.trustDomain), which the analyzer was not told; pass it (--istio-trust-domain'],
    ['a negated principal whose meaning depends on the trust domain', 'spec: { rules: [{ from: [{ source: { notPrincipals: ["example.org/ns/production/sa/frontend"] } }] }] }',
      'spec.rules[0].from[0].source.notPrincipals[0]: principal "example.org/ns/production/sa/frontend" names the trust domain "example.org"'],
    ['a path template Istio refuses', 'spec: { rules: [{ to: [{ operation: { paths: ["/{**}/x/{*}"] } }] }] }', 'spec.rules[0].to[0].operation.paths[0]: path template "/{**}/x/{*}": {**} must be the last operator'],
    ['braces outside a template', 'spec: { rules: [{ to: [{ operation: { paths: ["/users/{id}"] } }] }] }', 'contains "{" or "}" outside a {*} or {**} template operator, which Istio refuses'],
  ])('fails with the field for what it cannot evaluate or Istio refuses: %s', (_what, spec, message) => {
    const text = `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: p, namespace: production }\n${spec}\n`;
    expect(errorOf(() => parsePolicies({ file: 'istio.yaml', text }))).toContain(message);
  });

  test('PeerAuthentication is read into a rule-less mesh policy; STRICT fails on a cluster model that does not say who is in the mesh', () => {
    const pa = (mode: string) => `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: { name: mtls, namespace: production }\nspec: { mtls: { mode: ${mode} } }\n`;
    expect(parsePolicies({ file: 'pa.yaml', text: pa('PERMISSIVE') })).toMatchObject([{ layer: 'mesh', peerAuthentication: { level: 'namespace', mode: 'PERMISSIVE', portModes: [] } }]);
    expect(allowed(pa('PERMISSIVE'), flow('production/frontend', 'production/backend', { mesh: undefined }))).toBe(true);
    expect(errorOf(() => allowed(pa('STRICT'), flow('production/frontend', 'production/backend'))))
      .toMatch(/^PeerAuthentication production\/mtls makes mTLS STRICT for pod production\/backend, whose place in the mesh the cluster model does not say/);
  });
});
