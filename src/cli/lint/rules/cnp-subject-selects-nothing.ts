import { LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';
import { describeStanding, subjectPods } from '../network-policy-api-policy';

/**
 * A subject that selects no pod of the cluster (`--cluster`): the policy enforces nothing, usually
 * because of a mistyped label (host-network pods are never selected, network-policy-api
 * ClusterNetworkPolicySubject).
 */
export function cnpSubjectSelectsNothing(object: LintObject, context: LintContext): LintViolation[] {
  const policy = object.networkPolicyApi;
  if (!policy || !context.cluster) return [];
  if (subjectPods(context.cluster, policy.subject).length > 0) return [];
  return [{
    path: `spec.subject.${policy.subject.kind}`,
    message: `the subject selects no pod of the cluster model, so the policy (${describeStanding(policy)}) decides nothing: check the namespace and pod labels (host-network pods are never selected)`,
    fix: 'select the labels the namespaces and pods really carry (kubectl get namespaces,pods --show-labels), or remove the policy',
  }];
}
