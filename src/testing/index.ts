// Test helpers for users' own cdk8s tests: `import { zeroTrustMatchers } from 'cdk8s-zero-trust/lib/testing'`.
export type { FlowQuery, PodSpec } from './flow-query';
export { checkFlow, toAllow, toDeny, zeroTrustMatchers } from './matchers';
export type { MatcherResult } from './matchers';
