import { FieldReader } from './field-reader';
import { ManifestError } from './manifest-error';
import { readNetworkPolicyApiObject } from './network-policy-api';
import { AnalysisPolicy, Direction } from '../ir/analysis-policy';
import { formatPolicyRef, formatSourceLocation, PolicyRef } from '../ir/policy-ref';
import { NetworkSetContext } from '../translate/calico-network-sets';
import { CalicoPolicyNeedsCluster } from '../translate/calico-policy';
import { translateNetworkPolicyApi, UndecidableNetworkPolicyApiPeer } from '../translate/network-policy-api';

const KINDS = new Set(['ClusterNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']);
const ADMIN_TIERS = new Set(['admin', 'baseline', 'kube-admin', 'kube-baseline']);

/**
 * Reads one ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy, and returns its
 * reference and its translation, which runs once the input's Calico network sets are known (Calico
 * matches a `namespaces` peer against them). What the cluster model cannot decide fails with a
 * ManifestError on the field.
 */
export function readNetworkPolicyApiPolicies(reader: FieldReader, value: unknown): {
  readonly ref: PolicyRef;
  readonly translate: (networkSets: NetworkSetContext) => AnalysisPolicy[];
} {
  const manifest = readNetworkPolicyApiObject(reader, value);
  return {
    ref: { kind: manifest.kind, name: manifest.name },
    translate: (networkSets) => {
      try {
        return [translateNetworkPolicyApi(manifest, networkSets)];
      } catch (e) {
        if (e instanceof UndecidableNetworkPolicyApiPeer) reader.fail(e.path, `${e.problem}; the analyzer cannot evaluate this policy`);
        if (e instanceof CalicoPolicyNeedsCluster) reader.fail(e.path, e.problem);
        throw e;
      }
    },
  };
}

/**
 * What a set of network-policy-api policies leaves undefined, refused rather than guessed:
 *
 * - ClusterNetworkPolicy (v1alpha2) together with AdminNetworkPolicy / BaselineAdminNetworkPolicy
 *   (v1alpha1): the API defines no order between the two generations;
 * - two policies of one tier with the same priority whose rules of one direction do not all have the
 *   same action: "the implementation can apply any of the matching policies" (ClusterNetworkPolicySpec
 *   and AdminNetworkPolicySpec `priority`), so the verdict is up to the implementation. Policies whose
 *   rules all have one action give the same verdict in either order and are accepted. With Calico
 *   objects in the input, Calico policies of its kube-admin / kube-baseline tiers count too.
 *
 * @throws ManifestError on the later of the two objects
 */
export function checkNetworkPolicyApiSet(policies: readonly AnalysisPolicy[]): void {
  const ours = policies.filter((p) => KINDS.has(p.ref.kind));
  const v1alpha2 = ours.find((p) => p.ref.kind === 'ClusterNetworkPolicy');
  const v1alpha1 = ours.find((p) => p.ref.kind !== 'ClusterNetworkPolicy');
  if (v1alpha2 && v1alpha1) {
    fail(v1alpha1, 'kind', `is a v1alpha1 ${v1alpha1.ref.kind}, but the input also has ${formatPolicyRef(v1alpha2.ref)} (v1alpha2, ${where(v1alpha2)}): network-policy-api defines no order between the two API generations, so the analyzer cannot evaluate them together; analyze the policies of the generation your implementation enforces`);
  }
  const groups = new Map<string, AnalysisPolicy[]>();
  for (const p of policies) {
    if (!ADMIN_TIERS.has(p.tier.name) || p.order === undefined || !p.enforced) continue;
    const key = `${p.layer}|${p.tier.name}|${p.order}`;
    const list = groups.get(key) ?? [];
    list.push(p);
    groups.set(key, list);
  }
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = 0; j < i; j++) {
        const [a, b] = [group[j], group[i]];
        if (!KINDS.has(a.ref.kind) && !KINDS.has(b.ref.kind)) continue; // Calico orders its own policies of one order by name
        for (const direction of ['ingress', 'egress'] as Direction[]) {
          const actions = new Set([...actionsOf(a, direction), ...actionsOf(b, direction)]);
          if (actionsOf(a, direction).length > 0 && actionsOf(b, direction).length > 0 && actions.size > 1) {
            fail(b, 'spec.priority', `has priority ${b.order} in the ${b.tier.name} tier like ${formatPolicyRef(a.ref)} (${where(a)}), and their ${direction} rules do not all have one action (${[...actions].join(', ')}): `
              + 'implementations may apply either policy first (network-policy-api ClusterNetworkPolicySpec.priority), so the verdict is undefined. Give them different priorities');
          }
        }
      }
    }
  }
}

function actionsOf(p: AnalysisPolicy, direction: Direction): string[] {
  return [...new Set((p[direction]?.rules ?? []).map((r) => r.action).filter((a) => a !== 'log'))];
}

function where(p: AnalysisPolicy): string {
  return p.source ? formatSourceLocation(p.source) : 'another source';
}

function fail(p: AnalysisPolicy, field: string, problem: string): never {
  throw new ManifestError(p.source ?? { file: '(input)', document: 0 }, field, problem, formatPolicyRef(p.ref));
}
