import { CalicoTierManifest, readCalicoPolicy, readCalicoTier } from './calico-policy';
import { FieldReader } from './field-reader';
import { ManifestError } from './manifest-error';
import { AnalysisPolicy } from '../ir/analysis-policy';
import { formatPolicyRef } from '../ir/policy-ref';
import { resolveCalicoTiers, translateCalicoPolicy, UnsupportedCalicoPolicy } from '../translate/calico-policy';

/**
 * The Calico policy kinds, as `<group>/<kind>` keys of the parser's reader table. The
 * crd.projectcalico.org group (Calico's internal storage) is listed so that reading it fails with
 * the way to export the real objects.
 */
export const CALICO_POLICY_KEYS: readonly string[] = ['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy']
  .flatMap(kind => [`projectcalico.org/${kind}`, `crd.projectcalico.org/${kind}`]);

/** The key of Calico's Tier kind, which holds no rules but orders the policies of its tier. */
export const CALICO_TIER_KEY = 'projectcalico.org/Tier';

/**
 * Reads and translates one Calico policy object. What the analysis IR cannot express fails with a
 * ManifestError on the field, rather than being evaluated wrongly.
 */
export function readCalicoPolicies(reader: FieldReader, value: unknown, defaultNamespace: string | undefined): AnalysisPolicy[] {
  const manifest = readCalicoPolicy(reader, value, defaultNamespace ?? 'default');
  try {
    return translateCalicoPolicy(manifest);
  } catch (e) {
    if (e instanceof UnsupportedCalicoPolicy) reader.fail(e.path, `${e.problem}; the analyzer cannot evaluate this policy`);
    throw e;
  }
}

/** Collects the Tier objects of one parse; `finish` resolves every Calico policy's tier. */
export class CalicoTiers {
  private readonly tiers = new Map<string, CalicoTierManifest>();

  /** Reads a Tier object; a tier defined twice is an error. */
  public read(reader: FieldReader, value: unknown): void {
    const tier = readCalicoTier(reader, value);
    if (this.tiers.has(tier.name)) reader.fail('metadata.name', `Tier ${tier.name} is defined twice`);
    this.tiers.set(tier.name, tier);
  }

  /** The policies with their tiers resolved (see `resolveCalicoTiers`). */
  public finish(policies: readonly AnalysisPolicy[]): AnalysisPolicy[] {
    const resolved = resolveCalicoTiers(policies, [...this.tiers.values()]);
    if (Array.isArray(resolved)) return resolved;
    const { policy, problem } = resolved;
    throw new ManifestError(policy.source ?? { file: '(input)', document: 0 }, 'spec.tier', problem, formatPolicyRef(policy.ref));
  }
}
