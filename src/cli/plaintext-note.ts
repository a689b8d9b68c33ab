import { CommandContext } from './command-context';
import { AnalysisPolicy } from '../analysis';

/**
 * Reachability is computed for plaintext connections; Istio identity rules only match with mTLS. Says so on
 * stderr (stdout stays the promised format) when the input has mesh-layer policies.
 */
export function warnIfPlaintextOnly(context: CommandContext, policies: readonly AnalysisPolicy[]): void {
  if (policies.some((policy) => policy.layer === 'mesh' && policy.enforced)) {
    context.io.stderr('note: reach and diff assume connections without mTLS, so Istio rules on principals, namespaces or service accounts never match here; '
      + 'use explain --mtls for meshed flows\n');
  }
}
