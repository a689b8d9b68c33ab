import {
  AnalysisPolicy, ClusterModel, EvaluatorOptions, podId, Protocol, ReachabilityAnalyzer,
} from '../../../src/analysis';

/**
 * The reference matrix: every (source, destination) pod pair evaluated one flow at a time with
 * `evaluate`. Quadratic and slow by design; tests use it to check the grouped matrix.
 */
export function naiveMatrix(
  cluster: ClusterModel,
  policies: readonly AnalysisPolicy[],
  port: number,
  protocol: Protocol,
  options: EvaluatorOptions = {},
): [string, string][] {
  const analyzer = new ReachabilityAnalyzer(cluster, policies, options);
  const pairs: [string, string][] = [];
  for (const source of cluster.pods) {
    for (const destination of cluster.pods) {
      const verdict = analyzer.evaluate({
        source: { kind: 'pod', namespace: source.namespace, name: source.name },
        destination: { kind: 'pod', namespace: destination.namespace, name: destination.name },
        port,
        protocol,
      });
      if (verdict.allowed) {
        pairs.push([podId(source), podId(destination)]);
      }
    }
  }
  return pairs;
}
