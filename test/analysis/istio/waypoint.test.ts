import { ClusterModel, parseCluster, parsePolicies, ReachabilityAnalyzer, serviceWaypoint } from '../../../src/analysis';
import { errorOf } from '../../helpers/synth';

// Ambient waypoints, from Istio's documented behaviour and source (istio/istio @ 86c9f01fd735):
// - binding: pilot/pkg/serviceregistry/ambient/waypoints.go (fetchWaypointForTarget, GetUseWaypoint,
//   fetchWaypointForService, gatewayToWaypointTransform: a Gateway is a waypoint once status.addresses is set);
// - which policies a waypoint applies: pilot/pkg/model/policyattachment.go ShouldAttachPolicy (targetRefs
//   Service / Gateway / GatewayClass istio-waypoint in the root namespace; never selector policies), and
//   ambient/authorization.go (targetRefs policies are not for ztunnel);
// - the waypoint's filter chains are keyed by Service port: pilot/pkg/networking/core/listener_waypoint.go;
// - istio.io docs/ambient/usage/l7-features and docs/ambient/usage/networkpolicy: the destination's ztunnel
//   sees the waypoint's identity; the CNI sees HBONE on TCP 15008.

interface World {
  readonly serviceLabels?: Record<string, string>;
  readonly namespaceLabels?: Record<string, string>;
  readonly ready?: boolean;
  readonly waypointFor?: string;
  readonly servicePort?: number;
  readonly targetPort?: number | string;
  readonly frontend?: 'ambient' | 'sidecar' | 'none';
  readonly waypointPods?: number;
}

function yamlMap(map: Record<string, string> | undefined): string {
  return `{ ${Object.entries(map ?? {}).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')} }`;
}

/** production: frontend, other (sa other), backend-api (port http 8080, metrics 9090), the waypoint's pods; Service backend-api. */
function world(w: World = {}): ClusterModel {
  const ambient = 'annotations: { ambient.istio.io/redirection: enabled }';
  const frontend = w.frontend ?? 'ambient';
  const docs = [
    `apiVersion: v1\nkind: Namespace\nmetadata: { name: production, labels: ${yamlMap(w.namespaceLabels)} }`,
    `apiVersion: v1\nkind: Pod\nmetadata: { name: frontend, namespace: production, labels: { app: frontend }${frontend === 'ambient' ? `, ${ambient}` : ''} }\n`
      + `spec: { serviceAccountName: frontend, containers: [{ name: app }${frontend === 'sidecar' ? ', { name: istio-proxy }' : ''}] }\nstatus: { podIP: 10.244.0.10 }`,
    `apiVersion: v1\nkind: Pod\nmetadata: { name: other, namespace: production, labels: { app: other }, ${ambient} }\n`
      + 'spec: { serviceAccountName: other, containers: [{ name: app }] }\nstatus: { podIP: 10.244.0.13 }',
    `apiVersion: v1\nkind: Pod\nmetadata: { name: backend-api, namespace: production, labels: { app: backend-api }, ${ambient} }\n`
      + 'spec: { serviceAccountName: backend-api, containers: [{ name: app, ports: [{ name: http, containerPort: 8080 }, { name: metrics, containerPort: 9090 }] }] }\n'
      + 'status: { podIP: 10.244.0.11 }',
    ...Array.from({ length: w.waypointPods ?? 1 }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata: { name: waypoint-${i}, namespace: production, labels: { gateway.networking.k8s.io/gateway-name: waypoint } }\n`
      + `spec: { serviceAccountName: waypoint, containers: [{ name: istio-proxy }] }\nstatus: { podIP: 10.244.0.${20 + i} }`),
    `apiVersion: v1\nkind: Service\nmetadata: { name: backend-api, namespace: production, labels: ${yamlMap(w.serviceLabels ?? { 'istio.io/use-waypoint': 'waypoint' })} }\n`
      + `spec: { selector: { app: backend-api }, ports: [{ port: ${w.servicePort ?? 8080}, targetPort: ${JSON.stringify(w.targetPort ?? 8080)} }, { port: 53, protocol: UDP }] }`,
    `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: waypoint, namespace: production, labels: { istio.io/waypoint-for: ${w.waypointFor ?? 'service'} } }\n`
      + `spec: { gatewayClassName: istio-waypoint, listeners: [{ name: mesh, port: 15008, protocol: HBONE }] }\n${w.ready === false ? '' : 'status: { addresses: [{ value: 10.96.0.20 }] }'}`,
  ];
  return parseCluster({ file: 'cluster.yaml', text: docs.join('\n---\n') });
}

const WAYPOINT_GET = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: backend-waypoint, namespace: production }
spec:
  targetRefs: [{ kind: Service, group: "", name: backend-api }]
  rules:
  - from: [{ source: { principals: [cluster.local/ns/production/sa/frontend] } }]
    to: [{ operation: { methods: [GET], paths: ["/api/*"] } }]
`;
const ZTUNNEL_WAYPOINT_ONLY = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: backend-via-waypoint, namespace: production }
spec:
  selector: { matchLabels: { app: backend-api } }
  rules: [{ from: [{ source: { principals: [cluster.local/ns/production/sa/waypoint] } }] }]
`;

function analyzer(cluster: ClusterModel, ...yaml: string[]): ReachabilityAnalyzer {
  return new ReachabilityAnalyzer(cluster, parsePolicies(yaml.map((text, i) => ({ file: `p${i}.yaml`, text }))));
}

const FRONTEND = { kind: 'pod' as const, namespace: 'production', name: 'frontend' };
const OTHER = { kind: 'pod' as const, namespace: 'production', name: 'other' };

describe('the waypoint a Service is bound to, as istiod resolves it (waypoints.go)', () => {
  const kindOf = (w: World) => {
    const cluster = world(w);
    const binding = serviceWaypoint(cluster, cluster.findService('production', 'backend-api')!);
    return binding.kind === 'waypoint' ? `waypoint ${binding.waypoint.name}` : 'direct';
  };
  test.each([
    ['the Service\'s own label', { serviceLabels: { 'istio.io/use-waypoint': 'waypoint' } }, 'waypoint waypoint'],
    ['the namespace\'s label when the Service has none', { serviceLabels: {}, namespaceLabels: { 'istio.io/use-waypoint': 'waypoint' } }, 'waypoint waypoint'],
    ['none on the Service opts out of the namespace\'s waypoint', { serviceLabels: { 'istio.io/use-waypoint': 'none' }, namespaceLabels: { 'istio.io/use-waypoint': 'waypoint' } }, 'direct'],
    ['no label anywhere', { serviceLabels: {} }, 'direct'],
    ['a waypoint that is not ready (no status.addresses): no fallback, traffic goes directly', { ready: false }, 'direct'],
    ['a waypoint for workload traffic only', { waypointFor: 'workload' }, 'direct'],
    ['a waypoint for all traffic', { waypointFor: 'all' }, 'waypoint waypoint'],
    ['use-waypoint-namespace naming the Service\'s own namespace', { serviceLabels: { 'istio.io/use-waypoint': 'waypoint', 'istio.io/use-waypoint-namespace': 'production' } }, 'waypoint waypoint'],
  ])('%s', (_what, w, expected) => {
    expect(kindOf(w as World)).toBe(expected);
  });

  test('throws for a waypoint in another namespace: the listener\'s allowedRoutes decide, which the model does not read', () => {
    expect(errorOf(() => kindOf({ serviceLabels: { 'istio.io/use-waypoint': 'waypoint', 'istio.io/use-waypoint-namespace': 'shared' } })))
      .toContain('is bound to the waypoint shared/waypoint in another namespace');
  });

  test('throws for a binding to a Gateway the snapshot lacks', () => {
    expect(errorOf(() => kindOf({ serviceLabels: { 'istio.io/use-waypoint': 'east' } }))).toContain('bound to the waypoint production/east, which is not in the cluster snapshot');
  });

  test('throws for a ready waypoint without a pod in the snapshot', () => {
    expect(errorOf(() => kindOf({ waypointPods: 0 }))).toContain('the snapshot has no running pod of it');
  });
});

describe('a connection addressed to a Service bound to a waypoint', () => {
  test('the waypoint applies the Service\'s targetRefs policy with the client\'s principal and HTTP; the endpoint\'s ztunnel sees the waypoint', () => {
    const a = analyzer(world(), WAYPOINT_GET, ZTUNNEL_WAYPOINT_ONLY);
    const get = a.evaluateService(FRONTEND, 'production', 'backend-api', 8080, 'TCP', { method: 'GET', path: '/api/items' });
    expect([get.allowed, get.endpoints.map((e) => [e.path, e.waypointPod, e.hops.map((h) => [h.hop, h.allowed])])])
      .toEqual([true, [['waypoint', 'production/waypoint-0', [['cni', true], ['waypoint', true], ['destination', true]]]]]);
    expect(get.explanation).toContain('allowed by AuthorizationPolicy production/backend-waypoint rules[0].to[0]');
    expect(get.explanation).toContain('allowed by AuthorizationPolicy production/backend-via-waypoint rules[0]');
    const del = a.evaluateService(FRONTEND, 'production', 'backend-api', 8080, 'TCP', { method: 'DELETE', path: '/api/items' });
    expect(del.endpoints[0].hops.map((h) => [h.hop, h.allowed])).toEqual([['cni', true], ['waypoint', false], ['destination', true]]);
    expect(a.evaluateService(OTHER, 'production', 'backend-api', 8080, 'TCP', { method: 'GET', path: '/api/items' }).allowed).toBe(false);
    // The same request straight to the pod bypasses the waypoint: the pod's ztunnel admits the waypoint only.
    expect(a.evaluate({ source: FRONTEND, destination: { kind: 'pod', namespace: 'production', name: 'backend-api' }, port: 8080, protocol: 'TCP', http: { method: 'GET', path: '/api/items' } }).allowed)
      .toBe(false);
  });

  test('a selector policy at the endpoint that names the client, not the waypoint, denies the waypoint path (ztunnel sees the waypoint\'s identity)', () => {
    const clientOnly = ZTUNNEL_WAYPOINT_ONLY.replace('sa/waypoint', 'sa/frontend');
    const verdict = analyzer(world(), WAYPOINT_GET, clientOnly).evaluateService(FRONTEND, 'production', 'backend-api', 8080, 'TCP', { method: 'GET', path: '/api/x' });
    expect(verdict.endpoints[0].hops.map((h) => [h.hop, h.allowed])).toEqual([['cni', true], ['waypoint', true], ['destination', false]]);
  });

  test('the waypoint matches ports on the Service port, the endpoint\'s ztunnel on the target port', () => {
    const cluster = world({ servicePort: 80, targetPort: 'http' });
    const on = (port: string) => WAYPOINT_GET.replace('methods: [GET], paths: ["/api/*"]', `ports: ["${port}"]`);
    const request = { method: 'GET', path: '/' };
    expect(analyzer(cluster, on('80'), ZTUNNEL_WAYPOINT_ONLY).evaluateService(FRONTEND, 'production', 'backend-api', 80, 'TCP', request).allowed).toBe(true);
    expect(analyzer(cluster, on('8080'), ZTUNNEL_WAYPOINT_ONLY).evaluateService(FRONTEND, 'production', 'backend-api', 80, 'TCP', request).allowed).toBe(false);
    const ztunnelOn = (port: string) => ZTUNNEL_WAYPOINT_ONLY.replace('rules: [{ from', `rules: [{ to: [{ operation: { ports: ["${port}"] } }], from`);
    const allowAll = WAYPOINT_GET.replace(/ {2}rules:[\s\S]*$/, '  rules: [{}]\n');
    expect(analyzer(cluster, allowAll, ztunnelOn('8080')).evaluateService(FRONTEND, 'production', 'backend-api', 80, 'TCP').allowed).toBe(true);
    expect(analyzer(cluster, allowAll, ztunnelOn('80')).evaluateService(FRONTEND, 'production', 'backend-api', 80, 'TCP').allowed).toBe(false);
  });

  test('the CNI sees TCP 15008 from the client to the waypoint pod and from the waypoint pod to the endpoint', () => {
    const egressOnly = (ports: string) => `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: frontend-egress, namespace: production }
spec:
  podSelector: { matchLabels: { app: frontend } }
  policyTypes: [Egress]
  egress: [{ ports: [${ports}] }]
`;
    const a15008 = analyzer(world(), WAYPOINT_GET, ZTUNNEL_WAYPOINT_ONLY, egressOnly('{ port: 15008 }'));
    expect(a15008.evaluateService(FRONTEND, 'production', 'backend-api', 8080, 'TCP', { method: 'GET', path: '/api/x' }).allowed).toBe(true);
    const a8080 = analyzer(world(), WAYPOINT_GET, ZTUNNEL_WAYPOINT_ONLY, egressOnly('{ port: 8080 }'));
    const denied = a8080.evaluateService(FRONTEND, 'production', 'backend-api', 8080, 'TCP', { method: 'GET', path: '/api/x' });
    expect(denied.endpoints[0].hops[0]).toMatchObject({ hop: 'cni', allowed: false });
    const backendIngress = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: backend-ingress, namespace: production }
spec:
  podSelector: { matchLabels: { app: backend-api } }
  ingress: [{ from: [{ podSelector: { matchLabels: { app: frontend } } }] }]
`;
    const fromFrontendOnly = analyzer(world(), WAYPOINT_GET, ZTUNNEL_WAYPOINT_ONLY, backendIngress)
      .evaluateService(FRONTEND, 'production', 'backend-api', 8080, 'TCP', { method: 'GET', path: '/api/x' });
    expect(fromFrontendOnly.endpoints[0].hops.map((h) => [h.hop, h.allowed])).toEqual([['cni', true], ['waypoint', true], ['destination', false]]);
  });

  test('a Gateway target applies to the waypoint\'s Services; a GatewayClass target in the root namespace to every waypoint', () => {
    const deny = (target: string, namespace: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: deny-delete, namespace: ${namespace} }
spec:
  action: DENY
  targetRefs: [${target}]
  rules: [{ to: [{ operation: { methods: [GET] } }] }]
`;
    const gateway = deny('{ kind: Gateway, group: gateway.networking.k8s.io, name: waypoint }', 'production');
    const gatewayClass = deny('{ kind: GatewayClass, group: gateway.networking.k8s.io, name: istio-waypoint }', 'istio-system');
    for (const policy of [gateway, gatewayClass]) {
      const verdict = analyzer(world(), WAYPOINT_GET, ZTUNNEL_WAYPOINT_ONLY, policy).evaluateService(FRONTEND, 'production', 'backend-api', 8080, 'TCP', { method: 'GET', path: '/api/x' });
      expect([verdict.allowed, verdict.explanation]).toEqual([false, expect.stringContaining('denied by AuthorizationPolicy')]);
    }
    // Bound to another Gateway: not this waypoint's.
    const elsewhere = deny('{ kind: Gateway, group: gateway.networking.k8s.io, name: ingress }', 'production');
    expect(analyzer(world(), WAYPOINT_GET, ZTUNNEL_WAYPOINT_ONLY, elsewhere).evaluateService(FRONTEND, 'production', 'backend-api', 8080, 'TCP', { method: 'GET', path: '/api/x' }).allowed)
      .toBe(true);
  });

  test('a targetRefs policy is attached to no pod: pod-to-pod connections ignore it', () => {
    const denyAll = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: deny, namespace: production }\n'
      + 'spec: { action: DENY, targetRefs: [{ kind: Service, group: "", name: backend-api }], rules: [{}] }\n';
    const a = analyzer(world(), denyAll);
    expect(a.evaluate({ source: FRONTEND, destination: { kind: 'pod', namespace: 'production', name: 'backend-api' }, port: 8080, protocol: 'TCP' }).allowed).toBe(true);
    expect(a.evaluateService(FRONTEND, 'production', 'backend-api', 8080, 'TCP').allowed).toBe(false);
  });

  test('UDP and clients outside the mesh go directly to the endpoint: the waypoint\'s policies do not apply', () => {
    const a = analyzer(world({ frontend: 'none' }), WAYPOINT_GET);
    const plain = a.evaluateService(FRONTEND, 'production', 'backend-api', 8080, 'TCP', { method: 'DELETE', path: '/' });
    expect([plain.allowed, plain.endpoints[0].path]).toEqual([true, 'direct']);
    const udp = analyzer(world(), WAYPOINT_GET).evaluateService(OTHER, 'production', 'backend-api', 53, 'UDP');
    expect([udp.allowed, udp.endpoints[0].path]).toEqual([true, 'direct']);
  });

  test('a named targetPort resolves per pod; the exact set over the Service ports has the request classes', () => {
    const a = analyzer(world({ servicePort: 80, targetPort: 'http' }), WAYPOINT_GET, ZTUNNEL_WAYPOINT_ONLY);
    const cluster = a.cluster;
    const set = a.serviceConnections(cluster.findPod('production', 'frontend')!, cluster.findService('production', 'backend-api')!);
    expect([set.waypoint, set.every.format(), set.endpoints.map((e) => e.pod.name)]).toEqual(['production/waypoint', 'TCP 80 (GET /api/*), UDP 53', ['backend-api']]);
    expect(set.every.contains(80, 'TCP', { method: 'GET', path: '/api/v2' })).toBe(true);
    expect(set.every.contains(80, 'TCP', { method: 'GET', path: '/admin' })).toBe(false);
  });

  test('fails for a sidecar client of a waypoint-bound Service (not modelled), naming the way out', () => {
    expect(errorOf(() => analyzer(world({ frontend: 'sidecar' }), WAYPOINT_GET).evaluateService(FRONTEND, 'production', 'backend-api', 8080, 'TCP')))
      .toContain('is a sidecar client of Service production/backend-api, which is bound to the waypoint production/waypoint');
  });

  test('fails for a Service port that does not exist, listing the ports', () => {
    expect(errorOf(() => analyzer(world(), WAYPOINT_GET).evaluateService(FRONTEND, 'production', 'backend-api', 9999, 'TCP')))
      .toBe('destination: svc production/backend-api has no port TCP 9999 (its ports: TCP 8080, UDP 53); a connection to a Service uses one of its ports');
  });
});

describe('a waypoint\'s own pods', () => {
  test('get no selector policy, in the exact sets and in explain alike (istiod attaches none to a waypoint)', () => {
    const denyAll = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: deny-all, namespace: production }\nspec: {}\n';
    const a = analyzer(world(), denyAll);
    const waypoint = { kind: 'pod' as const, namespace: 'production', name: 'waypoint-0' };
    const verdict = a.evaluate({ source: FRONTEND, destination: waypoint, port: 15008, protocol: 'TCP' });
    expect([verdict.allowed, verdict.steps.find((step) => step.layer === 'mesh' && step.direction === 'ingress')?.reason])
      .toEqual([true, expect.stringContaining('is a waypoint\'s pod: istiod attaches no selector policy to a waypoint')]);
    expect(a.connections(FRONTEND, waypoint).contains(15008, 'TCP')).toBe(true);
    // The namespace-wide ALLOW-nothing still holds at an ordinary pod.
    expect(a.connections(FRONTEND, { kind: 'pod', namespace: 'production', name: 'backend-api' }).contains(8080, 'TCP')).toBe(false);
  });
});

describe('pods bound to a waypoint for workload traffic', () => {
  const podBound = (labels: Record<string, string>, waypointFor: string, namespaceLabels: Record<string, string> = {}) => {
    const cluster = world({ waypointFor, namespaceLabels });
    const pods = cluster.pods.map((pod) => ({
      namespace: pod.namespace,
      name: pod.name,
      labels: pod.name === 'backend-api' ? { ...pod.labels, ...labels } : { ...pod.labels },
      serviceAccountName: pod.serviceAccountName,
      ips: pod.ips.map((ip) => ip.text),
      ...(pod.mesh ? { mesh: pod.mesh } : {}),
    }));
    return ClusterModel.create({
      namespaces: [...cluster.namespaces.values()].map((ns) => ({ name: ns.name, labels: ns.labels })),
      pods,
      services: cluster.services.map((service) => ({ ...service, ports: [...service.ports] })),
      waypoints: [...cluster.waypoints],
    });
  };

  test('throws: connections to the pod\'s IP pass the waypoint (waypoints.go fetchWaypointForWorkload), which is not modelled for pod-addressed connections', () => {
    expect(errorOf(() => analyzer(podBound({ 'istio.io/use-waypoint': 'waypoint' }, 'workload'))))
      .toContain('Pod production/backend-api is bound to the waypoint production/waypoint (istio.io/use-waypoint), which takes workload traffic (istio.io/waypoint-for=workload)');
    expect(errorOf(() => analyzer(podBound({}, 'all', { 'istio.io/use-waypoint': 'waypoint' }))))
      .toContain('(istio.io/use-waypoint on its namespace), which takes workload traffic (istio.io/waypoint-for=all)');
  });

  test('a waypoint for Service traffic binds no workload, through the pod\'s label or its namespace\'s', () => {
    expect(() => analyzer(podBound({ 'istio.io/use-waypoint': 'waypoint' }, 'service'))).not.toThrow();
    expect(() => analyzer(podBound({}, 'service', { 'istio.io/use-waypoint': 'waypoint' }))).not.toThrow();
  });
});
