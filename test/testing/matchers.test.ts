import { AllowDns, AllowFrom, DefaultDeny, EgressToCidr, Peer, Port, Workload } from '../../src';
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
});
