import { isCalicoPolicy } from '../calico-policy';
import { agentsIn, CNI_AGENTS, EnforcedKinds } from '../cni-agents';
import { KIND, LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';
import { perRun } from '../per-run';

/**
 * Policies in a cluster where no pod of a network plugin that enforces them runs (needs
 * `--cluster`): the API server stores NetworkPolicies whatever the plugin, and without an enforcing
 * one nothing is denied — silently (seed: "CNI plugin not installed"; K8S-DOC). Agents are those
 * of `cni-agents.ts`, looked for in every namespace; judged only when the cluster file has pods in
 * kube-system (otherwise it may be a partial dump). Reported once per dialect, on its first policy.
 */
export function noEnforcingCni(object: LintObject, context: LintContext): LintViolation[] {
  const cluster = context.cluster;
  const kinds = enforcedBy(object);
  if (!cluster || kinds === undefined || !cluster.pods.some((pod) => pod.namespace === 'kube-system')) {
    return [];
  }
  const facts = perRun(context, cniFacts);
  if (facts.first.get(kinds) !== object || facts.enforced.has(kinds)) {
    return [];
  }
  const count = facts.count.get(kinds) ?? 1;
  const wanted = CNI_AGENTS.filter((agent) => agent.enforces.includes(kinds)).map((agent) => agent.name);
  const found = facts.agents.filter((agent) => !agent.enforces.includes(kinds));
  const seen = found.length === 0 ? '' : `; found ${found.map((agent) => `${agent.name}${agent.condition ? `, but ${agent.condition}` : ''}`).join('; ')}`;
  const what = kinds === 'kubernetes' ? 'NetworkPolicies' : kinds === 'calico' ? 'Calico policies' : 'Cilium policies';
  return [{
    path: '',
    message: `no pod of a network plugin that enforces ${what} runs in the cluster (looked for ${wanted.join(', ')} in every namespace${seen}): `
      + `this policy and the ${count - 1} other ${what} are stored by the API server and enforced by nothing, so every flow they deny stays open`,
    fix: `install or enable a plugin that enforces ${what}; if the cluster runs one this linter does not recognise, skip the rule (--skip no-enforcing-cni)`,
  }];
}

/** The dialect family whose enforcement an object needs, or undefined (Istio: istiod, not the CNI). */
function enforcedBy(object: LintObject): EnforcedKinds | undefined {
  if (object.key === KIND.kubernetesNetworkPolicy) {
    return 'kubernetes';
  }
  if (isCalicoPolicy(object)) {
    return 'calico';
  }
  return object.key === KIND.ciliumNetworkPolicy || object.key === KIND.ciliumClusterwideNetworkPolicy ? 'cilium' : undefined;
}

/** Per run: the agents found, what they enforce, and the first policy and count per family. */
function cniFacts(context: LintContext): {
  readonly agents: ReturnType<typeof agentsIn>;
  readonly enforced: ReadonlySet<EnforcedKinds>;
  readonly first: ReadonlyMap<EnforcedKinds, LintObject>;
  readonly count: ReadonlyMap<EnforcedKinds, number>;
} {
  const agents = context.cluster ? agentsIn(context.cluster) : [];
  const first = new Map<EnforcedKinds, LintObject>();
  const count = new Map<EnforcedKinds, number>();
  for (const object of context.objects) {
    const kinds = enforcedBy(object);
    if (kinds !== undefined) {
      if (!first.has(kinds)) {
        first.set(kinds, object);
      }
      count.set(kinds, (count.get(kinds) ?? 0) + 1);
    }
  }
  return { agents, enforced: new Set(agents.flatMap((agent) => agent.enforces)), first, count };
}
