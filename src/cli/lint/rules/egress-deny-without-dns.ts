import { dnsCoverage, egressIsolations } from '../egress-dns';
import { LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';
import { perRun } from '../per-run';

/**
 * A policy isolates egress (default deny) and no policy linted with it allows those pods DNS on UDP
 * port 53: name resolution times out and every call by service name fails — the seed's case 1
 * ("Full Service Outage from Incorrect Egress Policy"; kubernetes/website#38267). Kubernetes,
 * Cilium and Calico policies count, in any mix; a cluster-wide allowance covers every namespace.
 */
export function egressDenyWithoutDns(object: LintObject, context: LintContext): LintViolation[] {
  const isolations = egressIsolations(object);
  if (isolations.length === 0) {
    return [];
  }
  const udp = perRun(context, dnsCoverage).udp;
  return isolations
    .filter((isolation) => !udp.covers(isolation))
    .map((isolation) => {
      const where = isolation.namespace === undefined ? 'anywhere in the policies' : `in namespace ${isolation.namespace}`;
      const pods = isolation.scope.all ? 'its pods' : 'the pods it selects';
      return {
        path: isolation.path,
        message: `this policy denies egress of ${pods} by default, and no policy ${where} allows them DNS (UDP 53): `
          + 'lookups time out and every connection by service name fails, while connections by IP still work',
        fix: 'allow egress to kube-dns (namespace kube-system, k8s-app=kube-dns) on UDP and TCP 53 for the same pods, in the same change '
          + '(the AllowDns construct; add an ipBlock for NodeLocal DNSCache if the cluster runs it)',
      };
    });
}
