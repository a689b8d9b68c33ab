import { ClusterModel, evaluate, Flow, HttpRequest, parsePolicies, podEndpoint } from '../../../src/analysis';

/*
 * Istio's string matching, end to end through the analyzer. Expected verdicts follow Istio's
 * documented semantics (istio/api security/v1beta1/authorization_policy.proto: "exact, prefix,
 * suffix and presence", case-sensitive) and istiod's golden files for TCP filters
 * (istio/istio @ 86c9f01fd735 pilot/pkg/security/authz/builder/testdata/tcp/*-both-http-tcp-*.yaml).
 */
const cluster = ClusterModel.create({
  namespaces: [{ name: 'production' }, { name: 'monitoring' }, { name: 'production-canary' }],
  pods: [
    { namespace: 'production', name: 'backend', labels: { app: 'backend-api' }, serviceAccountName: 'backend', ips: ['10.0.0.10'], ports: [{ port: 8080, protocol: 'TCP' }] },
    { namespace: 'production', name: 'frontend', labels: { app: 'frontend' }, serviceAccountName: 'frontend', ips: ['10.0.0.11'] },
    { namespace: 'monitoring', name: 'prometheus', labels: { app: 'prometheus' }, serviceAccountName: 'prometheus', ips: ['10.0.1.10'] },
    { namespace: 'production-canary', name: 'frontend', labels: { app: 'frontend' }, serviceAccountName: 'frontend', ips: ['10.0.2.10'] },
  ],
});

function policy(spec: string, name = 'p'): string {
  return `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: ${name}, namespace: production }\nspec: ${spec}\n`;
}

/** Whether `from` reaches production/backend under the policies (mTLS on, port 8080 unless given). */
function allowed(yaml: string, from: string, extra: { http?: HttpRequest; port?: number; mtls?: boolean } = {}): boolean {
  const [namespace, name] = from.split('/');
  const flow: Flow = {
    source: podEndpoint(namespace, name),
    destination: podEndpoint('production', 'backend'),
    port: extra.port ?? 8080,
    protocol: 'TCP',
    mesh: { mtls: extra.mtls ?? true },
    ...(extra.http ? { http: extra.http } : {}),
  };
  return evaluate(cluster, parsePolicies({ file: 'istio.yaml', text: yaml }), flow).allowed;
}

const get = (path = '/'): { http: HttpRequest } => ({ http: { method: 'GET', path } });
const request = (method: string, path = '/'): { http: HttpRequest } => ({ http: { method, path } });

describe('methods', () => {
  test('a DENY on methods: ["*"] denies every request, and every plain TCP connection (issue 12: it read ALLOWED)', () => {
    const deny = policy('{ action: DENY, rules: [{ to: [{ operation: { methods: ["*"] } }] }] }');
    expect(allowed(deny, 'production/frontend', get())).toBe(false);
    expect(allowed(deny, 'production/frontend', request('PATCH'))).toBe(false);
    expect(allowed(deny, 'production/frontend')).toBe(false);
  });

  test('are case-sensitive: "get" is not GET', () => {
    const allow = policy('{ rules: [{ to: [{ operation: { methods: ["get"] } }] }] }');
    expect(allowed(allow, 'production/frontend', get())).toBe(false);
    expect(allowed(allow, 'production/frontend', request('get'))).toBe(true);
  });

  test('support prefix and suffix patterns', () => {
    const allow = policy('{ rules: [{ to: [{ operation: { methods: ["P*", "*ETE"] } }] }] }');
    expect(allowed(allow, 'production/frontend', request('POST'))).toBe(true);
    expect(allowed(allow, 'production/frontend', request('PUT'))).toBe(true);
    expect(allowed(allow, 'production/frontend', request('DELETE'))).toBe(true);
    expect(allowed(allow, 'production/frontend', get())).toBe(false);
  });

  test('notMethods excludes methods; an ALLOW rule with it does not match plain TCP', () => {
    const allow = policy('{ rules: [{ to: [{ operation: { notMethods: ["DELETE"] } }] }] }');
    expect(allowed(allow, 'production/frontend', get())).toBe(true);
    expect(allowed(allow, 'production/frontend', request('DELETE'))).toBe(false);
    expect(allowed(allow, 'production/frontend')).toBe(false);
  });
});

describe('paths', () => {
  test('exact, prefix, suffix and presence are compared with the path without query string or fragment', () => {
    const allow = policy('{ rules: [{ to: [{ operation: { paths: ["/healthz", "/api/*", "*.js"] } }] }] }');
    expect(allowed(allow, 'production/frontend', get('/healthz?verbose=1'))).toBe(true);
    expect(allowed(allow, 'production/frontend', get('/healthz/x'))).toBe(false);
    expect(allowed(allow, 'production/frontend', get('/api/'))).toBe(true);
    expect(allowed(allow, 'production/frontend', get('/api'))).toBe(false);
    expect(allowed(allow, 'production/frontend', get('/static/app.js?v=3'))).toBe(true);
    expect(allowed(allow, 'production/frontend', get('/static/app.js.map'))).toBe(false);
    expect(allowed(policy('{ rules: [{ to: [{ operation: { paths: ["*"] } }] }] }'), 'production/frontend', get('/anything'))).toBe(true);
  });

  test('a prefix is a string prefix: /api* also matches /apifoo (SEMANTICS §6 Istio 6)', () => {
    expect(allowed(policy('{ rules: [{ to: [{ operation: { paths: ["/api*"] } }] }] }'), 'production/frontend', get('/apifoo'))).toBe(true);
  });

  test('notPaths excludes paths from a DENY', () => {
    const deny = policy('{ action: DENY, rules: [{ to: [{ operation: { ports: ["8080"], paths: ["/admin/*"], notPaths: ["/admin/public/*"] } }] }] }');
    expect(allowed(deny, 'production/frontend', get('/admin/users'))).toBe(false);
    expect(allowed(deny, 'production/frontend', get('/admin/public/logo.png'))).toBe(true);
    expect(allowed(deny, 'production/frontend', get('/shop'))).toBe(true);
  });

  test('a template matches whole segments', () => {
    const allow = policy('{ rules: [{ to: [{ operation: { paths: ["/users/{*}/orders"] } }] }] }');
    expect(allowed(allow, 'production/frontend', get('/users/42/orders'))).toBe(true);
    expect(allowed(allow, 'production/frontend', get('/users/42/7/orders'))).toBe(false);
  });
});

describe('ports', () => {
  test('notPorts excludes ports; with ports, the difference', () => {
    const allow = policy('{ rules: [{ to: [{ operation: { notPorts: ["9090"] } }] }] }');
    expect(allowed(allow, 'production/frontend')).toBe(true);
    expect(allowed(allow, 'production/frontend', { port: 9090 })).toBe(false);
    expect(allowed(allow, 'production/frontend', { port: 1 })).toBe(true);
    expect(allowed(allow, 'production/frontend', { port: 65535 })).toBe(true);
    const both = policy('{ rules: [{ to: [{ operation: { ports: ["8080", "9090"], notPorts: ["9090"] } }] }] }');
    expect(allowed(both, 'production/frontend')).toBe(true);
    expect(allowed(both, 'production/frontend', { port: 9090 })).toBe(false);
  });

  test('are read as Go\'s ParseUint reads them: "080" is 80 and "0" matches no connection', () => {
    const allow = policy('{ rules: [{ to: [{ operation: { ports: ["080", "0"] } }] }] }');
    expect(allowed(allow, 'production/frontend', { port: 80 })).toBe(true);
    expect(allowed(allow, 'production/frontend')).toBe(false);
  });
});

describe('HTTP fields on plain TCP (istiod\'s TCP filter)', () => {
  test('an ALLOW rule is dropped whole when any of its operations has an HTTP field', () => {
    // allow-both-http-tcp: only the rule without HTTP fields survives on TCP.
    const allow = policy(`{ rules: [
      { from: [{ source: { namespaces: [monitoring] } }], to: [{ operation: { ports: ["8080"] } }, { operation: { methods: ["GET"] } }] },
      { from: [{ source: { namespaces: [monitoring] } }], to: [{ operation: { ports: ["9090"] } }] } ] }`);
    expect(allowed(allow, 'monitoring/prometheus')).toBe(false);
    expect(allowed(allow, 'monitoring/prometheus', { port: 9090 })).toBe(true);
    expect(allowed(allow, 'monitoring/prometheus', get())).toBe(true);
  });

  test('a DENY operation loses its HTTP fields and keeps the others', () => {
    // deny-both-http-tcp rule[3]: namespaces ns-1, methods GET → on TCP, every connection from ns-1.
    const deny = policy('{ action: DENY, rules: [{ from: [{ source: { namespaces: [monitoring] } }], to: [{ operation: { methods: ["GET"] } }] }] }');
    expect(allowed(deny, 'monitoring/prometheus')).toBe(false);
    expect(allowed(deny, 'monitoring/prometheus', request('POST'))).toBe(true);
    expect(allowed(deny, 'production/frontend')).toBe(true);
  });
});

describe('identities', () => {
  test('principals: "*" is any mTLS client; suffixes and cluster.local prefixes are patterns on the identity', () => {
    const any = policy('{ rules: [{ from: [{ source: { principals: ["*"] } }] }] }');
    expect(allowed(any, 'monitoring/prometheus')).toBe(true);
    expect(allowed(any, 'monitoring/prometheus', { mtls: false })).toBe(false);
    const suffix = policy('{ rules: [{ from: [{ source: { principals: ["*/sa/frontend"] } }] }] }');
    expect(allowed(suffix, 'production/frontend')).toBe(true);
    expect(allowed(suffix, 'production-canary/frontend')).toBe(true);
    expect(allowed(suffix, 'monitoring/prometheus')).toBe(false);
    const prefix = policy('{ rules: [{ from: [{ source: { principals: ["cluster.local/ns/production/sa/*"] } }] }] }');
    expect(allowed(prefix, 'production/frontend')).toBe(true);
    expect(allowed(prefix, 'production-canary/frontend')).toBe(false);
  });

  test('with the mesh\'s trust domain given, principals naming it match, and cluster.local means it too', () => {
    const read = (text: string) => parsePolicies({ file: 'istio.yaml', text }, { istioTrustDomain: 'example.org' });
    const verdict = (principal: string, from: string) => evaluate(cluster, read(policy(`{ rules: [{ from: [{ source: { principals: ["${principal}"] } }] }] }`)), {
      source: podEndpoint(...(from.split('/') as [string, string])), destination: podEndpoint('production', 'backend'), port: 8080, protocol: 'TCP', mesh: { mtls: true },
    }).allowed;
    expect(verdict('example.org/ns/production/sa/frontend', 'production/frontend')).toBe(true);
    expect(verdict('example.org/ns/production/*', 'production/frontend')).toBe(true);
    expect(verdict('cluster.local/ns/production/sa/frontend', 'production/frontend')).toBe(true);
    expect(verdict('other.org/ns/production/sa/frontend', 'production/frontend')).toBe(false);
  });

  test('throws on a trust domain that is not one', () => {
    expect(() => parsePolicies({ file: 'x.yaml', text: policy('{}') }, { istioTrustDomain: 'Example.org/x' }))
      .toThrow('Istio trust domain (--istio-trust-domain, istioTrustDomain): expected a SPIFFE trust domain (lower-case letters, digits, ".", "-" or "_", e.g. cluster.local), got "Example.org/x"');
  });

  test('a `*` inside a principal is a literal character', () => {
    const literal = policy('{ rules: [{ from: [{ source: { principals: ["cluster.local/ns/*/sa/frontend"] } }] }] }');
    expect(allowed(literal, 'production/frontend')).toBe(false);
  });

  test('namespaces: exact, or a glob over the identity', () => {
    const exact = policy('{ rules: [{ from: [{ source: { namespaces: [production] } }] }] }');
    expect(allowed(exact, 'production/frontend')).toBe(true);
    expect(allowed(exact, 'production-canary/frontend')).toBe(false);
    const glob = policy('{ rules: [{ from: [{ source: { namespaces: ["production*"] } }] }] }');
    expect(allowed(glob, 'production-canary/frontend')).toBe(true);
    expect(allowed(glob, 'monitoring/prometheus')).toBe(false);
  });

  test('serviceAccounts: in the policy\'s namespace, or namespace/account; any trust domain', () => {
    const accounts = policy('{ rules: [{ from: [{ source: { serviceAccounts: [frontend, monitoring/prometheus] } }] }] }');
    expect(allowed(accounts, 'production/frontend')).toBe(true);
    expect(allowed(accounts, 'monitoring/prometheus')).toBe(true);
    expect(allowed(accounts, 'production-canary/frontend')).toBe(false);
  });
});
