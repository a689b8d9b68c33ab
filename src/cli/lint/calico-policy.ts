import { KIND, LintObject } from './lint-object';

/** Calico policy kinds with `order`, `types`, `selector` and Calico rules (Kubernetes-shaped staged policies excluded). */
export const CALICO_POLICY_KINDS: readonly string[] = [
  KIND.calicoNetworkPolicy, KIND.calicoGlobalNetworkPolicy, KIND.calicoStagedNetworkPolicy, KIND.calicoStagedGlobalNetworkPolicy,
];

/** True for a Calico (Global)(Staged)NetworkPolicy. */
export function isCalicoPolicy(object: LintObject): boolean {
  return CALICO_POLICY_KINDS.includes(object.key);
}
