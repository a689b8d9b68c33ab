import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ACCOUNTS, APPS, clusterArb, NAMESPACES, toCluster } from './cluster-gen';
import { meshedDifferences, reachabilityDifferences } from './compare';
import { buildIntents, describeIntents, IntentSpec, PeerSpec, PortSpec } from './intent-gen';
import { AllowFrom, Engine, HttpRule, IstioMode, Peer, Port, Workload } from '../../src';
import { AnalysisPolicy, ClusterModel } from '../../src/analysis';
import { intentPolicies, synthesizedPolicies } from '../../src/analysis/intent/synthesized-policies';

const RUNS = Number(process.env.EQUIVALENCE_RUNS ?? 150);

const ns = fc.constantFrom(...NAMESPACES);
const app = fc.constantFrom(...APPS);
/** Peers with an identity Istio can check, or none needed (anyone, CIDRs). */
const peer: fc.Arbitrary<PeerSpec> = fc.oneof(
  fc.record({ k: fc.constant('namespace' as const), ns }),
  fc.record({ k: fc.constant('serviceAccount' as const), name: fc.constantFrom(...ACCOUNTS), ns: fc.option(ns, { nil: undefined }) }),
  fc.constant({ k: 'anyone' as const }),
  fc.constantFrom<PeerSpec>({ k: 'cidr', cidr: '192.0.2.0/24' }, { k: 'cidr', cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }),
);
const ports = fc.uniqueArray(fc.constantFrom<PortSpec>('tcp8080', 'tcp9090', 'tcp8000-8100', 'udp53', 'allTcp', 'sctp3868', 'allTraffic'), { minLength: 1, maxLength: 3 });
const intents: fc.Arbitrary<IntentSpec[]> = fc.array(fc.oneof(
  fc.record({ kind: fc.constant('DefaultDeny' as const), ns, dirs: fc.constantFrom<('ingress' | 'egress')[]>(['ingress'], ['egress'], ['ingress', 'egress']), app: fc.option(app, { nil: undefined }) }),
  fc.record({ kind: fc.constant('AllowDns' as const), ns, app: fc.option(app, { nil: undefined }) }),
  fc.record({ kind: fc.constant('AllowFrom' as const), ns, app, peers: fc.array(peer, { minLength: 1, maxLength: 2 }), ports }),
  fc.record({ kind: fc.constant('EgressToCidr' as const), ns, app, cidr: fc.constant('192.0.2.0/24'), except: fc.constant([]), ports }),
), { minLength: 1, maxLength: 6 });
/** An HTTP allowance on TCP 8080 from a service account, with GET /api/* and POST /orders. */
const httpIntent = fc.option(fc.record({ ns, app, sa: fc.constantFrom(...ACCOUNTS), from: ns }), { nil: undefined });
const REQUESTS = [undefined, { method: 'GET', path: '/api/v1?page=2' }, { method: 'POST', path: '/orders' }, { method: 'DELETE', path: '/api/x' }, { method: 'GET', path: '/orders' }];

/**
 * Every difference between two policy sets: complete for the plaintext connections from and to
 * external address classes (every class, every port of every protocol), and for meshed pod-to-pod
 * connections (the engine puts every pod it names in the mesh) on every connection atom, with and
 * without HTTP requests on TCP. Requests are still examples: request classes are issue 13.
 */
function differences(cluster: ClusterModel, expected: readonly AnalysisPolicy[], actual: readonly AnalysisPolicy[]): string[] {
  return [...reachabilityDifferences(cluster, expected, actual, {}, 'withExternal'), ...meshedDifferences(cluster, expected, actual, REQUESTS)];
}

describe('the Istio sidecar engine (Istio layer AND its CNI layer) allows exactly what the intent means', () => {
  test.each([
    ['Kubernetes NetworkPolicy', () => Engine.kubernetes()],
    ['Calico', () => Engine.calico()],
  ])(`on ${RUNS} random intents over random clusters, with %s as the CNI`, (_name, cni) => {
    let compared = 0;
    fc.assert(fc.property(intents, httpIntent, clusterArb(), (specs, http, cluster) => {
      const chart = new Chart(Testing.app(), 'case');
      Engine.attach(chart, Engine.istio({ mode: IstioMode.SIDECAR, cni: cni() }));
      buildIntents(chart, specs);
      if (http) {
        new AllowFrom(chart, 'http', {
          namespace: http.ns,
          to: Workload.select({ app: http.app }),
          peers: [Peer.serviceAccount(http.sa, http.from)],
          ports: [Port.tcp(8080)],
          http: [HttpRule.get('/api/*'), HttpRule.post('/orders')],
        });
      }
      let actual: AnalysisPolicy[];
      try {
        actual = synthesizedPolicies(chart);
      } catch (e) {
        // The engine refused the intent (a guardrail with a fix): nothing was rendered, nothing to compare.
        if (/cannot express|could never|would let|although the intent denies/.test((e as Error).message)) return;
        throw e;
      }
      compared++;
      const diffs = differences(toCluster(cluster), intentPolicies(chart), actual);
      if (diffs.length) {
        throw new Error(`the Istio engine differs from the intent on ${diffs.length} flow(s):\n  ${diffs.slice(0, 10).join('\n  ')}\nintents:\n${describeIntents(specs)}\nhttp: ${JSON.stringify(http)}`);
      }
    }), { numRuns: RUNS });
    // Most cases must really be compared, not refused.
    expect(compared).toBeGreaterThan(RUNS / 2);
  });
});
