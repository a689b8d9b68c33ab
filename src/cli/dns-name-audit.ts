import { CliError } from './cli-error';
import { AnalysisPolicy, formatPolicyRef } from '../analysis';

/**
 * Stops `audit` when the policies allow DNS names (Cilium `toFQDNs`), unless `--ignore-dns-names`
 * opts into the approximation it names: a flow record says the addresses of a connection, not the
 * name the pod looked up (the readers do not map Hubble's `destination_names`), so a connection a
 * name allowance admits would be decided as reached by no name — denied where only the name allows
 * it — and reported as "would be denied" or "differs" without being either.
 */
export function rejectDnsNameAllowances(policies: readonly AnalysisPolicy[], ignore: boolean): void {
  if (ignore) return;
  for (const policy of policies) {
    if (!policy.enforced) continue;
    const rule = policy.egress?.rules.find((r) => r.peers?.some((peer) => peer.kind === 'dnsName'));
    if (rule) {
      throw new CliError(`${formatPolicyRef(policy.ref)} ${rule.label} allows DNS names (toFQDNs), and flow records name addresses only: `
        + 'audit cannot tell which name a recorded connection was made by, so a flow that only the name allowance admits would be reported as denied; '
        + 'pass --ignore-dns-names to audit with every DNS-name allowance read as allowing nothing (such flows are then listed as denied or differing, and are not errors of the cluster)');
    }
  }
}
