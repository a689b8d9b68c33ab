// Public surface of the analysis layer: cluster model, parsers, IR, evaluator and matrix.

export * from './cluster/cluster-model';
export * from './cluster/parse-cluster';
export * from './ip/ip-address';
export * from './ip/cidr';
export * from './ir/analysis-input-error';
export * from './ir/analysis-policy';
export * from './ir/flow';
export * from './ir/policy-ref';
export * from './ir/selector';
export { conditionHolds, stringMatches, urlPath } from './ir/string-match';
export * from './ir/workload-identity';
export * from './parse/manifest-error';
export * from './parse/kubernetes-network-policy';
export * from './parse/network-policy-api';
export * from './ir/network-policy-api-tiers';
export * from './translate/network-policy-api';
export { CNP_PROFILES } from '../dialects/kubernetes/cnp-profile';
export type { CnpImplementationProfile } from '../dialects/kubernetes/cnp-profile';
export * from './parse/parse-policies';
export { readManifestObjects, ManifestObject } from './parse/yaml-documents';
export { FieldReader } from './parse/field-reader';
export * from './translate/kubernetes-network-policy';
export * from './engine/evaluator-options';
export * from './engine/verdict';
export { ReachabilityAnalyzer, evaluate, matrix } from './engine/reachability-analyzer';
export { ReachabilityMatrix } from './engine/reachability-matrix';
export { PodGroup } from './engine/pod-grouping';
