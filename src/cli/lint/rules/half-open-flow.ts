import { HalfOpenRule, halfOpenFlows } from '../half-open';
import { LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';
import { perRun } from '../per-run';

/**
 * A rule that allows flows the other end denies (needs `--cluster`): an ingress allowance whose
 * sources' egress is isolated and does not allow the flow, or an egress allowance whose
 * destinations' ingress is isolated and does not — the connection fails although the author wrote
 * one half of it (the seed's policy set has two: frontend → backend-api on 8080 and backend-api →
 * redis on 6379). Every pod pair and port is decided with the analyzer (`half-open.ts` says exactly
 * what is checked); when it cannot decide, the finding says so on the object that stopped it.
 */
export function halfOpenFlow(object: LintObject, context: LintContext): LintViolation[] {
  if (!context.cluster) {
    return [];
  }
  const result = perRun(context, halfOpenFlows);
  if (result.notChecked && (result.notChecked.object === object || (result.notChecked.object === undefined && object === context.objects[0]))) {
    return [{
      path: '',
      message: `half-open flows were not checked: ${result.notChecked.reason}`,
      fix: 'lint the policies the analyzer can evaluate, or check the flows with cdk8s-zero-trust reach',
    }];
  }
  return [...(result.byRule.get(object) ?? new Map<string, HalfOpenRule>())].map(([path, flows]) => {
    const count = flows.pairCount;
    const [written, missing] = flows.side === 'ingress' ? ['ingress', 'egress at the source'] : ['egress', 'ingress at the destination'];
    return {
      path,
      message: `this ${written} rule allows connections that the ${missing} denies, so they fail, for ${count} pod pair${count === 1 ? '' : 's'}: `
        + `${flows.examples.join('; ')}${count > flows.examples.length ? '; …' : ''} (${flows.otherEnd})`,
      fix: `allow the other half too: ${flows.side === 'ingress' ? 'an egress rule for the sources to these pods and ports' : 'an ingress rule at the destinations from these pods on these ports'} `
        + '(the AllowFrom construct writes both halves)',
    };
  });
}
