import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ACCOUNTS, APPS, clusterArb, NAMESPACES, toCluster } from './cluster-gen';
import { reachabilityDifferences } from './compare';
import { allowToArb, buildIntents, describeIntents, IntentSpec, PeerSpec, PortSpec } from './intent-gen';
import { Engine, IstioMode } from '../../src';
import { AnalysisPolicy, ClusterModel, Flow, podEndpoint, ReachabilityAnalyzer } from '../../src/analysis';
import { intentPolicies, synthesizedPolicies } from '../../src/analysis/intent/synthesized-policies';
import { PolicyCompiler } from '../../src/engine/compiler';
import { PROPERTY_TARGET } from '../helpers/target';

/*
 * Ambient mode, with the data path modelled by hand (issue 13 item 4), independently of the analyzer's own model of
 * HBONE (which test/equivalence/istio-ambient-<cni>.property.test.ts use on enrolled clusters): the clusters here
 * have no enrollment, so the analyzer reads ztunnel's policies as a mesh layer and the CNI's at the application
 * port, and this test puts every pod but kube-system's in the mesh itself. It models, from the ztunnel source
 * (istio/ztunnel src/proxy/outbound.rs `build_request`, src/proxy/inbound.rs; /work/briefs/research-13-16.md §2a):
 * a TCP connection between two mesh pods leaves the source pod as HBONE to the destination pod on TCP 15008,
 * so the CNI decides it at 15008 (source egress AND destination ingress), and the destination's ztunnel decides
 * the application port. UDP and SCTP are not captured: the CNI decides them at their own port. Clients outside
 * the mesh (external addresses, kube-system) reach the pod in plaintext on the application port.
 *
 * So a workload the intent isolates, whose CNI layer admits HBONE from every pod, is exact only if its ztunnel
 * ALLOW policies cover exactly its TCP allowances — the property below, on all three CNIs.
 */

const RUNS = Number(process.env.EQUIVALENCE_RUNS ?? 150);
const HBONE = 15008;

const ns = fc.constantFrom(...NAMESPACES);
const app = fc.constantFrom(...APPS);
const peer: fc.Arbitrary<PeerSpec> = fc.oneof(
  fc.record({ k: fc.constant('namespace' as const), ns }),
  fc.record({ k: fc.constant('serviceAccount' as const), name: fc.constantFrom(...ACCOUNTS), ns: fc.option(ns, { nil: undefined }) }),
  fc.constant({ k: 'anyone' as const }),
  fc.constantFrom<PeerSpec>({ k: 'cidr', cidr: '192.0.2.0/24' }, { k: 'cidr', cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }),
);
/** Port lists with all-UDP/SCTP lists as likely as TCP ones: those are the allowances that rendered no ztunnel policy. */
const ports = fc.oneof(
  fc.uniqueArray(fc.constantFrom<PortSpec>('udp53', 'sctp3868'), { minLength: 1, maxLength: 2 }),
  fc.uniqueArray(fc.constantFrom<PortSpec>('tcp8080', 'tcp9090', 'tcp8000-8100', 'udp53', 'allTcp', 'sctp3868', 'allTraffic'), { minLength: 1, maxLength: 3 }),
);
const intentsFor = (cniSelectsAccounts: boolean): fc.Arbitrary<IntentSpec[]> => fc.array(fc.oneof(
  fc.record({ kind: fc.constant('DefaultDeny' as const), ns, dirs: fc.constantFrom<('ingress' | 'egress')[]>(['ingress'], ['egress'], ['ingress', 'egress']), app: fc.option(app, { nil: undefined }) }),
  fc.record({ kind: fc.constant('AllowDns' as const), ns, app: fc.option(app, { nil: undefined }) }),
  fc.record({ kind: fc.constant('AllowFrom' as const), ns, app, peers: fc.array(peer, { minLength: 1, maxLength: 2 }), ports }),
  fc.record({ kind: fc.constant('AllowFrom' as const), ns, app, peers: fc.array(peer, { minLength: 1, maxLength: 2 }), ports }),
  fc.record({ kind: fc.constant('EgressToCidr' as const), ns, app, cidr: fc.constant('192.0.2.0/24'), except: fc.constant([]), ports }),
  // Ambient refuses an AllowTo to anyone on TCP (test/engine/first-fix.test.ts), and a CNI without accounts an AllowTo to one: not generated.
  allowToArb(peer.filter(p => p.k !== 'anyone' && (cniSelectsAccounts || p.k !== 'serviceAccount')), ports, cniSelectsAccounts),
), { minLength: 1, maxLength: 6 }) as fc.Arbitrary<IntentSpec[]>;

/**
 * Every connection on which the intent and the ambient data path disagree, complete: each ordered pod pair on
 * every connection atom of the four policy sets (the atoms are where any rule can differ, HBONE's 15008 among
 * them), and every connection from or to an outside address class, compared as exact sets.
 */
function differences(cluster: ClusterModel, expected: readonly AnalysisPolicy[], actual: readonly AnalysisPolicy[]): string[] {
  const want = new ReachabilityAnalyzer(cluster, expected);
  const whole = new ReachabilityAnalyzer(cluster, actual);
  const cni = new ReachabilityAnalyzer(cluster, actual.filter(p => p.layer === 'network'));
  const ztunnel = new ReachabilityAnalyzer(cluster, actual.filter(p => p.layer === 'mesh'));
  const atoms = ReachabilityAnalyzer.jointUniverse([want, whole, cni, ztunnel]).space.atoms;
  const meshPod = (namespace: string) => namespace !== 'kube-system';
  const diffs: string[] = [];
  for (const s of cluster.pods) {
    for (const d of cluster.pods) {
      if (s === d) continue;
      for (const { from: port, to, protocol } of atoms) {
        const source = podEndpoint(s.namespace, s.name);
        const flow: Flow = { source, destination: podEndpoint(d.namespace, d.name), port, protocol, mesh: { mtls: true } };
        const x = want.evaluate(flow).allowed;
        const hbone = protocol === 'TCP' && meshPod(s.namespace) && meshPod(d.namespace);
        const y = hbone
          ? cni.evaluate({ ...flow, port: HBONE }).allowed && ztunnel.evaluate(flow).allowed
          : whole.evaluate(flow).allowed;
        if (x !== y) diffs.push(`${s.namespace}/${s.name} → ${d.namespace}/${d.name} ${protocol} ${port}-${to}${hbone ? ' (HBONE)' : ''}: intent ${x ? 'allows' : 'denies'}, ambient ${y ? 'allows' : 'denies'}`);
      }
    }
  }
  // Clients outside the mesh and outside addresses connect in plaintext at the application port.
  return [...diffs, ...reachabilityDifferences(cluster, expected, actual, {}, 'withExternal')];
}

/**
 * The structural half, read from the rendered objects alone: every pod that an enforced statement isolates on
 * ingress is selected by an enforced AuthorizationPolicy with a selector (ztunnel's kind, not a waypoint's
 * targetRefs) in its namespace. Without one, ztunnel admits every TCP connection the HBONE plumbing lets in.
 */
function podsWithoutZtunnelPolicy(chart: Chart, cluster: ClusterModel): string[] {
  const aps = Testing.synth(chart).filter(o => o.kind === 'AuthorizationPolicy' && !o.spec.targetRefs && o.metadata.annotations?.['istio.io/dry-run'] !== 'true');
  const selects = (matchLabels: Record<string, string> | undefined, labels: Record<string, string>) =>
    Object.entries(matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const out: string[] = [];
  for (const s of PolicyCompiler.of(chart).statements()) {
    const isolatesIngress = s.stage === 'enforce' && ((s.kind === 'isolate' && s.directions.includes('ingress')) || (s.kind === 'allow' && s.isolating && s.direction === 'ingress'));
    if (!isolatesIngress) continue;
    for (const pod of cluster.pods) {
      if (pod.namespace !== s.subject.namespace || !selects(s.subject.pods.matchLabels, pod.labels)) continue;
      const covered = aps.some(ap => ap.metadata.namespace === pod.namespace && selects(ap.spec.selector?.matchLabels, pod.labels));
      if (!covered) out.push(`${pod.namespace}/${pod.name} (isolated by ${s.origin.path})`);
    }
  }
  return out;
}

describe('in ambient mode, with HBONE modelled, the Istio engine allows exactly what the intent means', () => {
  test.each([
    ['Kubernetes NetworkPolicy', () => Engine.kubernetes({ target: PROPERTY_TARGET }), false],
    ['Cilium', () => Engine.cilium({ target: PROPERTY_TARGET }), true],
    ['Calico', () => Engine.calico({ target: PROPERTY_TARGET }), true],
  ])(`on ${RUNS} random intents over random clusters, with %s as the CNI`, (_name, cni, cniSelectsAccounts) => {
    let compared = 0;
    fc.assert(fc.property(intentsFor(cniSelectsAccounts), clusterArb(), (specs, cluster) => {
      const chart = new Chart(Testing.app(), 'case');
      Engine.attach(chart, Engine.istio({ mode: IstioMode.AMBIENT, cni: cni() }));
      buildIntents(chart, specs);
      let actual: AnalysisPolicy[];
      try {
        actual = synthesizedPolicies(chart);
      } catch (e) {
        // The engine refused the intent (a guardrail with a fix): nothing was rendered, nothing to compare.
        if (/cannot express|could never|would let|although the intent denies/.test((e as Error).message)) return;
        throw e;
      }
      compared++;
      const model = toCluster(cluster);
      const uncovered = podsWithoutZtunnelPolicy(chart, model);
      if (uncovered.length) throw new Error(`isolated pods without a ztunnel ALLOW policy: ${uncovered.join(', ')}\nintents:\n${describeIntents(specs)}`);
      const diffs = differences(model, intentPolicies(chart), actual);
      if (diffs.length) {
        throw new Error(`ambient differs from the intent on ${diffs.length} flow(s):\n  ${diffs.slice(0, 10).join('\n  ')}\nintents:\n${describeIntents(specs)}`);
      }
    }), { numRuns: RUNS });
    // Most cases must really be compared, not refused.
    expect(compared).toBeGreaterThan(RUNS / 2);
  });
});
