import { ciliumRules, ciliumScope } from '../cilium-policy';
import { KIND, LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { asObject } from '../manifest-fields';

/**
 * A CiliumClusterwideNetworkPolicy whose endpointSelector is empty selects every endpoint in every
 * namespace, kube-system and the CNI's own pods included (SEMANTICS §6 Cilium 3; cilium/cilium#13883).
 */
export function ciliumClusterwideSelectsAll(object: LintObject): LintViolation[] {
  if (object.key !== KIND.ciliumClusterwideNetworkPolicy) {
    return [];
  }
  return ciliumRules(object)
    .filter(({ rule }) => asObject(rule.nodeSelector) === undefined
      && ciliumScope(rule.endpointSelector).all && !namesNamespaces(rule.endpointSelector))
    .map(({ path }) => ({
      path: `${path}.endpointSelector`,
      message: 'an empty endpointSelector in a clusterwide policy selects every endpoint of every namespace, including kube-system and the control plane',
      fix: 'exclude the system namespaces, e.g. matchExpressions: [{key: k8s:io.kubernetes.pod.namespace, operator: NotIn, values: [kube-system]}]',
    }));
}

/** True if the selector restricts namespaces (then `ciliumScope` ignored that part). */
function namesNamespaces(selector: unknown): boolean {
  const labels = asObject(asObject(selector)?.matchLabels) ?? {};
  return Object.keys(labels).some((key) => key.endsWith('io.kubernetes.pod.namespace'));
}
