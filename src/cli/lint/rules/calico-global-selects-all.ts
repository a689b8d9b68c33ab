import { KIND, LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { asString, specOf } from '../manifest-fields';

const SELECT_EVERYTHING = new Set(['', 'all()']);
const SELECT_ALL_PODS = new Set(["projectcalico.org/orchestrator == 'k8s'", 'projectcalico.org/orchestrator == "k8s"']);

/**
 * A GlobalNetworkPolicy selecting everything (`selector` absent or `all()`, no `namespaceSelector`):
 * it captures kube-system, calico-system and — with `all()` — every HostEndpoint, so a default deny
 * cuts off the control plane and the nodes (projectcalico/calico PR #4050, #6488).
 */
export function calicoGlobalSelectsAll(object: LintObject): LintViolation[] {
  if (object.key !== KIND.calicoGlobalNetworkPolicy) {
    return [];
  }
  const spec = specOf(object.raw);
  if (spec.doNotTrack === true || spec.preDNAT === true) {
    return []; // host-endpoint policies by design
  }
  const selector = (asString(spec.selector) ?? '').trim();
  const namespaceSelector = (asString(spec.namespaceSelector) ?? '').trim();
  if (!SELECT_EVERYTHING.has(namespaceSelector)) {
    return [];
  }
  const hosts = SELECT_EVERYTHING.has(selector);
  if (!hosts && !SELECT_ALL_PODS.has(selector)) {
    return [];
  }
  return [{
    path: 'spec.selector',
    message: `the policy selects every pod of every namespace${hosts ? ' and every HostEndpoint' : ''}, kube-system and calico-system included: `
      + 'its types put all of them under the tier\'s default deny',
    fix: 'add a namespaceSelector that leaves out the system namespaces, e.g. kubernetes.io/metadata.name not in {"kube-system", "calico-system", "tigera-operator"}, '
      + 'and select pods only (projectcalico.org/orchestrator == \'k8s\')',
  }];
}
