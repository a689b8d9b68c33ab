// The seed article's production scenario written once: only the engine changes. Default deny and DNS
// (ZeroTrustNamespace), frontend → backend-api, backend-api → redis said from the backend (the seed's
// backend-egress-policy), backend-api → RDS and internet HTTPS, Prometheus scraping; STRICT mTLS where
// the engine has it. Each workload names the service account it runs as and declares it exclusive, so
// that engines without identities select it by its labels and Istio checks the identity.
import { App, Chart } from 'cdk8s';
import { Engine, IstioMode, IstioPathNormalization, Peer, Port, TargetProfile, Workload, ZeroTrustNamespace } from '../../src';
import { Example } from '../example';

/** The private ranges an "internet HTTPS" allowance must not reach. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

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

const istio = (mode: IstioMode, cni: () => Engine) => () => Engine.istio({ mode, cni: cni() });

export const example: Example = {
  description: 'seed production scenario written once: the same app on every engine, only Engine.X switched',
  engines: {
    'kubernetes': () => Engine.kubernetes({ target: CLUSTER }),
    'cilium': () => Engine.cilium({ target: CLUSTER }),
    'calico': () => Engine.calico({ target: CLUSTER }),
    'istio-sidecar-kubernetes': istio(IstioMode.SIDECAR, () => Engine.kubernetes({ target: CLUSTER })),
    'istio-sidecar-cilium': istio(IstioMode.SIDECAR, () => Engine.cilium({ target: CLUSTER })),
    'istio-sidecar-calico': istio(IstioMode.SIDECAR, () => Engine.calico({ target: CLUSTER })),
    'istio-ambient-kubernetes': istio(IstioMode.AMBIENT, () => Engine.kubernetes({ target: CLUSTER })),
    'istio-ambient-cilium': istio(IstioMode.AMBIENT, () => Engine.cilium({ target: CLUSTER })),
    'istio-ambient-calico': istio(IstioMode.AMBIENT, () => Engine.calico({ target: CLUSTER })),
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
