import {
  ClusterModel, ClusterPod, LabelSelectorManifest, matchesSelector, NetworkPolicyPeerManifest, parseCidr, podId, selectorFromLabelSelector,
} from '../../../analysis';
import { policyDirections } from '../kubernetes-policy';
import { LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';
import { isEmptyLabelSelector } from '../manifest-fields';
import { perRun } from '../per-run';
import { PodAddresses } from '../pod-addresses';

/**
 * An ipBlock that contains IPs of pods in the cluster (needs `--cluster`). Whether an ipBlock matches
 * pod traffic is implementation-defined: Calico matches, Cilium never does (projectcalico/calico#6634,
 * cilium/cilium#9209) — the same policy allows different flows on different plugins. Pods that a
 * selector peer of the same rule matches anyway are left out (`Peer.anyone()` pairs
 * `namespaceSelector: {}` with `0.0.0.0/0`: no divergence there).
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
        const selected = (pod: ClusterPod) => rule.peers.some((other) => selectorPeerMatches(cluster, policy.namespace, other, pod));
        // A peer selecting every pod (namespaceSelector: {} alone) leaves only host-network pods to look at.
        const hostNetworkOnly = rule.peers.some((other) => other.namespaceSelector !== undefined && isEmptyLabelSelector(other.namespaceSelector)
          && (other.podSelector === undefined || isEmptyLabelSelector(other.podSelector)));
        const pods = perRun(context, podAddresses).podsIn(cidr, except, { hostNetworkOnly }).filter((pod) => !selected(pod));
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

/** True if a podSelector/namespaceSelector peer matches the pod (host-network pods never: they are node traffic). */
function selectorPeerMatches(cluster: ClusterModel, policyNamespace: string, peer: NetworkPolicyPeerManifest, pod: ClusterPod): boolean {
  if (peer.ipBlock || pod.hostNetwork) {
    return false;
  }
  const matches = (selector: LabelSelectorManifest, labels: Readonly<Record<string, string>>) =>
    matchesSelector(selectorFromLabelSelector(selector.matchLabels, selector.matchExpressions), labels);
  const namespaceOk = peer.namespaceSelector
    ? matches(peer.namespaceSelector, cluster.namespaces.get(pod.namespace)?.labels ?? {})
    : pod.namespace === policyNamespace;
  return namespaceOk && (peer.podSelector === undefined || matches(peer.podSelector, pod.labels));
}

/** The cluster's pod addresses, sorted once per run. */
function podAddresses(context: LintContext): PodAddresses {
  return new PodAddresses(context.cluster!);
}
