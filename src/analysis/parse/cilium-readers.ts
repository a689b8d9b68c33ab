import { readCiliumPolicy } from './cilium-network-policy';
import { FieldReader } from './field-reader';
import { AnalysisPolicy } from '../ir/analysis-policy';
import { translateCiliumPolicy } from '../translate/cilium-network-policy';
import { UnsupportedCiliumSelector } from '../translate/cilium-selector';

/** The Cilium policy kinds, as `<group>/<kind>` keys of the parser's reader table. */
export const CILIUM_POLICY_KEYS: readonly string[] = ['cilium.io/CiliumNetworkPolicy', 'cilium.io/CiliumClusterwideNetworkPolicy'];

/**
 * Reads and translates one CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy. What the
 * analysis IR cannot express fails with a ManifestError on the field, rather than being evaluated wrongly.
 */
export function readCiliumPolicies(reader: FieldReader, value: unknown, defaultNamespace: string | undefined): AnalysisPolicy[] {
  const manifest = readCiliumPolicy(reader, value, defaultNamespace ?? 'default');
  try {
    return translateCiliumPolicy(manifest);
  } catch (e) {
    if (e instanceof UnsupportedCiliumSelector) {
      reader.fail(e.path, `${e.problem}; the analyzer cannot evaluate this policy`);
    }
    throw e;
  }
}
