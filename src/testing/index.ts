// Test helpers for users' own cdk8s tests: `import { zeroTrustMatchers } from 'cdk8s-zero-trust/lib/testing'`.
export type { FlowQuery, PodSpec, ServicePortSpec, ServiceSpec } from './flow-query';
export { checkFlow, toAllow, toDeny, zeroTrustMatchers } from './matchers';
export type { FlowVerdict, MatcherResult } from './matchers';
export type { ServiceVerdict, ServiceEndpointVerdict, ServiceHop } from '../analysis/engine/service-paths';
export type { Verdict } from '../analysis/engine/verdict';
