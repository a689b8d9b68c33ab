import { InputProblem } from '../../validation/input-error';
import { checkNamespaceName } from '../../validation/validators';

/**
 * Namespaces every cluster-wide intent leaves alone: the cluster's DNS and API
 * machinery and the CNI itself. Denying their traffic breaks the cluster (and
 * Calico's own components), so they are never covered; use a namespaced
 * DefaultDeny in them if you really mean it.
 */
export const SYSTEM_NAMESPACES: readonly string[] = Object.freeze(['calico-system', 'kube-system']);

/** The validated, sorted exception list of a cluster-wide intent: the user's namespaces plus the system namespaces. */
export function resolveExceptNamespaces(given: unknown, problems: InputProblem[]): string[] {
  if (given === undefined) return [...SYSTEM_NAMESPACES];
  if (!Array.isArray(given)) {
    problems.push({ what: 'exceptNamespaces', value: given, expected: 'a list of namespace names', fix: 'pass e.g. ["monitoring", "ingress-nginx"]' });
    return [...SYSTEM_NAMESPACES];
  }
  given.forEach(n => problems.push(...checkNamespaceName('namespace in exceptNamespaces', n)));
  return [...new Set([...SYSTEM_NAMESPACES, ...given.filter(n => typeof n === 'string')])].sort();
}
