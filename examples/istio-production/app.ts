// The seed article's Istio policies: frontend (service account) → backend-api
// GET/POST /api/v1/*, Prometheus (service account in namespace monitoring) →
// GET /metrics, STRICT mTLS in production — on top of the zero-trust
// baseline, with the CNI layer doing default deny, DNS and the RDS egress.
import { App, Chart } from 'cdk8s';
import { Engine, HttpRule, IstioMode, IstioPathNormalization, Peer, Port, TargetProfile, Workload, ZeroTrustNamespace } from '../../src';
import { Example } from '../example';

/**
 * The cluster: pods in 10.244.0.0/16, Services in 10.96.0.0/16, and the mesh's path normalization that HTTP
 * path rules need (meshConfig.pathNormalization.normalization: DECODE_AND_MERGE_SLASHES; Istio's default BASE
 * does not merge slashes, so "/api//v1/orders" would not match "/api/v1/*").
 */
const CLUSTER: TargetProfile = {
  podCidrs: ['10.244.0.0/16'],
  serviceCidrs: ['10.96.0.0/16'],
  istioPathNormalization: IstioPathNormalization.DECODE_AND_MERGE_SLASHES,
};

export const example: Example = {
  description: 'seed Istio policies: frontend SA → backend-api GET/POST /api/v1/*, prometheus SA → GET /metrics, STRICT mTLS, layered on a CNI',
  engines: {
    // Ambient: the HTTP rules go to the waypoint (Gateway `waypoint`, bound by the backend-api Service); label the
    // Service istio.io/use-waypoint=waypoint, as the seed does with `kubectl label service backend-api`.
    'istio-ambient-cilium': () => Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.cilium({ target: CLUSTER }) }),
    // Sidecars enforce the HTTP rules themselves; Kubernetes NetworkPolicy cannot select service accounts, so it
    // admits the accounts' namespaces at L4 and Istio checks the identities (docs/dialects/istio.md).
    'istio-sidecar-kubernetes': () => Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes({ target: CLUSTER }) }),
  },
  build(app: App, engine: Engine) {
    const chart = new Chart(app, 'production', { namespace: 'production' });
    const production = new ZeroTrustNamespace(chart, 'zero-trust', { engine });

    // The seed binds its AuthorizationPolicy to the backend-api Service (targetRefs).
    const backend = Workload.select({ app: 'backend-api' }, { service: 'backend-api', servicePorts: [{ port: 8080 }, { port: 9090 }] });

    production.allowFrom('frontend-to-backend', {
      to: backend,
      peers: [Peer.serviceAccount('frontend')],
      ports: [Port.tcp(8080)],
      http: [HttpRule.get('/api/v1/*'), HttpRule.post('/api/v1/*')],
    });
    production.allowFrom('prometheus-metrics', {
      to: backend,
      peers: [Peer.serviceAccount('prometheus', 'monitoring')],
      ports: [Port.tcp(9090)],
      http: [HttpRule.get('/metrics')],
    });
    production.egressToCidr('backend-to-rds', { workload: Workload.select({ app: 'backend-api' }), cidr: '10.100.0.0/16', ports: [Port.tcp(5432)] });
  },
};
