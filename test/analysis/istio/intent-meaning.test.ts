import { Chart, Testing } from 'cdk8s';
import { AllowFrom, DefaultDeny, Engine, HttpRule, IstioMode, MtlsMode, MutualTls, Peer, PolicyDirection, Port, Workload } from '../../../src';
import { ClusterModel, MeshEnrollment, podEndpoint, ReachabilityAnalyzer } from '../../../src/analysis';
import { istioIntentPolicies } from '../../../src/analysis/intent/istio-intent-meaning';
import { errorOf } from '../../helpers/synth';
import { PROPERTY_TARGET } from '../../helpers/target';

// What an intent means on Istio (docs/ANALYSIS.md "What an intent means on Istio"), checked on single connections
// whose expected verdicts are read off that page and docs/dialects/istio.md "Mesh plumbing", not off the code.

function chartOn(mode: IstioMode): Chart {
  const chart = new Chart(Testing.app(), 'meaning');
  Engine.attach(chart, Engine.istio({ mode, cni: Engine.calico({ target: PROPERTY_TARGET }) }));
  return chart;
}

/** `prod/server` (app=server, port 8080) isolated on ingress, admitting TCP 8080 from namespace `prod` only. */
function serverIntent(mode: IstioMode): Chart {
  const chart = chartOn(mode);
  new AllowFrom(chart, 'web', { namespace: 'prod', to: Workload.select({ app: 'server' }), peers: [Peer.namespace('prod')], ports: [Port.tcp(8080)] });
  return chart;
}

function cluster(server: MeshEnrollment, client: MeshEnrollment): ClusterModel {
  return ClusterModel.create({
    namespaces: [{ name: 'prod' }, { name: 'istio-system' }],
    pods: [
      { namespace: 'prod', name: 'server', labels: { app: 'server' }, ips: ['10.244.0.10'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], mesh: { enrollment: server } },
      { namespace: 'prod', name: 'client', labels: { app: 'client' }, ips: ['10.244.0.11'], mesh: { enrollment: client } },
      { namespace: 'istio-system', name: 'istiod', labels: { app: 'istiod' }, ips: ['10.244.1.3'], mesh: { enrollment: 'none' } },
    ],
  });
}

function allowed(chart: Chart, model: ClusterModel, from: string, to: string, port: number): boolean {
  const [fromNs, fromName] = from.split('/');
  const [toNs, toName] = to.split('/');
  return new ReachabilityAnalyzer(model, istioIntentPolicies(chart)).evaluate({
    source: podEndpoint(fromNs, fromName), destination: podEndpoint(toNs, toName), port, protocol: 'TCP',
  }).allowed;
}

describe('what an intent means on Istio', () => {
  test('a pod peer is an identity: a client in the mesh is admitted, the same client outside the mesh (plaintext) is not', () => {
    for (const mode of [IstioMode.SIDECAR, IstioMode.AMBIENT]) {
      const chart = serverIntent(mode);
      const enrolled = mode === IstioMode.SIDECAR ? 'sidecar' : 'ambient';
      expect([mode, allowed(chart, cluster(enrolled, enrolled), 'prod/client', 'prod/server', 8080)]).toEqual([mode, true]);
      expect([mode, allowed(chart, cluster(enrolled, 'none'), 'prod/client', 'prod/server', 8080)]).toEqual([mode, false]);
      // At a server outside the mesh no proxy reads identities: the CNI part alone decides.
      expect([mode, allowed(chart, cluster('none', 'none'), 'prod/client', 'prod/server', 8080)]).toEqual([mode, true]);
      expect([mode, allowed(chart, cluster(enrolled, enrolled), 'prod/client', 'prod/server', 9090)]).toEqual([mode, false]);
    }
  });

  test('in ambient mode an isolated pod admits HBONE from every pod, which at a pod outside the mesh is the port 15008 itself', () => {
    const chart = serverIntent(IstioMode.AMBIENT);
    new DefaultDeny(chart, 'deny', { namespace: 'prod', directions: [PolicyDirection.INGRESS] });
    expect(allowed(chart, cluster('none', 'none'), 'prod/client', 'prod/server', 15008)).toBe(true);
    expect(allowed(chart, cluster('none', 'none'), 'prod/server', 'prod/client', 15008)).toBe(true);
    // In the mesh, 15008 as an application port is read by the destination's ztunnel, which the intent does not open.
    expect(allowed(chart, cluster('ambient', 'ambient'), 'prod/client', 'prod/server', 15008)).toBe(false);
  });

  test('in sidecar mode an egress-isolated pod reaches istiod on TCP 15012 and on no other port', () => {
    const chart = chartOn(IstioMode.SIDECAR);
    new DefaultDeny(chart, 'deny', { namespace: 'prod', directions: [PolicyDirection.EGRESS], acknowledgeDnsBlocked: true });
    const model = cluster('sidecar', 'sidecar');
    expect([allowed(chart, model, 'prod/client', 'istio-system/istiod', 15012), allowed(chart, model, 'prod/client', 'istio-system/istiod', 15017)]).toEqual([true, false]);
  });

  test('throws for an app without an Istio engine, naming what it found', () => {
    const chart = new Chart(Testing.app(), 'plain');
    Engine.attach(chart, Engine.calico({ target: PROPERTY_TARGET }));
    expect(errorOf(() => istioIntentPolicies(chart))).toMatch(/expected one Istio data-plane mode among the app's engines, got no Istio engine/);
  });

  test('STRICT mutual TLS rejects a plaintext client that an allowance from anyone admits, and PERMISSIVE on an exception port does not', () => {
    const chart = chartOn(IstioMode.SIDECAR);
    new AllowFrom(chart, 'web', { namespace: 'prod', to: Workload.select({ app: 'server' }), peers: [Peer.anyone()], ports: [Port.tcp(8080), Port.tcp(9090)] });
    new MutualTls(chart, 'strict', {
      namespace: 'prod', workload: Workload.select({ app: 'server' }), mode: MtlsMode.STRICT, portExceptions: [{ port: 9090, mode: MtlsMode.PERMISSIVE }],
    });
    const plaintext = cluster('sidecar', 'none');
    expect([allowed(chart, plaintext, 'prod/client', 'prod/server', 8080), allowed(chart, plaintext, 'prod/client', 'prod/server', 9090)]).toEqual([false, true]);
    expect(allowed(chart, cluster('sidecar', 'sidecar'), 'prod/client', 'prod/server', 8080)).toBe(true);
  });

  test('throws for an HTTP allowance in ambient mode for pods that name no Service, which no waypoint policy can bind to', () => {
    const http = chartOn(IstioMode.AMBIENT);
    new AllowFrom(http, 'api', {
      namespace: 'prod', to: Workload.select({ app: 'server' }), peers: [Peer.serviceAccount('client', 'prod')], ports: [Port.tcp(8080)], http: [HttpRule.get('/api/*')],
    });
    expect(errorOf(() => istioIntentPolicies(http))).toMatch(/meaning\/api: an HTTP allowance in ambient mode is enforced only by a waypoint bound to the pods' Service, and these pods name no Service/);
  });
});

/**
 * docs/dialects/istio.md "Ambient mode": an HTTP allowance is enforced by the namespace's waypoint on connections addressed to
 * the Service bound to it (the request classes, the client's identity), and a client that addresses the pod directly is denied on
 * those ports (the pod's ztunnel admits only the waypoint's identity there).
 */
describe('what an ambient HTTP allowance means on Istio', () => {
  const model = ClusterModel.create({
    namespaces: [{ name: 'prod' }, { name: 'istio-system' }],
    pods: [
      { namespace: 'prod', name: 'server', labels: { app: 'server' }, serviceAccountName: 'server', ips: ['10.244.0.10'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], mesh: { enrollment: 'ambient' } },
      { namespace: 'prod', name: 'client', labels: { app: 'client' }, serviceAccountName: 'client', ips: ['10.244.0.11'], mesh: { enrollment: 'ambient' } },
      { namespace: 'prod', name: 'other', labels: { app: 'other' }, serviceAccountName: 'other', ips: ['10.244.0.12'], mesh: { enrollment: 'ambient' } },
      {
        namespace: 'prod',
        name: 'waypoint-0',
        labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' },
        serviceAccountName: 'waypoint',
        ips: ['10.244.0.13'],
        mesh: { enrollment: 'sidecar' },
      },
      { namespace: 'istio-system', name: 'istiod', labels: { app: 'istiod' }, ips: ['10.244.1.3'], mesh: { enrollment: 'none' } },
    ],
    services: [{ namespace: 'prod', name: 'server', labels: { 'istio.io/use-waypoint': 'waypoint' }, selector: { app: 'server' }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] }],
    waypoints: [{ namespace: 'prod', name: 'waypoint' }],
  });
  const chart = chartOn(IstioMode.AMBIENT);
  new DefaultDeny(chart, 'deny', { namespace: 'prod', acknowledgeDnsBlocked: true });
  new AllowFrom(chart, 'api', {
    namespace: 'prod', to: Workload.select({ app: 'server' }, { service: 'server', servicePorts: [{ port: 8080 }] }), peers: [Peer.serviceAccount('client', 'prod')], ports: [Port.tcp(8080)], http: [HttpRule.get('/api/*')],
  });
  const analyzer = new ReachabilityAnalyzer(model, istioIntentPolicies(chart));
  const viaService = (from: string, method: string, path: string) => analyzer.evaluateService(podEndpoint('prod', from), 'prod', 'server', 8080, 'TCP', { method, path }).allowed;

  test('through the Service, the client gets the requests the rules name and no other; another identity gets none', () => {
    expect([viaService('client', 'GET', '/api/orders'), viaService('client', 'POST', '/api/orders'), viaService('client', 'GET', '/admin')]).toEqual([true, false, false]);
    expect(viaService('other', 'GET', '/api/orders')).toBe(false);
  });

  test('a connection to the pod IP on the allowance\'s port is denied, with or without a request: only the waypoint\'s identity is admitted there', () => {
    const direct = (http?: { method: string; path: string }) => analyzer.evaluate({
      source: podEndpoint('prod', 'client'), destination: podEndpoint('prod', 'server'), port: 8080, protocol: 'TCP', ...(http ? { http } : {}),
    }).allowed;
    expect([direct(), direct({ method: 'GET', path: '/api/orders' })]).toEqual([false, false]);
  });
});
