import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { example } from '../../examples/write-once/app';
import { ipEndpoint, parseCluster, podEndpoint, ReachabilityAnalyzer } from '../../src/analysis';
import { intentPolicies } from '../../src/analysis/intent/synthesized-policies';
import { parsePolicies } from '../../src/analysis/parse/parse-policies';
import { withEnrollment } from '../helpers/enrollment';

// The production example's cluster: every pod runs as the service account its workload declares exclusive.
const clusterFile = path.join(__dirname, '..', '..', 'examples', 'production', 'cluster.yaml');
const snapshot = parseCluster({ file: clusterFile, text: fs.readFileSync(clusterFile, 'utf-8') });

/**
 * The cluster an engine's output is analysed on: for the Istio engines, every named pod enrolled as the engine
 * enrols workloads (sidecar or ambient), so the analyzer decides mTLS, STRICT and HBONE from the model; the
 * cluster file's pods have no proxy (they are outside the mesh), which the CNI engines' comparison keeps.
 */
const clusterFor = (engine: string) => (engine.startsWith('istio-sidecar') ? withEnrollment(snapshot, 'sidecar')
  : engine.startsWith('istio-ambient') ? withEnrollment(snapshot, 'ambient') : snapshot);
let cluster = snapshot;

/** What the synthesized app allows, its STRICT PeerAuthentications included. */
function rendered(app: App) {
  const objects = app.charts.flatMap(c => Testing.synth(c));
  return parsePolicies({ file: 'write-once', text: objects.map(o => stringify(o)).join('---\n') }, { ignoreOtherKinds: true });
}

const engines = Object.keys(example.engines);
/** The seed's ports and a few it never opens. */
const PORTS: [number, 'TCP' | 'UDP'][] = [[8080, 'TCP'], [6379, 'TCP'], [9090, 'TCP'], [5432, 'TCP'], [443, 'TCP'], [3000, 'TCP'], [53, 'UDP'], [53, 'TCP'], [15008, 'TCP']];
const EXTERNAL = ['10.100.1.1', '8.8.8.8', '192.168.1.1'];

/**
 * Every flow on which the intent and the rendered policies disagree: pod pairs in the mesh (as the Istio
 * engines assume every named pod is) and pods to and from external addresses, on PORTS.
 */
function differences(expected: ReturnType<typeof intentPolicies>, actual: ReturnType<typeof rendered>): string[] {
  // The intent's meaning is engine-neutral: read on the snapshot, between pods as mesh clients (mTLS), as before
  // the model knew enrollment. The engine's output is read on the cluster as the engine enrols it.
  const want = new ReachabilityAnalyzer(snapshot, expected);
  const got = new ReachabilityAnalyzer(cluster, actual);
  const out: string[] = [];
  const check = (label: string, flow: Parameters<ReachabilityAnalyzer['evaluate']>[0]) => {
    const meshed = flow.source.kind === 'pod' && flow.destination.kind === 'pod' ? { ...flow, mesh: { mtls: true } } : flow;
    const [x, y] = [want.evaluate(meshed).allowed, got.evaluate(flow).allowed];
    if (x !== y) out.push(`${label}: intent ${x ? 'allows' : 'denies'}, engine ${y ? 'allows' : 'denies'}`);
  };
  for (const s of cluster.pods) {
    for (const [port, protocol] of PORTS) {
      for (const d of cluster.pods) {
        if (s !== d) check(`${s.name} → ${d.name} ${port}/${protocol}`, { source: podEndpoint(s.namespace, s.name), destination: podEndpoint(d.namespace, d.name), port, protocol });
      }
      for (const ip of EXTERNAL) {
        check(`${s.name} → ${ip} ${port}/${protocol}`, { source: podEndpoint(s.namespace, s.name), destination: ipEndpoint(ip), port, protocol });
        check(`${ip} → ${s.name} ${port}/${protocol}`, { source: ipEndpoint(ip), destination: podEndpoint(s.namespace, s.name), port, protocol });
      }
    }
  }
  return out;
}

describe('the seed production scenario written once', () => {
  test('is declared for every engine: the three CNI engines and Istio sidecar and ambient on each', () => {
    expect(engines.sort()).toEqual(['calico', 'cilium', 'kubernetes', ...['sidecar', 'ambient'].flatMap(m => ['calico', 'cilium', 'kubernetes'].map(c => `istio-${m}-${c}`))].sort());
  });

  test.each(engines)('synthesizes unchanged on %s and allows exactly what the intent means', (engine) => {
    const app = Testing.app();
    example.build(app, example.engines[engine]());
    cluster = clusterFor(engine);
    const policies = rendered(app);
    expect([engine, differences(intentPolicies(app), policies)]).toEqual([engine, []]);
    // The flows the seed names (the comparison above derives the expected verdicts from the intent itself).
    const analyzer = new ReachabilityAnalyzer(cluster, policies);
    const flows: [string, string, string, string, number, boolean][] = [
      ['production', 'frontend-7d9f8', 'production', 'backend-api-5c6b7', 8080, true],
      ['production', 'backend-api-5c6b7', 'production', 'redis-0', 6379, true],
      ['monitoring', 'prometheus-0', 'production', 'backend-api-5c6b7', 9090, true],
      ['production', 'frontend-7d9f8', 'production', 'redis-0', 6379, false],
      ['production', 'redis-0', 'production', 'backend-api-5c6b7', 8080, false],
      ['production', 'backend-api-5c6b7', 'production', 'frontend-7d9f8', 3000, false],
    ];
    for (const [sns, s, dns, d, port, allowed] of flows) {
      const flow = { source: podEndpoint(sns, s), destination: podEndpoint(dns, d), port, protocol: 'TCP' as const };
      expect([engine, s, d, port, analyzer.evaluate(flow).allowed]).toEqual([engine, s, d, port, allowed]);
    }
  });
});
