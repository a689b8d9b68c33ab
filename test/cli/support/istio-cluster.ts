/**
 * A cluster for the Istio examples (the seed's production scenario), every application pod in the
 * mesh with the data plane given: frontend, backend-api, redis and another pod in production,
 * prometheus in monitoring, istiod and the cluster DNS; a pod outside the mesh (legacy, plaintext);
 * the backend-api Service. Ambient: the pods captured by ztunnel, the Service bound to the ready
 * waypoint `waypoint` with its pod. Each application pod runs as its own service account, so an
 * identity names one pod.
 */
export function istioExampleCluster(mode: 'sidecar' | 'ambient'): string {
  const meshed = mode === 'ambient' ? ', annotations: { ambient.istio.io/redirection: enabled }' : '';
  const proxy = mode === 'sidecar' ? ', { name: istio-proxy }' : '';
  const pod = (ns: string, name: string, sa: string, ip: string, inMesh = true) => `---
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${ns}, labels: { app: ${name} }${inMesh ? meshed : ''} }
spec:
  serviceAccountName: ${sa}
  containers: [{ name: app, ports: [{ name: http, containerPort: 8080 }, { name: metrics, containerPort: 9090 }] }${inMesh ? proxy : ''}]
status: { podIP: ${ip} }
`;
  const namespaces = ['production', 'monitoring', 'istio-system', 'kube-system']
    .map((ns) => `---\napiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n`).join('');
  const waypoint = mode !== 'ambient' ? '' : `---
apiVersion: v1
kind: Pod
metadata: { name: waypoint-7d9f, namespace: production, labels: { gateway.networking.k8s.io/gateway-name: waypoint, istio.io/dataplane-mode: none } }
spec: { serviceAccountName: waypoint, containers: [{ name: istio-proxy }] }
status: { podIP: 10.244.0.20 }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: production, labels: { istio.io/waypoint-for: service } }
spec: { gatewayClassName: istio-waypoint, listeners: [{ name: mesh, port: 15008, protocol: HBONE }] }
status: { addresses: [{ type: IPAddress, value: 10.96.0.20 }] }
`;
  return namespaces
    + pod('production', 'frontend', 'frontend', '10.244.0.1')
    + pod('production', 'backend-api', 'backend', '10.244.0.2')
    + pod('production', 'redis', 'redis', '10.244.0.3')
    + pod('production', 'worker', 'worker', '10.244.0.4')
    + pod('production', 'legacy', 'legacy', '10.244.0.5', false)
    + pod('monitoring', 'prometheus', 'prometheus', '10.244.1.1')
    + `---
apiVersion: v1
kind: Pod
metadata: { name: istiod, namespace: istio-system, labels: { app: istiod } }
spec: { serviceAccountName: istiod, containers: [{ name: discovery }] }
status: { podIP: 10.244.2.1 }
---
apiVersion: v1
kind: Pod
metadata: { name: coredns, namespace: kube-system, labels: { k8s-app: kube-dns } }
spec: { containers: [{ name: coredns }] }
status: { podIP: 10.244.3.1 }
---
apiVersion: v1
kind: Service
metadata: { name: backend-api, namespace: production${mode === 'ambient' ? ', labels: { istio.io/use-waypoint: waypoint }' : ''} }
spec:
  selector: { app: backend-api }
  ports: [{ name: http, port: 8080, targetPort: http }, { name: metrics, port: 9090, targetPort: 9090 }]
`
    + waypoint;
}
