// Moving the production namespace into Istio in four phases, network policies
// first (the seed's gradual adoption, and the way out of its failure case 2):
// prepare (policies observed, mTLS PERMISSIVE), network (CNI policies enforced,
// the mesh still observing), enforce (mesh policies enforced, still
// PERMISSIVE), strict (STRICT mTLS) — one chart per phase, each with its
// rollback chart.
import { App } from 'cdk8s';
import { Engine, HttpRule, IstioMode, IstioPathNormalization, MeshMigration, Peer, Port, TargetProfile, Workload } from '../../src';
import { Example } from '../example';

/**
 * The cluster: pods in 10.244.0.0/16, Services in 10.96.0.0/16, the mesh's path normalization that HTTP path
 * rules need, and (ambient) an Istio whose istiod and ztunnels honour dry-run policies: 1.29 or later with
 * istiod's AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true. On the seed's Istio 1.24.2 the ambient prepare
 * phase would be enforced (docs/MESH-MIGRATION.md): synthesis fails there.
 */
const CLUSTER: TargetProfile = {
  podCidrs: ['10.244.0.0/16'],
  serviceCidrs: ['10.96.0.0/16'],
  istioPathNormalization: IstioPathNormalization.DECODE_AND_MERGE_SLASHES,
  istioVersion: '1.29.0',
  istioAmbientDryRun: true,
};

export const example: Example = {
  description: 'four-phase MeshMigration of production (prepare → network → enforce → strict), each phase with its rollback',
  engines: {
    // Calico stages the CNI policies in the prepare phase too (StagedNetworkPolicy), so egress is observed before it is enforced.
    'istio-sidecar-calico': () => Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.calico({ target: CLUSTER }) }),
    // Cilium cannot stage: its policies start in the network phase, while the mesh still only observes (docs/MESH-MIGRATION.md).
    'istio-ambient-cilium': () => Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.cilium({ target: CLUSTER }) }),
  },
  build(app: App, engine: Engine) {
    const migration = new MeshMigration(app, 'production-mesh', {
      namespace: 'production',
      engine,
      // Declared once the namespaces are labelled and their pods restarted; without it the strict phase fails.
      enrolledNamespaces: ['production', 'monitoring'],
      monitoring: { namespace: 'monitoring', serviceAccount: 'prometheus', ports: [Port.tcp(9090)] },
    });
    const backend = Workload.select({ app: 'backend-api' }, { service: 'backend-api', servicePorts: [{ port: 8080 }, { port: 9090 }] });
    migration.allowFrom('frontend-to-backend', {
      to: backend,
      peers: [Peer.serviceAccount('frontend')],
      ports: [Port.tcp(8080)],
      http: [HttpRule.get('/api/v1/*'), HttpRule.post('/api/v1/*')],
    });
    migration.egressToCidr('backend-to-rds', { workload: Workload.select({ app: 'backend-api' }), cidr: '10.100.0.0/16', ports: [Port.tcp(5432)] });
  },
};
