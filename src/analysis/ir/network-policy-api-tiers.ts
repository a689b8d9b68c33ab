import { PolicyTier } from './analysis-policy';

/**
 * The Admin tier of network-policy-api (ClusterNetworkPolicy `tier: Admin`, AdminNetworkPolicy):
 * evaluated before NetworkPolicies (and before Cilium's deny rules, which belong to Cilium's
 * NetworkPolicy tier); policies by ascending priority (`order`), rules top-down; Accept and Deny
 * decide, Pass and no match go on to the next tier. Its policies isolate nothing.
 * [network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go `Tier`, `Priority`]
 */
export const ADMIN_TIER: PolicyTier = { name: 'admin', order: -1_000_000, defaultAction: 'pass' };

/**
 * The Baseline tier of network-policy-api (ClusterNetworkPolicy `tier: Baseline`,
 * BaselineAdminNetworkPolicy): evaluated only for pods no NetworkPolicy selects in the direction
 * (a NetworkPolicy "always makes a final decision for selected pods"); no match = allowed.
 */
export const BASELINE_TIER: PolicyTier = { name: 'baseline', order: 1_000_000, defaultAction: 'pass' };
