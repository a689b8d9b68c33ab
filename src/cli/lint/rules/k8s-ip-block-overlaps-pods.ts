import { cidrContains, parseCidr, podId } from '../../../analysis';
import { policyDirections } from '../kubernetes-policy';
import { LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';

/**
 * An ipBlock that contains IPs of pods in the cluster (needs `--cluster`). Whether an ipBlock matches
 * pod traffic is implementation-defined: Calico matches, Cilium never does (projectcalico/calico#6634,
 * cilium/cilium#9209) — the same policy allows different flows on different plugins.
 */
export function k8sIpBlockOverlapsPods(object: LintObject, context: LintContext): LintViolation[] {
  const policy = object.networkPolicy;
  const cluster = context.cluster;
  if (!policy || !cluster) {
    return [];
  }
  const violations: LintViolation[] = [];
  for (const direction of policyDirections(policy).filter((d) => d.effective)) {
    direction.rules.forEach((rule, i) => {
      rule.peers.forEach((peer, j) => {
        if (!peer.ipBlock) {
          return;
        }
        const cidr = parseCidr(peer.ipBlock.cidr);
        const except = (peer.ipBlock.except ?? []).map(parseCidr);
        const pods = cluster.pods.filter((pod) => pod.ips.some((ip) => cidrContains(cidr, ip) && !except.some((hole) => cidrContains(hole, ip))));
        if (pods.length === 0) {
          return;
        }
        const listed = pods.slice(0, 3).map(podId).join(', ') + (pods.length > 3 ? `, and ${pods.length - 3} more` : '');
        violations.push({
          path: `spec.${direction.direction}[${i}].${direction.peerField}[${j}].ipBlock`,
          message: `ipBlock ${peer.ipBlock.cidr} contains the IPs of ${pods.length} pod${pods.length === 1 ? '' : 's'} in the cluster (${listed}): `
            + 'Calico applies it to their traffic, Cilium does not, so the rule allows different flows on different plugins',
          fix: 'select in-cluster peers with podSelector/namespaceSelector and exclude the pod CIDR from the ipBlock with except',
        });
      });
    });
  }
  return violations;
}
