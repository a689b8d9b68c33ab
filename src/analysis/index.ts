// Public surface of the analysis layer: cluster model, parsers, IR, evaluator, exact connectivity and matrix view.

export * from './cluster/cluster-model';
export * from './cluster/parse-cluster';
export * from './ip/ip-address';
export * from './ip/cidr';
export * from './ir/analysis-input-error';
export * from './ir/analysis-policy';
export * from './ir/flow';
export * from './ir/policy-ref';
export * from './ir/selector';
export * from './parse/manifest-error';
export * from './parse/kubernetes-network-policy';
export * from './parse/parse-policies';
export { readManifestObjects, ManifestObject } from './parse/yaml-documents';
export { FieldReader } from './parse/field-reader';
export * from './translate/kubernetes-network-policy';
export * from './engine/evaluator-options';
export * from './engine/verdict';
export { ReachabilityAnalyzer, evaluate, matrix } from './engine/reachability-analyzer';
export { ReachabilityMatrix } from './engine/reachability-matrix';
export { PodGroup } from './engine/pod-grouping';
export { AnalysisUniverse, EndpointClass } from './engine/analysis-universe';
export { ClassSet } from './engine/class-set';
export { ConnectionEntry, ConnectionMap } from './engine/connection-map';
export { ConnectionSet, ConnectionsJson, PortRange } from './engine/connection-set';
export { ConnectionSpace, MAX_PORT, MIN_PORT } from './engine/connection-space';
export { Connectivity, ConnectivityBlock } from './engine/connectivity';
export { ExternalClass } from './engine/external-classes';
