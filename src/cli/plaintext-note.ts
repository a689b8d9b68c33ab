import { CommandContext } from './command-context';
import { AnalysisPolicy } from '../analysis';

/**
 * Matrices are computed for plaintext flows; Istio identity rules only match with mTLS. Says so on
 * stderr (stdout stays the promised format) when the input has mesh-layer policies.
 */
export function warnIfPlaintextOnly(context: CommandContext, policies: readonly AnalysisPolicy[]): void {
  if (policies.some((policy) => policy.layer === 'mesh' && policy.enforced)) {
    context.io.stderr('note: matrices assume connections without mTLS, so Istio rules on principals, namespaces or service accounts never match here; '
      + 'use explain --mtls for meshed flows\n');
  }
}
