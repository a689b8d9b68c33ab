import { App, Testing } from 'cdk8s';
import {
  Engine, HttpRule, IstioMode, MeshMigration, MeshMigrationPhase, MeshMigrationProps, MIGRATION_LABEL, PHASE_LABEL, Peer, Port, Workload,
} from '../../src';
import { otherAnnotations } from '../helpers/intent-metadata';
import { errorOf, synthValid } from '../helpers/synth';
import { testEngine } from '../helpers/target';

const backend = Workload.select({ app: 'backend-api' }, { service: 'backend-api', servicePorts: [{ port: 8080 }, { port: 9090 }] });
const frontendSa = Peer.serviceAccount('frontend');

function migration(props: Partial<MeshMigrationProps> = {}, app: App = Testing.app()): MeshMigration {
  const m = new MeshMigration(app, 'production-mesh', {
    namespace: 'production',
    engine: testEngine.istio({ mode: IstioMode.SIDECAR, cni: testEngine.kubernetes() }),
    enrolledNamespaces: ['production'],
    ...props,
  });
  m.allowFrom('frontend-to-backend', { to: backend, peers: [frontendSa], ports: [Port.tcp(8080)], http: [HttpRule.get('/api/v1/*')] });
  m.egressToCidr('rds', { workload: Workload.select({ app: 'backend-api' }), cidr: '10.100.0.0/16', ports: [Port.tcp(5432)] });
  return m;
}

const kinds = (objs: any[]) => objs.map(o => `${o.kind}/${o.metadata.name}`).sort();

describe('MeshMigration', () => {
  test('synthesizes one chart per phase and one rollback chart per phase, with ids that sort in apply order', () => {
    const m = migration();
    expect(m.phaseCharts.map(c => c.node.id)).toEqual(['1-prepare', '2-network', '3-enforce', '4-strict']);
    expect(m.rollbackCharts.map(c => c.node.id)).toEqual(['1-prepare-rollback', '2-network-rollback', '3-enforce-rollback', '4-strict-rollback']);
    const files = [...m.phaseCharts, ...m.rollbackCharts].map(c => `${c.node.path.replace(/\//g, '-')}`);
    expect([...files].sort()).toEqual(['production-mesh-1-prepare', 'production-mesh-1-prepare-rollback', 'production-mesh-2-network',
      'production-mesh-2-network-rollback', 'production-mesh-3-enforce', 'production-mesh-3-enforce-rollback', 'production-mesh-4-strict',
      'production-mesh-4-strict-rollback']);
    expect(m.chartOf(MeshMigrationPhase.ENFORCE)).toBe(m.phaseCharts[2]);
  });

  test('prepare: every AuthorizationPolicy in dry-run, mTLS PERMISSIVE, nothing enforced on a CNI that cannot stage', () => {
    const objs = synthValid(migration().chartOf(MeshMigrationPhase.PREPARE));
    const aps = objs.filter(o => o.kind === 'AuthorizationPolicy');
    expect(aps.length).toBeGreaterThan(0);
    for (const ap of aps) expect(otherAnnotations(ap.metadata.annotations)).toEqual({ 'istio.io/dry-run': 'true' });
    expect(objs.filter(o => o.kind === 'PeerAuthentication').map(o => o.spec)).toEqual([{ mtls: { mode: 'PERMISSIVE' } }]);
    expect(objs.filter(o => o.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('prepare on a CNI that can stage: CNI policies staged too (Calico), including egress and the plumbing', () => {
    const m = migration({ engine: testEngine.istio({ mode: IstioMode.SIDECAR, cni: testEngine.calico() }) });
    const objs = synthValid(m.chartOf(MeshMigrationPhase.PREPARE));
    const calico = objs.filter(o => o.apiVersion === 'projectcalico.org/v3');
    expect(calico.map(o => o.kind)).toEqual(calico.map(() => 'StagedNetworkPolicy'));
    expect(calico.map(o => o.metadata.name)).toEqual(expect.arrayContaining(['production-mesh-rds-egress', 'mesh-istiod-egress']));
  });

  test('enforce: the same objects enforced, mTLS still PERMISSIVE; strict: only the mTLS mode changes', () => {
    const m = migration();
    const enforce = synthValid(m.chartOf(MeshMigrationPhase.ENFORCE));
    const strict = synthValid(m.chartOf(MeshMigrationPhase.STRICT));
    for (const ap of enforce.filter(o => o.kind === 'AuthorizationPolicy')) expect(otherAnnotations(ap.metadata.annotations)).toEqual({});
    expect(enforce.filter(o => o.kind === 'PeerAuthentication').map(o => o.spec.mtls.mode)).toEqual(['PERMISSIVE']);
    expect(strict.filter(o => o.kind === 'PeerAuthentication').map(o => o.spec.mtls.mode)).toEqual(['STRICT']);
    const withoutMode = (objs: any[]) => objs.map(o => ({ ...o, metadata: { ...o.metadata, labels: {} }, spec: o.kind === 'PeerAuthentication' ? {} : o.spec }));
    expect(withoutMode(strict)).toEqual(withoutMode(enforce));
    // Same names in every phase: applying a phase updates the previous one in place.
    expect(kinds(enforce)).toEqual(expect.arrayContaining(kinds(synthValid(m.chartOf(MeshMigrationPhase.PREPARE)))));
  });

  test('every rollback chart holds exactly the state of the phase before; before prepare there were no objects', () => {
    const m = migration();
    const [prepare, network, enforce] = m.phaseCharts.map(c => synthValid(c));
    const [undoPrepare, undoNetwork, undoEnforce, undoStrict] = m.rollbackCharts.map(c => synthValid(c));
    expect(undoPrepare).toEqual([]);
    expect(undoNetwork).toEqual(prepare);
    expect(undoEnforce).toEqual(network);
    expect(undoStrict).toEqual(enforce);
  });

  test('every phase\'s objects name the intent where it was declared (the migration), not the phase chart\'s copy', () => {
    const m = migration();
    const paths = (objs: any[]) => objs.map(o => `${o.kind}/${o.metadata.name} ${o.metadata.annotations['zero-trust.cdk8s.io/construct-path']}`);
    const enforce = synthValid(m.chartOf(MeshMigrationPhase.ENFORCE));
    expect(paths(enforce)).toEqual(expect.arrayContaining(['AuthorizationPolicy/production-mesh-default-deny production-mesh/default-deny']));
    for (const o of enforce) expect(o.metadata.annotations['zero-trust.cdk8s.io/construct-path']).toMatch(/^production-mesh\/[^/]+$/);
    expect(paths(synthValid(m.chartOf(MeshMigrationPhase.PREPARE)))).toEqual(expect.arrayContaining(paths(enforce).filter(p => p.startsWith('AuthorizationPolicy/'))));
  });

  test('labels every object with the migration and the phase whose state it is', () => {
    const m = migration();
    for (const [chart, phase] of [[m.phaseCharts[1], 'network'], [m.phaseCharts[2], 'enforce'], [m.rollbackCharts[3], 'enforce'], [m.phaseCharts[3], 'strict']] as const) {
      for (const o of synthValid(chart)) expect(o.metadata.labels).toEqual({ [MIGRATION_LABEL]: 'production-mesh', [PHASE_LABEL]: phase });
    }
  });

  test('the strict phase fails synthesis unless every workload the migration names is declared enrolled', () => {
    const app = Testing.app();
    const m = migration({ enrolledNamespaces: [] }, app);
    m.allowFrom('metrics', { to: backend, peers: [Peer.serviceAccount('prometheus', 'monitoring')], ports: [Port.tcp(9090)] });
    expect(errorOf(() => app.synthYaml())).toContain('[production-mesh] the strict phase (4-strict) requires STRICT mutual TLS, which rejects every client outside the mesh, but these workloads the migration names are not declared enrolled in the mesh: '
      + 'production/app=backend-api (protected by production-mesh/frontend-to-backend); pods (all) with service account frontend in namespace production (peer in production-mesh/frontend-to-backend); '
      + 'production/app=backend-api (egress of production-mesh/rds); '
      + 'production/app=backend-api (protected by production-mesh/metrics); pods (all) with service account prometheus in namespace monitoring (peer in production-mesh/metrics). '
      + 'Fix: enroll them (label the namespace istio.io/dataplane-mode=ambient, or istio-injection=enabled and restart the pods) and declare it with enrolledNamespaces / enrollNamespace() or enrolledWorkloads / enrollWorkload(); until then synthesize up to lastPhase: MeshMigrationPhase.ENFORCE.');
  });

  test('...and passes once they are enrolled, by namespace or by workload', () => {
    const app = Testing.app();
    const m = migration({ enrolledNamespaces: ['production'] }, app);
    m.allowFrom('metrics', { to: backend, peers: [Peer.serviceAccount('prometheus', 'monitoring')], ports: [Port.tcp(9090)] });
    expect(errorOf(() => app.synthYaml())).toContain('pods (all) with service account prometheus in namespace monitoring');
    m.enrollWorkload(Workload.allPods({ namespace: 'monitoring', serviceAccount: 'prometheus' }));
    expect(app.synthYaml()).toContain('kind: PeerAuthentication');
  });

  test('stopping at the enforce phase skips the strict phase and its guardrail', () => {
    const app = Testing.app();
    const m = migration({ enrolledNamespaces: [], lastPhase: MeshMigrationPhase.ENFORCE }, app);
    expect(m.phaseCharts.map(c => c.node.id)).toEqual(['1-prepare', '2-network', '3-enforce']);
    expect(app.synthYaml()).not.toContain('mode: STRICT');
    expect(errorOf(() => m.chartOf(MeshMigrationPhase.STRICT))).toBe('[production-mesh] phase strict is not synthesized (lastPhase is enforce). Fix: raise lastPhase.');
  });

  test('requires an Istio engine', () => {
    expect(errorOf(() => new MeshMigration(Testing.app(), 'm', { namespace: 'production', engine: Engine.cilium() })))
      .toBe('[m] invalid engine: got "cilium"; expected an Istio engine: Engine.istio({ mode, cni }). Fix: a mesh migration moves a namespace into Istio; pass Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.kubernetes() }) or similar');
  });

  test('decides the stage itself', () => {
    const m = migration();
    expect(errorOf(() => m.allowFrom('x', { to: backend, peers: [frontendSa], ports: [Port.tcp(1)], stage: 'enforce' as any })))
      .toBe('[production-mesh/x] invalid stage: got "enforce"; expected no stage: the migration observes policies in prepare and enforces them from network (CNI) and enforce (mesh) on. Fix: drop `stage`');
  });

  test('ambient: the waypoint exists from prepare on, so its dry-run policies can be observed', () => {
    const m = migration({ engine: testEngine.istio({ mode: IstioMode.AMBIENT, cni: testEngine.cilium() }) });
    for (const chart of m.phaseCharts) expect(synthValid(chart).filter(o => o.kind === 'Gateway')).toHaveLength(1);
  });

  test('allowTo: the egress allowance from the network phase on, its mesh side enforced from the enforce phase on (a CNI that cannot stage observes no egress)', () => {
    const m = migration();
    m.allowTo('backend-to-redis', { workload: Workload.select({ app: 'backend-api' }, { serviceAccount: 'backend', exclusiveServiceAccount: true }), peers: [Peer.workload(Workload.select({ app: 'redis' }))], ports: [Port.tcp(6379)] });
    const prepare = synthValid(m.chartOf(MeshMigrationPhase.PREPARE)).map(o => o.metadata.name);
    const network = synthValid(m.chartOf(MeshMigrationPhase.NETWORK));
    const enforce = synthValid(m.chartOf(MeshMigrationPhase.ENFORCE));
    expect(prepare.filter(n => n.includes('backend-to-redis'))).toEqual([]);
    expect(kinds(network).filter(k => k.includes('backend-to-redis'))).toEqual(kinds(enforce).filter(k => k.includes('backend-to-redis')));
    expect(network.find(o => o.metadata.name === 'production-mesh-backend-to-redis-ingress-production' && o.kind === 'AuthorizationPolicy').metadata.annotations)
      .toEqual({
        'istio.io/dry-run': 'true',
        'zero-trust.cdk8s.io/construct-path': 'production-mesh/backend-to-redis',
        'zero-trust.cdk8s.io/intent': 'AllowTo',
      });
    expect(kinds(enforce).filter(k => k.includes('backend-to-redis'))).toEqual([
      'AuthorizationPolicy/production-mesh-backend-to-redis-ingress-production',
      'NetworkPolicy/production-mesh-backend-to-redis-egress',
      'NetworkPolicy/production-mesh-backend-to-redis-ingress-production',
    ]);
  });

  test('allowTo names its workload and peers for the strict phase\'s enrollment check', () => {
    const m = migration({ enrolledNamespaces: [], enrolledWorkloads: [backend, Workload.select({ app: 'frontend' })] });
    m.allowTo('to-cache', { workload: Workload.select({ app: 'backend-api' }, { serviceAccount: 'backend', exclusiveServiceAccount: true }), peers: [Peer.namespace('cache')], ports: [Port.tcp(6379)] });
    expect(errorOf(() => synthValid(m.chartOf(MeshMigrationPhase.STRICT)))).toContain('pods (all) in namespace cache (peer in production-mesh/to-cache)');
  });
});
