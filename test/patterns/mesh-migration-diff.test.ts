import { Chart, Testing, Yaml } from 'cdk8s';
import { Engine, IstioMode, MeshMigration, Peer, Port, Workload } from '../../src';
import { ClusterModel, MeshEnrollment, parsePolicies, podEndpoint, Protocol, ReachabilityAnalyzer } from '../../src/analysis';
import { TEST_TARGET } from '../helpers/target';

/*
 * Issue 13 item 7: every MeshMigration phase diffed against the one before with the mesh-aware analyzer
 * (enrollment, mTLS and PeerAuthentication from the cluster model). The expectations are the migration's
 * documented order (docs/MESH-MIGRATION.md), written here from it, not from the analyzer:
 *
 *   prepare → network  the CNI starts enforcing: only flows no intent allows are lost (at L4); none gained
 *   network → enforce  the mesh starts enforcing: only flows that pass the CNI without the identity the intent
 *                      names are lost (plaintext clients with the right account); the intended flows stay
 *   enforce → strict   STRICT: only plaintext flows are lost
 *   rollback of a phase = the phase before, flow for flow
 *
 * L4 only (HTTP requests are their own dimension, issue 13 item 3).
 */

const pods: { ns: string; name: string; app: string; sa: string; mesh: MeshEnrollment }[] = [
  { ns: 'production', name: 'frontend', app: 'frontend', sa: 'frontend', mesh: 'sidecar' },
  // The frontend's account in a pod that was never restarted into the mesh: plaintext, no identity.
  { ns: 'production', name: 'frontend-unmeshed', app: 'frontend', sa: 'frontend', mesh: 'none' },
  { ns: 'production', name: 'backend', app: 'backend-api', sa: 'backend', mesh: 'sidecar' },
  { ns: 'production', name: 'other', app: 'other', sa: 'other', mesh: 'sidecar' },
  { ns: 'monitoring', name: 'prometheus', app: 'prometheus', sa: 'prometheus', mesh: 'sidecar' },
  { ns: 'legacy', name: 'old', app: 'old', sa: 'default', mesh: 'none' },
];
const cluster = ClusterModel.create({
  namespaces: ['production', 'monitoring', 'legacy'].map((name) => ({ name })),
  pods: pods.map((p, i) => ({
    namespace: p.ns, name: p.name, labels: { app: p.app }, serviceAccountName: p.sa, ips: [`10.244.0.${i + 10}`], mesh: { enrollment: p.mesh },
  })),
});
const PROBES: [number, Protocol][] = [[8080, 'TCP'], [9090, 'TCP'], [22, 'TCP'], [8080, 'UDP']];

/** The intent's flows into production, which must hold from the network phase on. */
const INTENDED = ['production/frontend -> production/backend 8080/TCP', 'monitoring/prometheus -> production/backend 9090/TCP'];

/** Every flow into production the chart's objects allow (both engines, which must agree). */
function flows(chart: Chart): Set<string> {
  const policies = parsePolicies({ file: chart.node.id, text: Yaml.stringify(...Testing.synth(chart)) }, { ignoreOtherKinds: true });
  const analyzer = new ReachabilityAnalyzer(cluster, policies);
  const out = new Set<string>();
  for (const s of pods) {
    for (const d of pods.filter((p) => p.ns === 'production' && p !== s)) {
      const source = podEndpoint(s.ns, s.name);
      const destination = podEndpoint(d.ns, d.name);
      const set = analyzer.connectivity().connections(source, destination);
      for (const [port, protocol] of PROBES) {
        const allowed = analyzer.evaluate({ source, destination, port, protocol }).allowed;
        expect(set.contains(port, protocol)).toBe(allowed);
        if (allowed) out.add(`${s.ns}/${s.name} -> ${d.ns}/${d.name} ${port}/${protocol}`);
      }
    }
  }
  return out;
}

const minus = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();
const plaintext = (flow: string) => {
  const [source] = flow.split(' -> ');
  return pods.find((p) => `${p.ns}/${p.name}` === source)?.mesh === 'none' || flow.endsWith('/UDP');
};

describe('MeshMigration phases diffed with the mesh-aware analyzer (sidecar on Calico)', () => {
  const migration = new MeshMigration(Testing.app(), 'production-mesh', {
    namespace: 'production',
    engine: Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.calico({ target: TEST_TARGET }) }),
    enrolledNamespaces: ['production', 'monitoring'],
  });
  migration.allowFrom('frontend-to-backend', { to: Workload.select({ app: 'backend-api' }), peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)] });
  migration.allowFrom('metrics', { to: Workload.select({ app: 'backend-api' }), peers: [Peer.serviceAccount('prometheus', 'monitoring')], ports: [Port.tcp(9090)] });
  const [prepare, network, enforce, strict] = migration.phaseCharts.map(flows);

  test('prepare observes only: every probe into production still connects', () => {
    // 4 production pods reach their 3 neighbours, the 2 pods outside reach all 4: 20 pairs.
    expect(prepare.size).toBe((4 * 3 + 2 * 4) * PROBES.length);
  });

  test('prepare → network: only flows no intent allows are lost, none gained; the intended flows stay', () => {
    expect(minus(network, prepare)).toEqual([]);
    expect(minus(prepare, network).filter((flow) => INTENDED.includes(flow))).toEqual([]);
    for (const flow of INTENDED) expect(network.has(flow)).toBe(true);
  });

  test('network → enforce: only the plaintext client with the frontend\'s account is lost (no identity); the intended flows stay', () => {
    expect(minus(enforce, network)).toEqual([]);
    expect(minus(network, enforce)).toEqual(['production/frontend-unmeshed -> production/backend 8080/TCP']);
    for (const flow of INTENDED) expect(enforce.has(flow)).toBe(true);
  });

  test('enforce → strict: only plaintext flows are lost', () => {
    expect(minus(strict, enforce)).toEqual([]);
    expect(minus(enforce, strict).filter((flow) => !plaintext(flow))).toEqual([]);
    for (const flow of INTENDED) expect(strict.has(flow)).toBe(true);
  });

  test('each rollback chart allows exactly what the phase before allows', () => {
    const phases = [prepare, network, enforce, strict];
    migration.rollbackCharts.slice(1).forEach((chart, i) => {
      const rolledBack = flows(chart);
      expect([chart.node.id, minus(rolledBack, phases[i]), minus(phases[i], rolledBack)]).toEqual([chart.node.id, [], []]);
    });
  });
});
