// A multi-tenant cluster: the platform team's cluster-wide guardrails, exceptions and baseline, and
// two tenants who write their own namespace policies. On the Kubernetes engine the cluster-wide
// intents become ClusterNetworkPolicies (network-policy-api), on Calico GlobalNetworkPolicies in its
// kube-admin tier; every intent means the same traffic on both (test/examples/matrix.test.ts).
import { App, Chart } from 'cdk8s';
import {
  AllowFrom, ClusterAllowDns, ClusterAlwaysAllow, ClusterDefaultDeny, ClusterDelegateToNamespaces, ClusterDeny,
  ClusterNetworkPolicyImplementation, DefaultDeny, Engine, Peer, PolicyDirection, Port, TargetProfile, Workload,
} from '../../src';
import { Example } from '../example';

/** Every tenant namespace carries `tenancy: tenant`, and `tenant: <name>`. */
const TENANTS = { tenancy: 'tenant' };
/** The cluster's pod and Service CIDRs: the metadata-service CIDR below is checked against them (docs/TARGET-PROFILE.md). */
const CLUSTER: TargetProfile = { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/16'] };
/** Namespaces the platform runs itself: never covered by the cluster-wide rules. */
const PLATFORM = ['monitoring'];

export const example: Example = {
  description: 'multi-tenant cluster: admin guardrails (metadata, tenant isolation), DNS and monitoring exceptions, a baseline egress deny, two tenants',
  chartsAppliedTogether: true,
  engines: {
    // kube-network-policies' npa-v1alpha2 variant enforces every field used here; it is not the
    // default variant, so the profile needs the declaration that it runs (docs/dialects/kubernetes.md).
    kubernetes: () => Engine.kubernetes({
      target: CLUSTER,
      clusterNetworkPolicy: { implementation: ClusterNetworkPolicyImplementation.kubeNetworkPolicies({ enabled: true }) },
    }),
    calico: () => Engine.calico({ target: CLUSTER }),
  },
  build(app: App, engine: Engine) {
    const platform = new Chart(app, 'platform');
    Engine.attach(platform, engine);

    // Priority 10: no tenant pod reaches the cloud metadata service, whatever its namespace allows.
    new ClusterDeny(platform, 'no-metadata-service', {
      priority: 10,
      direction: PolicyDirection.EGRESS,
      namespaceLabels: TENANTS,
      exceptNamespaces: PLATFORM,
      peers: [Peer.cidr('169.254.169.254/32')],
      ports: [Port.allTraffic()],
    });
    // Priority 20: Prometheus scrapes every tenant pod's metrics port, whatever the tenant's policies say.
    new ClusterAlwaysAllow(platform, 'monitoring-scrape', {
      priority: 20,
      direction: PolicyDirection.INGRESS,
      namespaceLabels: TENANTS,
      exceptNamespaces: PLATFORM,
      peers: [Peer.pods({ namespace: 'monitoring', podLabels: { app: 'prometheus' } })],
      ports: [Port.tcp(9090)],
    });
    // Priority 30: traffic inside a tenant is the tenant's business (its NetworkPolicies decide)...
    for (const tenant of ['a', 'b']) {
      new ClusterDelegateToNamespaces(platform, `tenant-${tenant}-internal`, {
        priority: 30,
        direction: PolicyDirection.INGRESS,
        namespaceLabels: { tenant },
        exceptNamespaces: PLATFORM,
        peers: [Peer.namespacesWithLabels({ tenant })],
        ports: [Port.allTraffic()],
      });
    }
    // ...priority 40: and no tenant reaches into another tenant.
    new ClusterDeny(platform, 'tenant-isolation', {
      priority: 40,
      direction: PolicyDirection.INGRESS,
      namespaceLabels: TENANTS,
      exceptNamespaces: PLATFORM,
      peers: [Peer.namespacesWithLabels(TENANTS)],
      ports: [Port.allTraffic()],
    });
    // Priority 50: DNS always works (after the guardrails, so they could still forbid it).
    new ClusterAllowDns(platform, 'cluster-dns', { priority: 50, exceptNamespaces: PLATFORM });
    // Baseline: egress is denied unless a namespace policy (or an exception above) allows it.
    new ClusterDefaultDeny(platform, 'baseline-egress', { directions: [PolicyDirection.EGRESS], exceptNamespaces: PLATFORM });

    // Tenant A: web → api on 8080; everything else in the namespace denied.
    const a = new Chart(app, 'tenant-a', { namespace: 'tenant-a' });
    Engine.attach(a, engine);
    new DefaultDeny(a, 'default-deny');
    new AllowFrom(a, 'web-to-api', { to: Workload.select({ app: 'api' }), peers: [Peer.workload(Workload.select({ app: 'web' }))], ports: [Port.tcp(8080)] });

    // Tenant B: only denies ingress by default, and lets its web pods in from anyone on 8080.
    const b = new Chart(app, 'tenant-b', { namespace: 'tenant-b' });
    Engine.attach(b, engine);
    new DefaultDeny(b, 'default-deny', { directions: [PolicyDirection.INGRESS] });
    new AllowFrom(b, 'web-from-anyone', { to: Workload.select({ app: 'web' }), peers: [Peer.anyone()], ports: [Port.tcp(8080)] });
  },
};
