import { wholeNamespaceDnsPeers } from '../egress-dns';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';

/**
 * DNS (port 53) allowed to every pod of a namespace — `namespaceSelector: kube-system` without a
 * `podSelector`, as the seed's allow-dns and backend-egress-policy write it — instead of to the
 * DNS pods: any pod of that namespace that listens on 53 receives the lookups, and the egress
 * reaches every service of kube-system on that port (SEMANTICS §6 K8s 4; seed).
 */
export function dnsWholeNamespace(object: LintObject): LintViolation[] {
  return wholeNamespaceDnsPeers(object).map(({ path, namespaces }) => ({
    path,
    message: `port 53 is allowed to every pod of the namespaces that ${namespaces} selects, not only to the DNS server: `
      + 'any pod there that listens on 53 gets these lookups, and the rule opens more than DNS needs',
    fix: 'select the DNS pods too: add podSelector: {matchLabels: {k8s-app: kube-dns}} to the same peer (the AllowDns construct does), '
      + 'or the equivalent selector in Cilium or Calico',
  }));
}
