import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { StageModel } from '../../model';
import { InputProblem } from '../../validation/input-error';
import { checkNamespaceName } from '../../validation/validators';
import { PolicyStage } from '../policy-stage';

/**
 * The namespace an intent's policies live in: the explicit prop, else the
 * chart's namespace. There is no silent "default" namespace.
 */
export function resolveNamespace(scope: IConstruct, given: unknown, problems: InputProblem[]): string {
  if (given !== undefined) {
    problems.push(...checkNamespaceName('namespace', given));
    return typeof given === 'string' ? given : 'invalid-namespace';
  }
  let chartNs: string | undefined;
  try {
    chartNs = Chart.of(scope).namespace;
  } catch {
    chartNs = undefined;
  }
  if (chartNs === undefined) {
    problems.push({ what: 'namespace', value: undefined, expected: 'a namespace for the policies', fix: 'pass `namespace` to this construct, or create its Chart with { namespace }' });
    return 'invalid-namespace';
  }
  problems.push(...checkNamespaceName('namespace of the chart', chartNs));
  return chartNs;
}

/** The model stage of an intent's `stage` prop (default: enforce). */
export function resolveStage(given: unknown, problems: InputProblem[]): StageModel {
  if (given === undefined || given === PolicyStage.ENFORCE) return 'enforce';
  if (given === PolicyStage.AUDIT) return 'audit';
  problems.push({ what: 'stage', value: given, expected: 'PolicyStage.ENFORCE or PolicyStage.AUDIT', fix: 'use the PolicyStage enum' });
  return 'enforce';
}
