import { App, Testing } from 'cdk8s';
import { fullMatch } from './full-match';
import { example } from '../../../examples/cilium-l7/app';
import { expectValidManifests } from '../../helpers/schema';

/** The seed article's "backend-l7-policy" rules: peer app label, port, allowed (method, path). */
const SEED = [
  { peer: 'frontend', port: '8080', requests: [['GET', '/api/v1/products'], ['POST', '/api/v1/orders'], ['GET', '/healthz']] },
  { peer: 'prometheus', port: '9090', requests: [['GET', '/metrics']] },
];

function synth(): any[] {
  const app: App = Testing.app();
  example.build(app, example.engines.cilium());
  const objs = app.charts.flatMap(c => Testing.synth(c));
  expectValidManifests(objs);
  return objs;
}

/** Whether the rendered policies let `peer` send `method path` to backend-api on `port`. */
function allows(objs: any[], peer: string, port: string, method: string, path: string): boolean {
  return objs.some(o => o.spec.endpointSelector.matchLabels['k8s:app'] === 'backend-api' && o.spec.ingress.some((rule: any) =>
    rule.fromEndpoints?.some((s: any) => s.matchLabels['k8s:app'] === peer && s.matchLabels['k8s:io.kubernetes.pod.namespace'] === 'production')
    && rule.toPorts.some((pr: any) => pr.ports.some((p: any) => p.port === port && p.protocol === 'TCP')
      && pr.rules.http.some((h: any) => fullMatch(h.method, method) && fullMatch(h.path, path)))));
}

describe('the cilium-l7 example reproduces the seed\'s CiliumNetworkPolicy', () => {
  const objs = synth();

  test.each(SEED.flatMap(s => s.requests.map(([m, p]) => [s.peer, s.port, m, p])))('%s may send to port %s: %s %s', (peer, port, method, path) => {
    expect(allows(objs, peer, port, method, path)).toBe(true);
  });

  test.each([
    ['frontend', '8080', 'DELETE', '/api/v1/products'],
    ['frontend', '8080', 'GET', '/api/v1/orders'],
    ['frontend', '8080', 'GET', '/api/v1/products/1'],
    ['frontend', '9090', 'GET', '/metrics'],
    ['prometheus', '8080', 'GET', '/healthz'],
    ['prometheus', '9090', 'GET', '/metricsx'],
  ])('%s may not send to port %s: %s %s', (peer, port, method, path) => {
    expect(allows(objs, peer, port, method, path)).toBe(false);
  });

  test('also allows the seed\'s requests with a query string, which the model ignores', () => {
    expect(allows(objs, 'frontend', '8080', 'GET', '/api/v1/products?page=2')).toBe(true);
  });
});
