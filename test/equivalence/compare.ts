import { EXTERNAL_IPS, PROBES } from './cluster-gen';
import { ClusterModel, ReachabilityAnalyzer, AnalysisPolicy, EvaluatorOptions, podEndpoint, ipEndpoint } from '../../src/analysis';

/**
 * Every flow on which two policy sets disagree: all pod pairs on every probe
 * port, and every pod to/from every external address. Empty = same reachability.
 */
export function reachabilityDifferences(
  cluster: ClusterModel, expected: readonly AnalysisPolicy[], actual: readonly AnalysisPolicy[], options: EvaluatorOptions = {},
): string[] {
  const want = new ReachabilityAnalyzer(cluster, expected, options);
  const got = new ReachabilityAnalyzer(cluster, actual, options);
  const diffs: string[] = [];
  for (const [port, protocol] of PROBES) {
    const a = want.matrix(port, protocol);
    const b = got.matrix(port, protocol);
    for (const s of cluster.pods) {
      for (const d of cluster.pods) {
        const x = a.isAllowed(s, d);
        const y = b.isAllowed(s, d);
        if (x !== y) diffs.push(`${s.namespace}/${s.name} → ${d.namespace}/${d.name} ${port}/${protocol}: intent ${x ? 'allows' : 'denies'}, engine ${y ? 'allows' : 'denies'}`);
      }
      for (const ip of EXTERNAL_IPS) {
        for (const [label, flow] of [
          [`${s.namespace}/${s.name} → ${ip}`, { source: podEndpoint(s.namespace, s.name), destination: ipEndpoint(ip), port, protocol }],
          [`${ip} → ${s.namespace}/${s.name}`, { source: ipEndpoint(ip), destination: podEndpoint(s.namespace, s.name), port, protocol }],
        ] as const) {
          const x = want.evaluate(flow).allowed;
          const y = got.evaluate(flow).allowed;
          if (x !== y) diffs.push(`${label} ${port}/${protocol}: intent ${x ? 'allows' : 'denies'}, engine ${y ? 'allows' : 'denies'}`);
        }
      }
    }
  }
  return diffs;
}
