import { ClusterModel, ManifestError, parseCluster } from '../../../src/analysis';

// What `kubectl get namespaces,pods,services,serviceaccounts,gateways -A -o yaml` prints for a mesh,
// trimmed to the fields that matter: the injector's container and labels (injection-template.yaml),
// istio-cni's annotation, a Service, accounts and a waypoint with its status.
const meshSnapshot = `
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: { name: shop, labels: { istio-injection: enabled } }
- apiVersion: v1
  kind: Namespace
  metadata: { name: ambient, labels: { istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint } }
- apiVersion: v1
  kind: Pod
  metadata:
    name: web
    namespace: shop
    labels: { app: web, security.istio.io/tlsMode: istio }
    annotations: { sidecar.istio.io/status: '{"containers":["istio-proxy"]}' }
  spec:
    serviceAccountName: web
    initContainers: [{ name: istio-init, image: proxyv2 }]
    containers:
    - { name: web, image: nginx, ports: [{ containerPort: 8080, name: http }] }
    - { name: istio-proxy, image: proxyv2, ports: [{ containerPort: 15090, name: http-envoy-prom }] }
  status: { podIP: 10.0.0.1 }
- apiVersion: v1
  kind: Pod
  metadata: { name: native, namespace: shop, labels: { app: native, networking.istio.io/tunnel: http } }
  spec:
    initContainers: [{ name: istio-proxy, image: proxyv2, restartPolicy: Always }]
    containers: [{ name: app, image: app }]
  status: { podIP: 10.0.0.2 }
- apiVersion: v1
  kind: Pod
  metadata: { name: before-labelling, namespace: shop, labels: { app: old } }
  spec: { containers: [{ name: app, image: app }] }
  status: { podIP: 10.0.0.3 }
- apiVersion: v1
  kind: Pod
  metadata: { name: db, namespace: ambient, labels: { app: db }, annotations: { ambient.istio.io/redirection: enabled } }
  spec: { containers: [{ name: db, image: postgres }] }
  status: { podIP: 10.0.1.1 }
- apiVersion: v1
  kind: Pod
  metadata: { name: not-captured, namespace: ambient, labels: { app: job } }
  spec: { containers: [{ name: job, image: job }] }
  status: { podIP: 10.0.1.2 }
- apiVersion: v1
  kind: Pod
  metadata: { name: node-agent, namespace: ambient, annotations: { ambient.istio.io/redirection: enabled } }
  spec: { hostNetwork: true, containers: [{ name: agent, image: agent }] }
  status: { podIP: 192.168.0.1 }
- apiVersion: v1
  kind: Service
  metadata: { name: db, namespace: ambient, labels: { istio.io/use-waypoint: none } }
  spec:
    selector: { app: db }
    ports:
    - { name: pg, port: 5432, targetPort: postgres }
    - { port: 80, targetPort: 8080, protocol: TCP }
    - { port: 53, protocol: UDP }
- apiVersion: v1
  kind: Service
  metadata: { name: external, namespace: shop }
  spec: { type: ExternalName, externalName: example.com }
- apiVersion: gateway.networking.k8s.io/v1
  kind: Gateway
  metadata: { name: waypoint, namespace: ambient, labels: { istio.io/waypoint-for: all } }
  spec: { gatewayClassName: istio-waypoint, listeners: [{ name: mesh, port: 15008, protocol: HBONE }] }
  status: { addresses: [{ type: IPAddress, value: 10.96.0.10 }] }
- apiVersion: gateway.networking.k8s.io/v1
  kind: Gateway
  metadata: { name: pending-waypoint, namespace: shop }
  spec: { gatewayClassName: istio-waypoint }
- apiVersion: gateway.networking.k8s.io/v1
  kind: Gateway
  metadata: { name: ingress, namespace: shop }
  spec: { gatewayClassName: istio, listeners: [{ name: http, port: 80, protocol: HTTP }] }
`;

const accounts = ['shop/default', 'shop/web', 'ambient/default']
  .map((id) => `---\napiVersion: v1\nkind: ServiceAccount\nmetadata: { namespace: ${id.split('/')[0]}, name: ${id.split('/')[1]} }\n`).join('');

describe('mesh facts in the cluster model', () => {
  const cluster = parseCluster([{ file: 'cluster.yaml', text: meshSnapshot }, { file: 'accounts.yaml', text: accounts }]);
  const enrollment = (ns: string, name: string) => cluster.findPod(ns, name)?.mesh;

  test('a pod with an istio-proxy container has a sidecar, as a container or as a native-sidecar init container', () => {
    expect(enrollment('shop', 'web')).toEqual({ enrollment: 'sidecar' });
    // networking.istio.io/tunnel: http marks a sidecar that also listens HBONE.
    expect(enrollment('shop', 'native')).toEqual({ enrollment: 'sidecar', hbone: true });
  });

  test('a pod without the proxy container has no sidecar, even in an istio-injection=enabled namespace (created before the label)', () => {
    expect(enrollment('shop', 'before-labelling')).toEqual({ enrollment: 'none' });
  });

  test('an ambient pod is one istio-cni annotated as redirected; the namespace label alone captures nothing, and host-network pods never', () => {
    expect(enrollment('ambient', 'db')).toEqual({ enrollment: 'ambient' });
    expect(enrollment('ambient', 'not-captured')).toEqual({ enrollment: 'none' });
    expect(enrollment('ambient', 'node-agent')).toEqual({ enrollment: 'none' });
    expect(cluster.hasMeshFacts).toBe(true);
  });

  test('reads Services with their selector, labels and ports, targetPort defaulting to the port', () => {
    expect(cluster.findService('ambient', 'db')).toEqual({
      namespace: 'ambient',
      name: 'db',
      labels: { 'istio.io/use-waypoint': 'none' },
      selector: { app: 'db' },
      ports: [
        { name: 'pg', port: 5432, protocol: 'TCP', targetPort: 'postgres' },
        { port: 80, protocol: 'TCP', targetPort: 8080 },
        { port: 53, protocol: 'UDP', targetPort: 53 },
      ],
    });
    expect(cluster.findService('shop', 'external')).toEqual({ namespace: 'shop', name: 'external', labels: {}, ports: [] });
  });

  test('reads waypoints (Gateways of class istio-waypoint), ready once they have an address; other Gateways are not waypoints', () => {
    expect(cluster.waypoints).toEqual([
      { namespace: 'ambient', name: 'waypoint', waypointFor: 'all', ready: true },
      { namespace: 'shop', name: 'pending-waypoint', waypointFor: 'service', ready: false },
    ]);
  });

  test('keeps the service accounts, so a pod whose account is missing shows an incomplete snapshot', () => {
    expect([...cluster.serviceAccounts ?? []].sort()).toEqual(['ambient/default', 'shop/default', 'shop/web']);
    expect(() => parseCluster([{ file: 'cluster.yaml', text: meshSnapshot }, { file: 'accounts.yaml', text: accounts.replace('name: web', 'name: other') }]))
      .toThrow('Pod shop/web: its service account web is not among the ServiceAccounts of namespace shop');
  });

  test('a bare cluster model has no mesh facts unless the caller gives them', () => {
    const bare = ClusterModel.create({ pods: [{ name: 'a' }, { name: 'b', mesh: { enrollment: 'ambient' } }] });
    expect(bare.findPod('default', 'a')?.mesh).toBeUndefined();
    expect(bare.hasMeshFacts).toBe(false);
  });
});

describe('mesh facts that cannot be placed', () => {
  const pod = (metadata: string, spec = '{ containers: [{ name: c, image: i }] }') =>
    `apiVersion: v1\nkind: Namespace\nmetadata: { name: ns }\n---\napiVersion: v1\nkind: Pod\nmetadata: ${metadata}\nspec: ${spec}\n`;

  test('fails on an istio.io/rev the analyzer does not know, on the namespace or the pod, naming the option that places it', () => {
    const onNamespace = 'apiVersion: v1\nkind: Namespace\nmetadata: { name: ns, labels: { istio.io/rev: canary } }\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: ns }\n';
    expect(() => parseCluster({ file: 'c.yaml', text: onNamespace })).toThrow(ManifestError);
    expect(() => parseCluster({ file: 'c.yaml', text: onNamespace }))
      .toThrow(/c\.yaml, document 2 \(Pod ns\/p\): metadata: the namespace label istio\.io\/rev="canary" names an Istio revision the analyzer cannot place \(known: default\).*--istio-revision canary/);
    expect(() => parseCluster({ file: 'c.yaml', text: pod('{ name: p, namespace: ns, labels: { istio.io/rev: "1-24" } }') }))
      .toThrow(/the pod label istio\.io\/rev="1-24" names an Istio revision/);
    expect(parseCluster({ file: 'c.yaml', text: onNamespace }, { istioRevisions: ['default', 'canary'] }).findPod('ns', 'p')?.mesh).toEqual({ enrollment: 'none' });
  });

  test('fails on a pod whose ambient enrollment is pending: neither in the mesh nor out of it', () => {
    expect(() => parseCluster({ file: 'c.yaml', text: pod('{ name: p, namespace: ns, annotations: { ambient.istio.io/redirection: pending } }') }))
      .toThrow(/annotation ambient\.istio\.io\/redirection="pending": expected "enabled"/);
  });

  test('fails on a waypoint-for value Istio does not define, and on a Gateway of an API that is not Gateway API', () => {
    const gateway = (labels: string, apiVersion = 'gateway.networking.k8s.io/v1') =>
      `${pod('{ name: p, namespace: ns }')}---\napiVersion: ${apiVersion}\nkind: Gateway\nmetadata: { name: w, namespace: ns, labels: ${labels} }\nspec: { gatewayClassName: istio-waypoint }\n`;
    expect(() => parseCluster({ file: 'c.yaml', text: gateway('{ istio.io/waypoint-for: services }') }))
      .toThrow(/Gateway ns\/w\): metadata\.labels\["istio\.io\/waypoint-for"\]: expected one of service, workload, all, none, got "services"/);
    expect(() => parseCluster({ file: 'c.yaml', text: gateway('{}', 'networking.istio.io/v1') }))
      .toThrow(/apiVersion: expected "gateway\.networking\.k8s\.io\/v1" or "gateway\.networking\.k8s\.io\/v1beta1" for a Gateway, got "networking\.istio\.io\/v1"/);
  });

  test('fails on a Service port whose targetPort is neither a port number nor a port name', () => {
    const service = `${pod('{ name: p, namespace: ns }')}---\napiVersion: v1\nkind: Service\nmetadata: { name: s, namespace: ns }\nspec: { ports: [{ port: 80, targetPort: 70000 }] }\n`;
    expect(() => parseCluster({ file: 'c.yaml', text: service })).toThrow(/Service ns\/s\): spec\.ports\[0\]\.targetPort: expected an integer from 1 to 65535, got number 70000/);
  });

  test('throws on mesh facts a caller gives that cannot be, such as a host-network pod in the mesh', () => {
    expect(() => ClusterModel.create({ pods: [{ name: 'h', hostNetwork: true, mesh: { enrollment: 'sidecar' } }] }))
      .toThrow('Pod default/h: mesh.enrollment: a host-network pod is never in the mesh');
    expect(() => ClusterModel.create({ pods: [{ name: 'x', mesh: { enrollment: 'sidecars' as never } }] }))
      .toThrow('Pod default/x: mesh.enrollment: expected one of sidecar, ambient, none, got "sidecars"');
  });
});
