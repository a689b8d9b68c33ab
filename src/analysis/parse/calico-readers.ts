import { CalicoNetworkSetManifest, readCalicoNetworkSet } from './calico-network-set';
import { CalicoPolicyManifest, CalicoTierManifest, readCalicoPolicy, readCalicoTier } from './calico-policy';
import { FieldReader } from './field-reader';
import { ManifestError } from './manifest-error';
import { ClusterNamespace } from '../cluster/cluster-model';
import { AnalysisPolicy } from '../ir/analysis-policy';
import { formatPolicyRef, formatSourceLocation, PolicyRef } from '../ir/policy-ref';
import { NetworkSetContext } from '../translate/calico-network-sets';
import {
  calicoRefKind, CalicoPolicyNeedsCluster, resolveCalicoTiers, translateCalicoPolicy, UnsupportedCalicoPolicy,
} from '../translate/calico-policy';

/**
 * The Calico policy kinds, as `<group>/<kind>` keys of the parser's reader table. The
 * crd.projectcalico.org group (Calico's internal storage) is listed so that reading it fails with
 * the way to export the real objects.
 */
export const CALICO_POLICY_KEYS: readonly string[] = ['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy']
  .flatMap(kind => [`projectcalico.org/${kind}`, `crd.projectcalico.org/${kind}`]);

/** The key of Calico's Tier kind, which holds no rules but orders the policies of its tier. */
export const CALICO_TIER_KEY = 'projectcalico.org/Tier';

/** The keys of Calico's network sets, which give addresses labels that rule selectors match. */
export const CALICO_NETWORK_SET_KEYS: readonly string[] = ['NetworkSet', 'GlobalNetworkSet']
  .flatMap(kind => [`projectcalico.org/${kind}`, `crd.projectcalico.org/${kind}`]);

/** A Calico policy read and validated, translated once every network set of the input is known. */
interface PendingPolicy {
  readonly reader: FieldReader;
  readonly manifest: CalicoPolicyManifest;
  translated?: AnalysisPolicy[];
}

/** A Calico policy read: its reference now, its IR policies once `translate` has run. */
export interface PendingCalicoPolicy {
  readonly ref: PolicyRef;
  readonly policies: () => AnalysisPolicy[];
}

/** The reference of a Calico object, for duplicate checks before translation. */
export function calicoManifestRef(m: { readonly kind: string; readonly namespace?: string; readonly name: string }): PolicyRef {
  return { kind: calicoRefKind(m.kind), ...(m.namespace !== undefined ? { namespace: m.namespace } : {}), name: m.name };
}

/**
 * Collects the Calico objects of one parse — policies, Tier objects and network sets — and
 * translates the policies in `finish`, when every network set their selectors may match is known
 * (objects may come in any order, across files).
 */
export class CalicoObjects {
  private readonly tiers = new Map<string, CalicoTierManifest>();
  private readonly networkSets = new Map<string, CalicoNetworkSetManifest>();
  private readonly policies: PendingPolicy[] = [];

  /** Reads and validates a Calico policy; returns a function giving its IR policies after `finish`. */
  public readPolicy(reader: FieldReader, value: unknown, defaultNamespace: string | undefined): PendingCalicoPolicy {
    const manifest = readCalicoPolicy(reader, value, defaultNamespace ?? 'default');
    const pending: PendingPolicy = { reader, manifest };
    this.policies.push(pending);
    return {
      ref: calicoManifestRef(manifest),
      policies: () => {
        if (!pending.translated) throw new Error('Calico policies are translated in finish()');
        return pending.translated;
      },
    };
  }

  /** Reads a Tier object; a tier defined twice is an error. */
  public readTier(reader: FieldReader, value: unknown): void {
    const tier = readCalicoTier(reader, value);
    if (this.tiers.has(tier.name)) reader.fail('metadata.name', `Tier ${tier.name} is defined twice`);
    this.tiers.set(tier.name, tier);
  }

  /** Reads a NetworkSet or GlobalNetworkSet; one defined twice is an error. */
  public readNetworkSet(reader: FieldReader, value: unknown, defaultNamespace: string | undefined): void {
    const set = readCalicoNetworkSet(reader, value, defaultNamespace ?? 'default');
    const id = formatPolicyRef(calicoManifestRef(set));
    const earlier = this.networkSets.get(id);
    if (earlier) {
      reader.fail('metadata.name', `${set.kind} ${set.namespace !== undefined ? `${set.namespace}/` : ''}${set.name} is defined twice (first in ${earlier.source ? formatSourceLocation(earlier.source) : 'another source'}); names must be unique${set.namespace !== undefined ? ' per namespace' : ''}`);
    }
    this.networkSets.set(id, set);
  }

  /** What translations match network sets against: the sets read, and the cluster's namespaces when known. */
  public networkSetContext(namespaces: ReadonlyMap<string, ClusterNamespace> | undefined): NetworkSetContext {
    return { sets: this.sets, ...(namespaces ? { namespaces } : {}) };
  }

  /** The network sets read so far, in input order. */
  public get sets(): readonly CalicoNetworkSetManifest[] {
    return [...this.networkSets.values()];
  }

  /**
   * Translates every policy read (network sets matched as Calico matches them) and gives the
   * policies of the whole input their tiers (see `resolveCalicoTiers`).
   *
   * @param all every IR policy of the input, in input order, once Calico's are translated
   * @param namespaces the cluster's namespaces, when known (a namespaced network set may match by its namespace's labels)
   * @throws ManifestError for what the analyzer cannot evaluate, naming the field
   */
  public translate(namespaces: ReadonlyMap<string, ClusterNamespace> | undefined): void {
    const context = this.networkSetContext(namespaces);
    for (const pending of this.policies) {
      try {
        pending.translated = translateCalicoPolicy(pending.manifest, context);
      } catch (e) {
        if (e instanceof UnsupportedCalicoPolicy) pending.reader.fail(e.path, `${e.problem}; the analyzer cannot evaluate this policy`);
        if (e instanceof CalicoPolicyNeedsCluster) pending.reader.fail(e.path, e.problem);
        throw e;
      }
    }
  }

  /** The policies with their tiers resolved (see `resolveCalicoTiers`). */
  public resolveTiers(policies: readonly AnalysisPolicy[]): AnalysisPolicy[] {
    const resolved = resolveCalicoTiers(policies, [...this.tiers.values()], this.networkSets.size > 0);
    if (Array.isArray(resolved)) return resolved;
    const { policy, problem } = resolved;
    throw new ManifestError(policy.source ?? { file: '(input)', document: 0 }, 'spec.tier', problem, formatPolicyRef(policy.ref));
  }
}
