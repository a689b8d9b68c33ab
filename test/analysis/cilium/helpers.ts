import {
  AnalysisPolicy, ClusterModel, EvaluatorOptions, evaluate, parseFlowEndpoint, Protocol,
} from '../../../src/analysis';
import { HttpRequest } from '../../../src/analysis/ir/flow';

/** A CiliumNetworkPolicy document; `spec` is YAML flow or block text placed under `spec:`. */
export function cnp(namespace: string, name: string, spec: string): string {
  return `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: ${name}, namespace: ${namespace} }
spec: ${spec}
`;
}

/** A CiliumClusterwideNetworkPolicy document. */
export function ccnp(name: string, spec: string): string {
  return `---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: ${name} }
spec: ${spec}
`;
}

/**
 * Whether one flow is allowed; endpoints are `ns/pod` or an IP address. With `http`, the flow
 * carries that request.
 */
export function allows(
  cluster: ClusterModel,
  policies: readonly AnalysisPolicy[],
  from: string,
  to: string,
  port = 80,
  protocol: Protocol = 'TCP',
  extra: { http?: HttpRequest; options?: EvaluatorOptions } = {},
): boolean {
  return evaluate(cluster, policies, {
    source: parseFlowEndpoint(from),
    destination: parseFlowEndpoint(to),
    port,
    protocol,
    ...(extra.http ? { http: extra.http } : {}),
  }, extra.options).allowed;
}
