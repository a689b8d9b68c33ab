// The seed article's production scenario written once: only the engine changes. Default deny and DNS
// (ZeroTrustNamespace), frontend → backend-api, backend-api → redis said from the backend (the seed's
// backend-egress-policy), backend-api → RDS and internet HTTPS, Prometheus scraping; STRICT mTLS where
// the engine has it. Each workload names the service account it runs as and declares it exclusive, so
// that engines without identities select it by its labels and Istio checks the identity.
import { App, Chart } from 'cdk8s';
import { Engine, IstioMode, Peer, Port, Workload, ZeroTrustNamespace } from '../../src';
import { Example } from '../example';

/** The private ranges an "internet HTTPS" allowance must not reach. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

const istio = (mode: IstioMode, cni: () => Engine) => () => Engine.istio({ mode, cni: cni() });

export const example: Example = {
  description: 'seed production scenario written once: the same app on every engine, only Engine.X switched',
  engines: {
    'kubernetes': () => Engine.kubernetes(),
    'cilium': () => Engine.cilium(),
    'calico': () => Engine.calico(),
    'istio-sidecar-kubernetes': istio(IstioMode.SIDECAR, () => Engine.kubernetes()),
    'istio-sidecar-cilium': istio(IstioMode.SIDECAR, () => Engine.cilium()),
    'istio-sidecar-calico': istio(IstioMode.SIDECAR, () => Engine.calico()),
    'istio-ambient-kubernetes': istio(IstioMode.AMBIENT, () => Engine.kubernetes()),
    'istio-ambient-cilium': istio(IstioMode.AMBIENT, () => Engine.cilium()),
    'istio-ambient-calico': istio(IstioMode.AMBIENT, () => Engine.calico()),
  },
  build(app: App, engine: Engine) {
    const chart = new Chart(app, 'production', { namespace: 'production' });
    const production = new ZeroTrustNamespace(chart, 'zero-trust', {
      engine,
      // Nothing to acknowledge on Istio (STRICT mTLS); on the CNI engines the requirement renders nothing.
      acknowledgeNoEncryption: true,
      // By namespace name: Istio admits the scraper by its identity, and identities name their namespace.
      monitoring: { namespace: 'monitoring', podLabels: { app: 'prometheus' }, serviceAccount: 'prometheus', exclusiveServiceAccount: true, ports: [Port.tcp(9090)] },
    });

    const frontend = Workload.select({ app: 'frontend' }, { serviceAccount: 'frontend', exclusiveServiceAccount: true });
    const backend = Workload.select({ app: 'backend-api' }, { serviceAccount: 'backend', exclusiveServiceAccount: true, service: 'backend-api' });
    const redis = Workload.select({ app: 'redis' }, { serviceAccount: 'redis', exclusiveServiceAccount: true });

    production.allowFrom('frontend-to-backend', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)] });
    production.allowTo('backend-to-redis', { workload: backend, peers: [Peer.workload(redis)], ports: [Port.tcp(6379)] });
    production.egressToCidr('backend-to-rds', { workload: backend, cidr: '10.100.0.0/16', ports: [Port.tcp(5432)] });
    production.egressToCidr('backend-to-internet-https', { workload: backend, cidr: '0.0.0.0/0', exceptCidrs: PRIVATE_RANGES, ports: [Port.tcp(443)] });
  },
};
