import { Testing } from 'cdk8s';
import { Engine, HttpRule, IstioMode, MeshMigration, Peer, Port, TargetProfile, Workload } from '../../src';
import { errorOf, synthValid } from '../helpers/synth';
import { TEST_TARGET, testEngine } from '../helpers/target';

/*
 * The migration in the seed's order, "network policies first, validated, then the mesh" (issue 13 item 7), as
 * expectations on the objects each phase renders. The expected table is the order itself, not read from the code:
 *
 *   phase    | CNI policies                          | mesh AuthorizationPolicies | PeerAuthentication
 *   prepare  | staged where the CNI can (Calico)     | dry-run (observed)         | PERMISSIVE
 *   network  | enforced                              | dry-run (observed)         | PERMISSIVE
 *   enforce  | enforced                              | enforced                   | PERMISSIVE
 *   strict   | enforced                              | enforced                   | STRICT
 *
 * and every rollback chart is the phase before. Once the mesh-aware analyzer exists, the same phases are to be
 * diffed with it (see the report of the mesh-rendering branch): this test proves which objects change, not yet
 * which flows.
 */

const backend = Workload.select({ app: 'backend-api' }, { service: 'backend-api', servicePorts: [{ port: 8080 }, { port: 9090 }] });

function migration(engine: Engine, props: { observeMeshPolicies?: boolean } = {}): MeshMigration {
  const m = new MeshMigration(Testing.app(), 'production-mesh', { namespace: 'production', engine, enrolledNamespaces: ['production', 'monitoring'], ...props });
  m.allowFrom('frontend-to-backend', { to: backend, peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)], http: [HttpRule.get('/api/v1/*')] });
  m.allowFrom('metrics', { to: backend, peers: [Peer.serviceAccount('prometheus', 'monitoring')], ports: [Port.tcp(9090)] });
  m.egressToCidr('rds', { workload: Workload.select({ app: 'backend-api' }), cidr: '203.0.113.0/24', ports: [Port.tcp(5432)] });
  return m;
}

const CNI_KINDS = new Set(['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'GlobalNetworkPolicy']);
const STAGED_KINDS = new Set(['StagedNetworkPolicy', 'StagedGlobalNetworkPolicy', 'StagedKubernetesNetworkPolicy']);

interface PhaseView {
  readonly cniEnforced: string[];
  readonly cniStaged: string[];
  readonly meshEnforced: string[];
  readonly meshObserved: string[];
  readonly mtls: string[];
}

function view(objs: any[]): PhaseView {
  const names = (f: (o: any) => boolean) => objs.filter(f).map(o => `${o.kind}/${o.metadata.name}`).sort();
  const ap = (o: any) => o.kind === 'AuthorizationPolicy';
  const dryRun = (o: any) => o.metadata.annotations?.['istio.io/dry-run'] === 'true';
  return {
    cniEnforced: names(o => CNI_KINDS.has(o.kind)),
    cniStaged: names(o => STAGED_KINDS.has(o.kind)),
    meshEnforced: names(o => ap(o) && !dryRun(o)),
    meshObserved: names(o => ap(o) && dryRun(o)),
    mtls: objs.filter(o => o.kind === 'PeerAuthentication').map(o => o.spec.mtls.mode),
  };
}

/** The staged kind's name for the enforced one: Calico stages the same object under the same name. */
const staged = (names: string[]) => names.map(n => n.replace(/^NetworkPolicy\//, 'StagedNetworkPolicy/').replace(/^GlobalNetworkPolicy\//, 'StagedGlobalNetworkPolicy/')).sort();

describe('MeshMigration in the seed\'s order: CNI policies first, then mesh enforcement, then STRICT', () => {
  const cases: [string, IstioMode, () => Engine, boolean][] = [
    ['sidecar on Kubernetes', IstioMode.SIDECAR, () => testEngine.kubernetes(), false],
    ['sidecar on Cilium', IstioMode.SIDECAR, () => testEngine.cilium(), false],
    ['sidecar on Calico', IstioMode.SIDECAR, () => testEngine.calico(), true],
    ['ambient on Kubernetes', IstioMode.AMBIENT, () => testEngine.kubernetes(), false],
    ['ambient on Cilium', IstioMode.AMBIENT, () => testEngine.cilium(), false],
    ['ambient on Calico', IstioMode.AMBIENT, () => testEngine.calico(), true],
  ];
  test.each(cases)('%s: each phase renders what the table says, and each rollback is the phase before', (_name, mode, cni, canStage) => {
    const m = migration(Engine.istio({ mode, cni: cni() }));
    const [prepare, network, enforce, strict] = m.phaseCharts.map(c => view(synthValid(c)));

    // The CNI objects: enforced from the network phase on, the same ones in every later phase.
    expect(network.cniEnforced.length).toBeGreaterThan(0);
    expect(prepare.cniEnforced).toEqual([]);
    expect(enforce.cniEnforced).toEqual(network.cniEnforced);
    expect(strict.cniEnforced).toEqual(network.cniEnforced);
    // Observed before they are enforced where the CNI can observe (egress included): the same objects, staged.
    expect(prepare.cniStaged).toEqual(canStage ? staged(network.cniEnforced) : []);
    expect(canStage ? prepare.cniStaged.some(n => n.includes('rds-egress')) : true).toBe(true);
    for (const p of [network, enforce, strict]) expect(p.cniStaged).toEqual([]);

    // The mesh policies: observed in prepare and network, enforced from enforce on, the same names throughout.
    expect(prepare.meshObserved.length).toBeGreaterThan(0);
    expect(prepare.meshEnforced).toEqual([]);
    expect(network.meshEnforced).toEqual([]);
    expect(network.meshObserved).toEqual(prepare.meshObserved);
    expect(enforce.meshObserved).toEqual([]);
    expect(enforce.meshEnforced).toEqual(prepare.meshObserved);
    expect(strict.meshEnforced).toEqual(enforce.meshEnforced);

    // mTLS: PERMISSIVE until strict.
    expect([prepare, network, enforce, strict].map(p => p.mtls)).toEqual([['PERMISSIVE'], ['PERMISSIVE'], ['PERMISSIVE'], ['STRICT']]);

    // Rollbacks.
    const rollbacks = m.rollbackCharts.map(c => synthValid(c));
    expect(rollbacks[0]).toEqual([]);
    m.phaseCharts.slice(0, -1).forEach((c, i) => expect(rollbacks[i + 1]).toEqual(synthValid(c)));
  });

  test('with observeMeshPolicies: false the mesh has no AuthorizationPolicy before the enforce phase', () => {
    const m = migration(Engine.istio({ mode: IstioMode.SIDECAR, cni: testEngine.calico() }), { observeMeshPolicies: false });
    const [prepare, network, enforce] = m.phaseCharts.map(c => view(synthValid(c)));
    for (const p of [prepare, network]) expect([...p.meshEnforced, ...p.meshObserved]).toEqual([]);
    expect(enforce.meshEnforced.length).toBeGreaterThan(0);
    expect(network.cniEnforced).toEqual(enforce.cniEnforced);
  });

  describe('on the seed\'s Istio 1.24.2 in ambient mode', () => {
    const seedIstio: TargetProfile = { ...TEST_TARGET, istioVersion: '1.24.2', istioAmbientDryRun: false };

    test('fails synthesis: ztunnel would enforce the observed baseline and cut the namespace off; the error names the versions needed', () => {
      const m = migration(Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.cilium({ target: seedIstio }) }));
      expect(errorOf(() => Testing.synth(m.phaseCharts[0])))
        .toContain('an audit-stage (dry-run) AuthorizationPolicy in ambient mode is ENFORCED by Istio 1.24.2: istiod before 1.25.2 ignores istio.io/dry-run for ztunnel');
    });

    test('synthesizes with observeMeshPolicies: false, the mesh enforcing nothing until the enforce phase', () => {
      const m = migration(Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.cilium({ target: seedIstio }) }), { observeMeshPolicies: false });
      const [prepare, network, enforce] = m.phaseCharts.map(c => view(synthValid(c)));
      expect([...prepare.meshObserved, ...network.meshObserved, ...prepare.meshEnforced, ...network.meshEnforced]).toEqual([]);
      expect(network.cniEnforced.length).toBeGreaterThan(0);
      expect(enforce.meshEnforced.length).toBeGreaterThan(0);
    });
  });

  test('throws for an observeMeshPolicies that is no boolean', () => {
    expect(errorOf(() => migration(Engine.istio({ mode: IstioMode.SIDECAR, cni: testEngine.kubernetes() }), { observeMeshPolicies: 'no' as any })))
      .toContain('invalid observeMeshPolicies: got "no"; expected true or false');
  });
});
