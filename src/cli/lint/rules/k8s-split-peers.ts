import { describeLabelSelector, policyDirections } from '../kubernetes-policy';
import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';

/**
 * A `from`/`to` list holding a pod-only peer and a namespace-only peer: two alternatives (OR), often
 * written by mistake for one peer with both selectors (AND) — one `-` too many lets every pod of the
 * namespaces in (K8S-DOC; kubernetes/kubernetes#50451).
 */
export function k8sSplitPeers(object: LintObject): LintViolation[] {
  const policy = object.networkPolicy;
  if (!policy) {
    return [];
  }
  const violations: LintViolation[] = [];
  for (const direction of policyDirections(policy).filter((d) => d.effective)) {
    direction.rules.forEach((rule, i) => {
      const podOnly = rule.peers.filter((peer) => peer.podSelector && !peer.namespaceSelector);
      const namespaceOnly = rule.peers.filter((peer) => peer.namespaceSelector && !peer.podSelector);
      if (podOnly.length === 0 || namespaceOnly.length === 0) {
        return;
      }
      const pods = describeLabelSelector(podOnly[0].podSelector!);
      const namespaces = describeLabelSelector(namespaceOnly[0].namespaceSelector!);
      const field = `spec.${direction.direction}[${i}].${direction.peerField}`;
      violations.push({
        path: field,
        message: `${direction.peerField} lists a pod-only peer (podSelector ${pods}) and a namespace-only peer (namespaceSelector ${namespaces}) `
          + `as separate items: they are alternatives, so every pod of the namespaces ${namespaces} matches, and pods ${pods} only in ${policy.namespace}`,
        fix: `if you meant pods ${pods} inside namespaces ${namespaces}, put both selectors in one list item `
          + '({namespaceSelector: …, podSelector: …}); if you meant either, split them into two rules to make that explicit',
      });
    });
  }
  return violations;
}

