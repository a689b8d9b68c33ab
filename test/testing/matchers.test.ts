import { AllowDns, AllowFrom, DefaultDeny, EgressToCidr, HttpRule, IstioMode, Peer, Port, Workload } from '../../src';
import { checkFlow, zeroTrustMatchers } from '../../src/testing';
import { chartWith } from '../helpers/synth';
import { testEngine } from '../helpers/target';

expect.extend(zeroTrustMatchers);

const web = { namespace: 'production', labels: { app: 'web' } };
const api = { namespace: 'production', labels: { app: 'api' } };

function shop() {
  const chart = chartWith();
  new DefaultDeny(chart, 'deny');
  new AllowDns(chart, 'dns');
  new AllowFrom(chart, 'web-to-api', { to: Workload.select({ app: 'api' }), peers: [Peer.workload(Workload.select({ app: 'web' }))], ports: [Port.tcp(8080)] });
  new EgressToCidr(chart, 'api-to-db', { workload: Workload.select({ app: 'api' }), cidr: '10.20.0.0/16', ports: [Port.tcp(5432)] });
  return chart;
}

describe('jest matchers', () => {
  test('toAllow passes for a flow the policies allow, in both directions of the connection', () => {
    expect(shop()).toAllow({ from: web, to: api, port: 8080 });
    expect(shop()).toAllow({ from: api, to: '10.20.1.5', port: 5432 });
  });

  test('toDeny passes for flows nothing allows: other ports, other direction, other protocols', () => {
    expect(shop()).toDeny({ from: web, to: api, port: 9090 });
    expect(shop()).toDeny({ from: api, to: web, port: 8080 });
    expect(shop()).toDeny({ from: web, to: api, port: 8080, protocol: 'UDP' });
    expect(shop()).toDeny({ from: api, to: '10.30.0.1', port: 5432 });
  });

  test('a failing matcher explains the verdict with the rules that decided', () => {
    const result = zeroTrustMatchers.toAllow(shop(), { from: api, to: web, port: 8080 });
    expect(result.pass).toBe(false);
    expect(result.message()).toContain('expected production/{app=api} → production/{app=web} on 8080/TCP to be allowed, but it is denied');
    expect(result.message()).toContain('NetworkPolicy production/deny');
  });

  test('checkFlow resolves named ports against the destination pod', () => {
    const chart = chartWith();
    new AllowFrom(chart, 'metrics', { to: Workload.select({ app: 'api' }), peers: [Peer.anyone()], ports: [Port.named('metrics')] });
    expect(checkFlow(chart, { from: web, to: { ...api, containerPorts: [{ name: 'metrics', port: 9100 }] }, port: 9100 }).allowed).toBe(true);
    expect(checkFlow(chart, { from: web, to: { ...api, containerPorts: [{ name: 'metrics', port: 9100 }] }, port: 9101 }).allowed).toBe(false);
  });

  describe.each([
    ['Cilium', () => testEngine.cilium()],
    ['Istio (sidecar, on Calico)', () => testEngine.istio({ mode: IstioMode.SIDECAR, cni: testEngine.calico() })],
  ])('with HTTP rules on %s, the flow query takes a method and a path', (_name, engine) => {
    function l7() {
      const chart = chartWith(engine());
      new AllowFrom(chart, 'web-to-api', {
        to: Workload.select({ app: 'api' }),
        peers: [Peer.anyone()],
        ports: [Port.tcp(8080)],
        http: [HttpRule.get('/api/v1/*'), HttpRule.post('/orders')],
      });
      return chart;
    }

    test('toAllow passes for the requests the rules allow', () => {
      expect(l7()).toAllow({ from: '203.0.113.9', to: api, port: 8080, method: 'GET', path: '/api/v1/orders' });
      expect(l7()).toAllow({ from: '203.0.113.9', to: api, port: 8080, method: 'POST', path: '/orders?page=2' });
    });

    test('toDeny passes for other methods and paths, and for the connection without a request', () => {
      expect(l7()).toDeny({ from: '203.0.113.9', to: api, port: 8080, method: 'DELETE', path: '/api/v1/orders' });
      expect(l7()).toDeny({ from: '203.0.113.9', to: api, port: 8080, method: 'GET', path: '/orders' });
      expect(l7()).toDeny({ from: '203.0.113.9', to: api, port: 8080, path: '/api' });
      expect(l7()).toDeny({ from: '203.0.113.9', to: api, port: 8080 });
    });

    test('a failing matcher names the request', () => {
      const result = zeroTrustMatchers.toAllow(l7(), { from: '203.0.113.9', to: api, port: 8080, method: 'PUT', path: '/orders' });
      expect(result.pass).toBe(false);
      expect(result.message()).toContain('on 8080/TCP PUT /orders to be allowed, but it is denied');
    });
  });

  test('throws for a request on a protocol other than TCP', () => {
    expect(() => checkFlow(shop(), { from: web, to: api, port: 53, protocol: 'UDP', method: 'GET' })).toThrow(/an HTTP request needs protocol TCP/);
  });
});
