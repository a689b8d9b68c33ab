// The seed article's production scenario: default deny, DNS, and only the
// flows the application needs.
import { App, Chart } from 'cdk8s';
import { AllowDns, AllowFrom, DefaultDeny, EgressToCidr, Engine, Peer, Port, TargetProfile, Workload } from '../../src';
import { Example } from '../example';

/** The private ranges an "internet HTTPS" allowance must not reach. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/**
 * The cluster (examples/production/cluster.yaml): pods in 10.244.0.0/16, Services in 10.96.0.0/16. Every CIDR
 * peer is checked against them (a CIDR that overlaps pods would mean different traffic on different engines).
 */
const CLUSTER: TargetProfile = { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/16'] };

export const example: Example = {
  description: 'seed production scenario: default deny, DNS, frontend → backend-api → redis/RDS/HTTPS, Prometheus scraping',
  engines: {
    kubernetes: () => Engine.kubernetes({ target: CLUSTER }),
    // Exact on Cilium too: its CIDR rules match only addresses outside the cluster, which is what the
    // internet-HTTPS allowance means (docs/dialects/cilium.md, "CIDRs and cluster addresses").
    cilium: () => Engine.cilium({ target: CLUSTER }),
    // Tier default, order 1000: the same place Calico gives Kubernetes NetworkPolicies (docs/dialects/calico.md).
    calico: () => Engine.calico({ target: CLUSTER }),
  },
  build(app: App, engine: Engine) {
    const chart = new Chart(app, 'production', { namespace: 'production' });
    Engine.attach(chart, engine);

    const frontend = Workload.select({ app: 'frontend' });
    const backend = Workload.select({ app: 'backend-api' });
    const redis = Workload.select({ app: 'redis' });

    new DefaultDeny(chart, 'default-deny');
    new AllowDns(chart, 'allow-dns');
    new AllowFrom(chart, 'frontend-to-backend', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)] });
    new AllowFrom(chart, 'backend-to-redis', { to: redis, peers: [Peer.workload(backend)], ports: [Port.tcp(6379)] });
    new EgressToCidr(chart, 'backend-to-rds', { workload: backend, cidr: '10.100.0.0/16', ports: [Port.tcp(5432)] });
    new EgressToCidr(chart, 'backend-to-internet-https', { workload: backend, cidr: '0.0.0.0/0', exceptCidrs: PRIVATE_RANGES, ports: [Port.tcp(443)] });
    new AllowFrom(chart, 'prometheus-scrape', {
      to: backend,
      peers: [Peer.pods({ namespaceLabels: { team: 'monitoring' }, podLabels: { app: 'prometheus' } })],
      ports: [Port.tcp(9090)],
    });
  },
};
