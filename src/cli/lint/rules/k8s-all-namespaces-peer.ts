import { describePorts, policyDirections } from '../kubernetes-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { isEmptyLabelSelector } from '../manifest-fields';

/** Istio ambient's HBONE tunnel port (ztunnel), IO-NP. */
const HBONE_PORT = 15008;

/**
 * A peer `namespaceSelector: {}` without a `podSelector` (or with an empty one): every pod of every
 * namespace — kube-system and other tenants included — often written for "this namespace", which
 * is `podSelector: {}` alone (K8S-TYPES; SEMANTICS §1 "Peers"). Left alone when the same rule
 * also allows every external address (`0.0.0.0/0` or `::/0` without except): then the rule
 * evidently means anyone (the library's `Peer.anyone()` spells it so), and on Istio ambient's
 * HBONE port alone (TCP 15008), where ztunnel admits only mutually authenticated mesh workloads,
 * which may run in any namespace ([IO-NP]).
 */
export function k8sAllNamespacesPeer(object: LintObject): LintViolation[] {
  const policy = object.networkPolicy;
  if (!policy) {
    return [];
  }
  const violations: LintViolation[] = [];
  for (const direction of policyDirections(policy).filter((d) => d.effective)) {
    direction.rules.forEach((rule, i) => {
      const anyone = rule.peers.some((peer) => peer.ipBlock !== undefined && /^(0\.0\.0\.0|::)\/0$/.test(peer.ipBlock.cidr) && (peer.ipBlock.except ?? []).length === 0);
      const hboneOnly = rule.ports.length > 0 && rule.ports.every((port) => (port.protocol ?? 'TCP') === 'TCP' && port.port === HBONE_PORT && port.endPort === undefined);
      if (anyone || hboneOnly) {
        return;
      }
      rule.peers.forEach((peer, j) => {
        if (peer.namespaceSelector !== undefined && isEmptyLabelSelector(peer.namespaceSelector) && isEmptyLabelSelector(peer.podSelector)) {
          const side = direction.direction === 'ingress' ? 'from' : 'to';
          violations.push({
            path: `spec.${direction.direction}[${i}].${direction.peerField}[${j}]`,
            message: `namespaceSelector: {} alone selects every pod of every namespace (kube-system and other teams included): ${direction.direction} ${side} all of them `
              + `is allowed on ${describePorts(rule.ports)}`,
            fix: 'for the pods of this namespace write podSelector: {} alone; for some namespaces select them by label '
              + '(kubernetes.io/metadata.name); if every pod of the cluster is meant, keep it and record why',
          });
        }
      });
    });
  }
  return violations;
}
