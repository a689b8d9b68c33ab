// The seed article's CiliumNetworkPolicy "backend-l7-policy": only the HTTP
// requests the application needs reach backend-api.
import { App, Chart } from 'cdk8s';
import { AllowFrom, Engine, HttpRule, Peer, Port, Workload } from '../../src';
import { Example } from '../example';

export const example: Example = {
  description: 'seed Cilium L7 policy: frontend → backend-api GET /api/v1/products, POST /api/v1/orders, GET /healthz on 8080; prometheus → GET /metrics on 9090',
  engines: {
    // Cilium's agent flag http-normalize-path is on by default: the HTTP paths below mean the normalized path.
    cilium: () => Engine.cilium({ target: { ciliumHttpNormalizePath: true } }),
  },
  build(app: App, engine: Engine) {
    const chart = new Chart(app, 'production', { namespace: 'production' });
    Engine.attach(chart, engine);

    const backend = Workload.select({ app: 'backend-api' });
    new AllowFrom(chart, 'frontend-to-backend', {
      to: backend,
      peers: [Peer.workload(Workload.select({ app: 'frontend' }))],
      ports: [Port.tcp(8080)],
      http: [HttpRule.get('/api/v1/products'), HttpRule.post('/api/v1/orders'), HttpRule.get('/healthz')],
    });
    // The seed's fromEndpoints has no namespace, which Cilium reads as the policy's own namespace.
    new AllowFrom(chart, 'prometheus-scrape', {
      to: backend,
      peers: [Peer.workload(Workload.select({ app: 'prometheus' }))],
      ports: [Port.tcp(9090)],
      http: [HttpRule.get('/metrics')],
    });
  },
};
