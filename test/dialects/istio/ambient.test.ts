import { createHash } from 'crypto';
import { hasHttpFields, istioChart, ofKind } from './support';
import { AllowDns, AllowFrom, DefaultDeny, Engine, HttpRule, IstioMode, Peer, PolicyDirection, PolicyStage, Port, Workload } from '../../../src';
import { intentAnnotations, otherAnnotations } from '../../helpers/intent-metadata';
import { byName, synthValid } from '../../helpers/synth';

const backend = Workload.select({ app: 'backend-api' }, { service: 'backend-api', servicePorts: [{ port: 8080 }, { port: 9090 }] });
const frontendSa = Peer.serviceAccount('frontend');

/** The seed's namespace: default deny, DNS, frontend → backend-api GET/POST /api/v1/* on 8080. */
function seed(mode = IstioMode.AMBIENT, cni: Engine = Engine.kubernetes()) {
  const chart = istioChart(mode, cni);
  new DefaultDeny(chart, 'default-deny');
  new AllowDns(chart, 'allow-dns');
  new AllowFrom(chart, 'frontend-to-backend', {
    to: backend, peers: [frontendSa], ports: [Port.tcp(8080)], http: [HttpRule.get('/api/v1/*'), HttpRule.post('/api/v1/*')],
  });
  return chart;
}

describe('Istio (ambient) renders', () => {
  test('HTTP rules only on the waypoint: a policy with targetRefs to the workload\'s Service, never a selector policy with HTTP fields', () => {
    const objs = synthValid(seed());
    const policies = ofKind(objs, 'AuthorizationPolicy');
    for (const ap of policies.filter(hasHttpFields)) {
      expect(ap.spec.selector).toBeUndefined();
      expect(ap.spec.targetRefs).toEqual([{ kind: 'Service', group: '', name: 'backend-api' }]);
    }
    expect(byName(objs, 'frontend-to-backend-waypoint', 'AuthorizationPolicy').spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/production/sa/frontend'] } }],
      to: [{ operation: { ports: ['8080'], methods: ['GET', 'POST'], paths: ['/api/v1/*'] } }],
    }]);
    expect(policies.filter(hasHttpFields)).toHaveLength(1);
  });

  test('the waypoint itself: a Gateway of class istio-waypoint with the HBONE listener on 15008, once per namespace', () => {
    const chart = seed();
    new AllowFrom(chart, 'metrics', { to: backend, peers: [Peer.serviceAccount('prometheus', 'monitoring')], ports: [Port.tcp(9090)], http: [HttpRule.get('/metrics')] });
    const gateways = ofKind(synthValid(chart), 'Gateway');
    expect(gateways).toEqual([{
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: {
        name: 'waypoint',
        namespace: 'production',
        labels: { 'istio.io/waypoint-for': 'service' },
        // Held by the first intent that needs it, and marked as serving the whole namespace.
        annotations: intentAnnotations('test/frontend-to-backend', 'AllowFrom', 'waypoint'),
      },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    }]);
  });

  test('the workload\'s ztunnel admits only the waypoint\'s identity on the HTTP ports, so clients cannot bypass the HTTP rules', () => {
    const objs = synthValid(seed());
    expect(byName(objs, 'frontend-to-backend-via-waypoint', 'AuthorizationPolicy').spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'backend-api' } },
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/production/sa/waypoint'] } }], to: [{ operation: { ports: ['8080'] } }] }],
    });
    // No direct client rule on ztunnel for an HTTP allowance.
    expect(objs.find(o => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'frontend-to-backend-ingress')).toBeUndefined();
  });

  test('a custom waypoint name and identity, and no Gateway when the waypoint is managed elsewhere', () => {
    const chart = istioChart(IstioMode.AMBIENT, Engine.kubernetes(), { waypoint: { name: 'backend-waypoint', serviceAccount: 'wp', create: false } });
    new DefaultDeny(chart, 'deny');
    new AllowDns(chart, 'dns');
    new AllowFrom(chart, 'api', { to: backend, peers: [frontendSa], ports: [Port.tcp(8080)], http: [HttpRule.get('/')] });
    const objs = synthValid(chart);
    expect(ofKind(objs, 'Gateway')).toEqual([]);
    expect(byName(objs, 'api-via-waypoint').spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/production/sa/wp']);
    expect(byName(objs, 'waypoint-hbone-egress-production', 'NetworkPolicy').spec.podSelector).toEqual({ matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'backend-waypoint' } });
  });

  test('L4 allowances of a waypoint-bound workload on ztunnel (direct) and on the waypoint (through the Service)', () => {
    const chart = seed();
    new AllowFrom(chart, 'grpc', { to: backend, peers: [Peer.serviceAccount('worker')], ports: [Port.tcp(9090)] });
    const objs = synthValid(chart);
    expect(byName(objs, 'grpc-ingress', 'AuthorizationPolicy').spec.selector).toEqual({ matchLabels: { app: 'backend-api' } });
    expect(byName(objs, 'grpc-waypoint', 'AuthorizationPolicy').spec.targetRefs).toEqual([{ kind: 'Service', group: '', name: 'backend-api' }]);
    expect(byName(objs, 'grpc-via-waypoint', 'AuthorizationPolicy').spec.rules[0].to).toEqual([{ operation: { ports: ['9090'] } }]);
  });

  test('an L4 allowance on a port no Service port forwards to stays on ztunnel: nothing through the Service reaches that port', () => {
    const chart = seed();
    new AllowFrom(chart, 'grpc', { to: backend, peers: [Peer.serviceAccount('worker')], ports: [Port.tcp(9000)] });
    const objs = synthValid(chart);
    expect(byName(objs, 'grpc-ingress', 'AuthorizationPolicy').spec.rules[0].to).toEqual([{ operation: { ports: ['9000'] } }]);
    expect(objs.filter(o => o.kind === 'AuthorizationPolicy' && o.metadata.name.startsWith('grpc-')).map(o => o.metadata.name)).toEqual(['grpc-ingress']);
  });

  // The waypoint matches destination.port against the Service port: ztunnel tunnels the Service VIP:port to it (istio/ztunnel
  // @ 62d826530e5c src/proxy/outbound.rs build_request, test build_request_destination_svc_waypoint: Service 80 → target 8080
  // is tunnelled as VIP:80), its filter chains are per Service port (istio/istio @ 86c9f01fd735
  // pilot/pkg/networking/core/listener_waypoint.go buildWaypointInternal, TargetPort: uint32(port.Port)), and the RBAC
  // destination_port matcher (pilot/pkg/security/authz/model/generator.go destPortGenerator) reads that local port.
  test('the waypoint policy names the Service ports that forward to the allowance\'s container ports; ztunnel keeps the container ports', () => {
    const chart = istioChart(IstioMode.AMBIENT);
    const api = Workload.select({ app: 'api' }, { service: 'api', servicePorts: [{ port: 80, targetPort: 8080 }, { port: 8443, targetPort: 8080 }, { port: 8080, targetPort: 9090 }] });
    new AllowFrom(chart, 'web', { to: api, peers: [frontendSa], ports: [Port.tcp(8080)], http: [HttpRule.get('/')] });
    new AllowFrom(chart, 'metrics', { to: api, peers: [Peer.serviceAccount('prometheus', 'monitoring')], ports: [Port.tcp(9090)] });
    const objs = synthValid(chart);
    expect(byName(objs, 'web-waypoint', 'AuthorizationPolicy').spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/production/sa/frontend'] } }],
      to: [{ operation: { ports: ['80', '8443'], methods: ['GET'], paths: ['/'] } }],
    }]);
    expect(byName(objs, 'web-via-waypoint', 'AuthorizationPolicy').spec.rules[0].to).toEqual([{ operation: { ports: ['8080'] } }]);
    // Service port 8080 forwards to 9090: on the waypoint it is the metrics allowance's port, not the web one's.
    expect(byName(objs, 'metrics-waypoint', 'AuthorizationPolicy').spec.rules[0].to).toEqual([{ operation: { ports: ['8080'] } }]);
    expect(byName(objs, 'metrics-via-waypoint', 'AuthorizationPolicy').spec.rules[0].to).toEqual([{ operation: { ports: ['9090'] } }]);
    expect(byName(objs, 'metrics-ingress', 'AuthorizationPolicy').spec.rules[0].to).toEqual([{ operation: { ports: ['9090'] } }]);
  });

  test('every TCP port through the waypoint needs no Service ports: all of them are all of them', () => {
    const chart = istioChart(IstioMode.AMBIENT);
    const api = Workload.select({ app: 'api' }, { service: 'api' });
    new AllowFrom(chart, 'web', { to: api, peers: [frontendSa], ports: [Port.allTcp()], http: [HttpRule.get('/')] });
    expect(byName(synthValid(chart), 'web-waypoint', 'AuthorizationPolicy').spec.rules[0].to).toEqual([{ operation: { methods: ['GET'], paths: ['/'] } }]);
  });

  test('L4-only allowances of workloads without HTTP rules stay on ztunnel, with no waypoint at all (and no egress side where nothing isolates egress)', () => {
    // Plumbing for some pods is named after the pods: their selector and a hash of the exact pod set.
    const redisHash = createHash('sha256').update('production/app=redis').digest('hex').slice(0, 8);
    const chart = istioChart(IstioMode.AMBIENT);
    new AllowFrom(chart, 'db', { to: Workload.select({ app: 'redis' }, { service: 'redis' }), peers: [Peer.serviceAccount('backend')], ports: [Port.tcp(6379)] });
    const objs = synthValid(chart);
    expect(objs.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'AuthorizationPolicy/db-ingress', 'NetworkPolicy/db-ingress',
      `NetworkPolicy/mesh-hbone-app-redis-${redisHash}-ingress`, `NetworkPolicy/mesh-probes-app-redis-${redisHash}-ingress`,
    ]);
  });

  test('the CNI plumbing ambient needs: HBONE 15008 from every pod and the kubelet probe SNAT addresses (IPv4 and IPv6) into isolated pods', () => {
    const objs = synthValid(seed());
    expect(byName(objs, 'mesh-hbone-ingress').spec).toEqual({
      podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port: 15008 }] }],
    });
    expect(byName(objs, 'mesh-probes-ingress').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      // istio-cni's probe SNAT sources, IPv4 and IPv6 (istio/istio cni/pkg/nodeagent/options.go).
      ingress: [{ from: [{ ipBlock: { cidr: '169.254.7.127/32' } }, { ipBlock: { cidr: 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff/128' } }], ports: [{ protocol: 'TCP' }] }],
    });
    // No istiod egress for ambient pods (ztunnel talks to istiod), only for the waypoint.
    expect(objs.map(o => o.metadata.name).filter(n => n.includes('istiod'))).toEqual(['waypoint-istiod-egress-production']);
  });

  test('the source side over HBONE: 15008 to the destination pods and to the waypoint of their Service', () => {
    const objs = synthValid(seed());
    expect(byName(objs, 'frontend-to-backend-egress-production').spec.egress).toEqual([{
      to: [{ podSelector: { matchLabels: { app: 'backend-api' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 15008 }],
    }]);
    expect(byName(objs, 'frontend-to-backend-to-waypoint-egress-production').spec.egress).toEqual([{
      to: [{ podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } } }],
      ports: [{ protocol: 'TCP', port: 15008 }],
    }]);
  });

  test('dry-run waypoint and ztunnel policies for audit-stage intents', () => {
    const chart = istioChart(IstioMode.AMBIENT);
    new DefaultDeny(chart, 'deny', { directions: [PolicyDirection.INGRESS], stage: PolicyStage.AUDIT });
    new AllowFrom(chart, 'api', { to: backend, peers: [frontendSa], ports: [Port.tcp(8080)], http: [HttpRule.get('/')], stage: PolicyStage.AUDIT });
    const objs = synthValid(chart);
    for (const ap of ofKind(objs, 'AuthorizationPolicy')) expect(otherAnnotations(ap.metadata.annotations)).toEqual({ 'istio.io/dry-run': 'true' });
    expect(ofKind(objs, 'Gateway')).toHaveLength(1);
  });

  test.each([
    ['Kubernetes', () => Engine.kubernetes()],
    ['Cilium', () => Engine.cilium()],
    ['Calico', () => Engine.calico()],
  ])('on %s, with every object valid against its schema', (_name, cni) => {
    const objs = synthValid(seed(IstioMode.AMBIENT, cni()));
    expect(ofKind(objs, 'Gateway')).toHaveLength(1);
    expect(ofKind(objs, 'AuthorizationPolicy').map(o => o.metadata.name).sort()).toEqual(['default-deny', 'frontend-to-backend-via-waypoint', 'frontend-to-backend-waypoint']);
  });
});
