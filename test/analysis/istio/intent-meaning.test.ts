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

  test('throws for an HTTP allowance in ambient mode, whose waypoint it does not model yet', () => {
    const http = chartOn(IstioMode.AMBIENT);
    new AllowFrom(http, 'api', {
      namespace: 'prod', to: Workload.select({ app: 'server' }), peers: [Peer.serviceAccount('client', 'prod')], ports: [Port.tcp(8080)], http: [HttpRule.get('/api/*')],
    });
    expect(errorOf(() => istioIntentPolicies(http))).toMatch(/meaning\/api: an HTTP allowance in ambient mode is enforced at a waypoint/);
  });
});
