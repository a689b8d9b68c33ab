import { ClusterModel, ClusterPod } from '../cluster/cluster-model';
import { AnalysisInputError } from '../ir/analysis-input-error';
import {
  AnalysisPolicy, Direction, EnforcementLayer, NamespaceScope, PodSelection, PolicyRule, PolicyTier,
} from '../ir/analysis-policy';
import { formatPolicyRef, formatRuleRef } from '../ir/policy-ref';
import { matchesSelector, selectorKey } from '../ir/selector';

/** One policy's rules for one direction, placed in the global evaluation order. */
export interface PolicyPart {
  /** Position in the global evaluation order (tier, order, reference). */
  readonly rank: number;
  readonly policy: AnalysisPolicy;
  readonly policyRef: string;
  readonly layer: EnforcementLayer;
  readonly direction: Direction;
  readonly tier: PolicyTier;
  readonly isolates: boolean;
  readonly rules: readonly PolicyRule[];
  /** `formatRuleRef` of each rule, precomputed for explanations. */
  readonly ruleRefs: readonly string[];
  /** Canonical key of the subject selection (equal keys select the same pods). */
  readonly subjectKey: string;
}

/** The layers, in evaluation order. */
export const LAYERS: readonly EnforcementLayer[] = ['network', 'mesh'];

/**
 * Enforced policies split into per-direction parts, sorted into evaluation order, and indexed by
 * namespace so finding the parts that select a pod does not scan every policy.
 */
export class PolicyIndex {
  /** Every part, in evaluation order. */
  public readonly parts: readonly PolicyPart[];
  /** Layers that have at least one enforced policy. */
  public readonly layers: readonly EnforcementLayer[];
  /** Enforced Istio PeerAuthentications (rule-less; composed per pod by `MeshAuthentication`). */
  public readonly peerAuthentications: readonly AnalysisPolicy[];
  private readonly byNamespace = new Map<string, PolicyPart[]>();
  private readonly bySelector: PolicyPart[] = [];

  constructor(policies: readonly AnalysisPolicy[]) {
    checkTiers(policies);
    const enforced = policies.filter((policy) => policy.enforced);
    const sorted = [...enforced].sort(comparePolicies);
    const parts: PolicyPart[] = [];
    for (const policy of sorted) {
      for (const direction of ['ingress', 'egress'] as const) {
        const rules = policy[direction];
        if (!rules) {
          continue;
        }
        const policyRef = formatPolicyRef(policy.ref);
        parts.push({
          rank: parts.length,
          policy,
          policyRef,
          layer: policy.layer,
          direction,
          tier: policy.tier,
          isolates: rules.isolates,
          rules: rules.rules,
          ruleRefs: rules.rules.map((rule) => formatRuleRef(policy.ref, rule.label)),
          subjectKey: selectionKey(policy.subject),
        });
      }
    }
    this.parts = parts;
    this.peerAuthentications = enforced.filter((policy) => policy.peerAuthentication !== undefined);
    this.layers = LAYERS.filter((layer) => parts.some((part) => part.layer === layer));
    for (const part of parts) {
      const scope = part.policy.subject.namespaces;
      if (scope.kind === 'names') {
        for (const name of new Set(scope.names)) {
          const list = this.byNamespace.get(name) ?? [];
          list.push(part);
          this.byNamespace.set(name, list);
        }
      } else {
        this.bySelector.push(part);
      }
    }
  }

  /** Parts that could select pods of this namespace (subject not yet checked), in evaluation order. */
  public candidateParts(namespace: string): PolicyPart[] {
    const named = this.byNamespace.get(namespace) ?? [];
    if (this.bySelector.length === 0) {
      return named;
    }
    return [...named, ...this.bySelector].sort((a, b) => a.rank - b.rank);
  }

  /** Parts of a layer and direction whose subject selects the pod, in evaluation order. */
  public partsSelecting(cluster: ClusterModel, pod: ClusterPod, layer: EnforcementLayer, direction: Direction): PolicyPart[] {
    return this.candidateParts(pod.namespace)
      .filter((part) => part.layer === layer && part.direction === direction && selectionMatchesPod(cluster, part.policy.subject, pod));
  }
}

/**
 * True if the selection contains the pod. Host-network pods are never selected: they share the node's
 * network namespace and every plugin treats their traffic as node traffic.
 */
export function selectionMatchesPod(cluster: ClusterModel, selection: PodSelection, pod: ClusterPod): boolean {
  if (pod.hostNetwork) {
    return false;
  }
  if (!namespaceInScope(cluster, selection.namespaces, pod.namespace)) {
    return false;
  }
  if (selection.serviceAccounts && !selection.serviceAccounts.includes(pod.serviceAccountName)) {
    return false;
  }
  return matchesSelector(selection.pods, pod.labels);
}

/** True if the namespace is in the scope. */
export function namespaceInScope(cluster: ClusterModel, scope: NamespaceScope, namespace: string): boolean {
  if (scope.kind === 'names') {
    return scope.names.includes(namespace);
  }
  const ns = cluster.namespaces.get(namespace);
  return ns !== undefined && matchesSelector(scope.selector, ns.labels);
}

/** Canonical key of a selection: equal keys select the same pods in every cluster. */
export function selectionKey(selection: PodSelection): string {
  const scope = selection.namespaces.kind === 'names'
    ? `ns:${JSON.stringify([...new Set(selection.namespaces.names)].sort())}`
    : `nssel:${selectorKey(selection.namespaces.selector)}`;
  const accounts = selection.serviceAccounts ? `|sa:${JSON.stringify([...new Set(selection.serviceAccounts)].sort())}` : '';
  return `${scope}|pods:${selectorKey(selection.pods)}${accounts}`;
}

function comparePolicies(a: AnalysisPolicy, b: AnalysisPolicy): number {
  if (a.layer !== b.layer) {
    return LAYERS.indexOf(a.layer) - LAYERS.indexOf(b.layer);
  }
  if (a.tier.order !== b.tier.order) {
    return a.tier.order - b.tier.order;
  }
  if (a.tier.name !== b.tier.name) {
    return a.tier.name < b.tier.name ? -1 : 1;
  }
  const orderA = a.order ?? Number.POSITIVE_INFINITY;
  const orderB = b.order ?? Number.POSITIVE_INFINITY;
  if (orderA !== orderB) {
    return orderA < orderB ? -1 : 1;
  }
  const refA = formatPolicyRef(a.ref);
  const refB = formatPolicyRef(b.ref);
  return refA < refB ? -1 : refA > refB ? 1 : 0;
}

/** A tier name must mean one tier: the same order and default action everywhere it is used. */
function checkTiers(policies: readonly AnalysisPolicy[]): void {
  const tiers = new Map<string, { tier: PolicyTier; ref: string }>();
  for (const policy of policies) {
    const key = `${policy.layer}/${policy.tier.name}`;
    const known = tiers.get(key);
    if (!known) {
      tiers.set(key, { tier: policy.tier, ref: formatPolicyRef(policy.ref) });
    } else if (known.tier.order !== policy.tier.order || known.tier.defaultAction !== policy.tier.defaultAction) {
      throw new AnalysisInputError(
        `${formatPolicyRef(policy.ref)} places tier "${policy.tier.name}" at order ${policy.tier.order} with default ${policy.tier.defaultAction}, `
        + `but ${known.ref} uses order ${known.tier.order} with default ${known.tier.defaultAction}; a tier must be defined once`,
      );
    }
  }
}
