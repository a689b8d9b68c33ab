import { AllowDns, AllowFrom, DefaultDeny, Engine, HttpRule, IstioMode, Peer, Port, Workload, ZeroTrustNamespace } from '../../src';
import { checkFlow, ServiceSpec, zeroTrustMatchers } from '../../src/testing';
import { chartWith } from '../helpers/synth';
import { TEST_TARGET } from '../helpers/target';

expect.extend(zeroTrustMatchers);

// Issue 13: a user could not test ambient L7 through a waypoint, as the matchers took pods and IPs only. The
// expectations are the intent's: the frontend's account may GET and POST /api/v1/* on the backend's container port
// 8080, which the Service serves on port 80; nothing else gets in. The Service's port 8080 forwards to 9090, where
// only prometheus may GET /metrics — a request to it is not one to container port 8080.

const frontend = { namespace: 'production', labels: { app: 'frontend' }, serviceAccount: 'frontend' };
const other = { namespace: 'production', labels: { app: 'other' }, serviceAccount: 'other' };
const prometheus = { namespace: 'monitoring', labels: { app: 'prometheus' }, serviceAccount: 'prometheus' };
const backendSvc: ServiceSpec = {
  service: 'backend-api',
  namespace: 'production',
  ports: [{ port: 80, targetPort: 8080 }, { port: 8080, targetPort: 9090 }],
  endpoint: { labels: { app: 'backend-api' }, serviceAccount: 'backend-api' },
  waypoint: 'waypoint',
};

function ambient() {
  const chart = chartWith(Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.kubernetes({ target: TEST_TARGET }) }));
  const zone = new ZeroTrustNamespace(chart, 'zt');
  const backend = Workload.select({ app: 'backend-api' }, { service: 'backend-api', servicePorts: [{ port: 80, targetPort: 8080 }, { port: 8080, targetPort: 9090 }] });
  zone.allowFrom('frontend-to-backend', { to: backend, peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)], http: [HttpRule.get('/api/v1/*'), HttpRule.post('/api/v1/*')] });
  zone.allowFrom('metrics', { to: backend, peers: [Peer.serviceAccount('prometheus', 'monitoring')], ports: [Port.tcp(9090)], http: [HttpRule.get('/metrics')] });
  return chart;
}

describe('the matchers address a Service, through its waypoint (ambient)', () => {
  test('HTTP rules hold on the Service port: the allowed requests pass, other methods, paths, clients and ports do not', () => {
    const chart = ambient();
    expect(chart).toAllow({ from: frontend, to: backendSvc, port: 80, method: 'GET', path: '/api/v1/products' });
    expect(chart).toAllow({ from: frontend, to: backendSvc, port: 80, method: 'POST', path: '/api/v1/orders' });
    expect(chart).toDeny({ from: frontend, to: backendSvc, port: 80, method: 'DELETE', path: '/api/v1/products' });
    expect(chart).toDeny({ from: frontend, to: backendSvc, port: 80, method: 'GET', path: '/admin' });
    expect(chart).toDeny({ from: other, to: backendSvc, port: 80, method: 'GET', path: '/api/v1/products' });
    // Service port 8080 reaches container port 9090: the frontend's allowance on container port 8080 does not apply.
    expect(chart).toDeny({ from: frontend, to: backendSvc, port: 8080, method: 'GET', path: '/api/v1/products' });
    expect(chart).toAllow({ from: prometheus, to: backendSvc, port: 8080, method: 'GET', path: '/metrics' });
  });

  test('the pod IP does not bypass the waypoint, and neither does a Service no waypoint takes', () => {
    const chart = ambient();
    const backendPod = { namespace: 'production', labels: { app: 'backend-api' }, serviceAccount: 'backend-api' };
    expect(chart).toDeny({ from: frontend, to: backendPod, port: 8080, method: 'GET', path: '/api/v1/products' });
    expect(chart).toDeny({ from: frontend, to: { ...backendSvc, waypoint: 'none' }, port: 80, method: 'GET', path: '/api/v1/products' });
  });

  test('a failing matcher gives every hop and the rule that decided at the waypoint', () => {
    const result = zeroTrustMatchers.toAllow(ambient(), { from: frontend, to: backendSvc, port: 80, method: 'DELETE', path: '/api/v1/products' });
    expect(result.pass).toBe(false);
    const message = result.message();
    expect(message).toContain('expected production/{app=frontend} → svc production/backend-api on 80/TCP DELETE /api/v1/products to be allowed, but it is denied:');
    expect(message).toContain('DENIED: pod production/client -> svc production/backend-api on 80/TCP DELETE /api/v1/products');
    expect(message).toContain('endpoint pod production/server (target port 8080) via production/waypoint: denied');
    expect(message).toMatch(/\[cni\] HBONE to waypoint pod production\/waypoint: the CNI sees TCP 15008: allowed/);
    expect(message).toMatch(/\[waypoint\] waypoint production\/waypoint: policies bound to Service production\/backend-api, .* on Service port 80 DELETE \/api\/v1\/products, client identity of pod production\/client: denied/);
    // The deciding rule: the waypoint policy's rule matches the client and the Service port, not the request.
    expect(message).toContain('AuthorizationPolicy production/zt-frontend-to-backend-waypoint rules[0].to[0] matches pod production/client on 80/TCP but not its HTTP condition');
  });

  test('checkFlow returns the Service verdict, per endpoint and hop', () => {
    const verdict = checkFlow(ambient(), { from: frontend, to: backendSvc, port: 80, method: 'GET', path: '/api/v1/products' });
    expect(verdict.allowed).toBe(true);
    expect(verdict.endpoints.map(e => [e.path, e.targetPort, e.hops.map(h => `${h.hop} ${h.allowed}`)])).toEqual([
      ['waypoint', 8080, ['cni true', 'waypoint true', 'destination true']],
    ]);
  });
});

describe('a Service without a mesh', () => {
  test('kube-proxy sends the Service port to the target port, which the NetworkPolicy allows', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'deny');
    new AllowDns(chart, 'dns');
    new AllowFrom(chart, 'web-to-api', { to: Workload.select({ app: 'api' }), peers: [Peer.workload(Workload.select({ app: 'web' }))], ports: [Port.tcp(8080)] });
    const web = { namespace: 'production', labels: { app: 'web' } };
    const api: ServiceSpec = { service: 'api', namespace: 'production', ports: [{ port: 80, targetPort: 'http' }, { port: 9090 }], endpoint: { labels: { app: 'api' }, containerPorts: [{ name: 'http', port: 8080 }] } };
    expect(chart).toAllow({ from: web, to: api, port: 80 });
    expect(chart).toDeny({ from: web, to: api, port: 9090 });
  });
});

describe('an incomplete Service query fails, saying what to add', () => {
  const query = (to: Partial<ServiceSpec>) => ({ from: frontend, to: { ...backendSvc, ...to } as ServiceSpec, port: 80, method: 'GET', path: '/api/v1/products' });

  test('without the waypoint, where the app binds policies to the Service', () => {
    const { waypoint: _w, ...unbound } = backendSvc;
    expect(() => checkFlow(ambient(), { ...query({}), to: unbound })).toThrow(
      'cdk8s-zero-trust: production/{app=frontend} → svc production/backend-api on 80/TCP GET /api/v1/products: the Service is named by the app\'s waypoint policies '
      + '(zt-frontend-to-backend-waypoint, zt-metrics-waypoint), and whether it is labelled istio.io/use-waypoint decides the path; '
      + 'say which waypoint takes it: waypoint: \'waypoint\' (the label\'s value, as the docs tell you to label it), or waypoint: \'none\'');
  });

  test('without the pods behind it, with a selector that does not select them, or a named target port they lack', () => {
    expect(() => checkFlow(ambient(), query({ endpoint: { serviceAccount: 'backend-api' } }))).toThrow('the Service needs the pods behind it: neither a selector nor endpoint labels are given; add endpoint: { labels: { app: \'<app>\' } }');
    expect(() => checkFlow(ambient(), query({ selector: { app: 'api' } }))).toThrow('the Service selector {app=api} does not select its endpoint (labels {app=backend-api}), so it would have no endpoint');
    expect(() => checkFlow(ambient(), query({ ports: [{ port: 80, targetPort: 'http' }] }))).toThrow('the Service port 80 forwards to the named port "http", which its endpoint does not have; add endpoint: { containerPorts: [{ name: "http", port: <number> }] }');
    expect(() => checkFlow(ambient(), query({ ports: [] }))).toThrow('the Service needs its ports (1 to 100), as its spec.ports says');
  });

  test('a port the Service does not have', () => {
    expect(() => checkFlow(ambient(), { ...query({}), port: 443 })).toThrow('destination: svc production/backend-api has no port TCP 443 (its ports: TCP 80, TCP 8080)');
  });
});
