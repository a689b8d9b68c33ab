import { CommandContext } from './command-context';
import { AnalysisPolicy, ClusterModel } from '../analysis';

/**
 * Says on stderr (stdout stays the promised format), when the input has mesh-layer policies, how
 * the mesh was read: with the cluster's mesh facts, mTLS is decided per connection and Istio
 * policies are enforced only at enrolled pods; without them, connections are plaintext.
 */
export function warnIfPlaintextOnly(context: CommandContext, policies: readonly AnalysisPolicy[], cluster?: ClusterModel): void {
  if (!policies.some((policy) => policy.layer === 'mesh' && policy.enforced)) {
    return;
  }
  if (cluster?.hasMeshFacts) {
    const count = (enrollment: string) => cluster.pods.filter((pod) => pod.mesh?.enrollment === enrollment).length;
    context.io.stderr(`note: mesh: ${count('sidecar')} pods with a sidecar, ${count('ambient')} ambient, ${count('none')} outside the mesh (read from the cluster file); `
      + 'mTLS is decided per connection from both ends\' enrollment and the PeerAuthentications, and no Istio policy is enforced at pods outside the mesh\n');
    return;
  }
  context.io.stderr('note: reach and diff assume connections without mTLS, so Istio rules on principals, namespaces or service accounts never match here; '
    + 'use explain --mtls for meshed flows\n');
}
