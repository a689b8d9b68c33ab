import { labelSelector, LabelOperator, LabelSelectorModel } from '../../model';
import { InputProblem } from '../../validation/input-error';
import { checkLabelKey, checkLabelValue, checkLabels } from '../../validation/validators';

/** A Kubernetes LabelSelector as cdk8s-plus renders it. */
export interface KubeLabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Converts (and validates) a Kubernetes LabelSelector into the model. */
export function fromKubeSelector(s: KubeLabelSelector | undefined, what: string, problems: InputProblem[]): LabelSelectorModel {
  problems.push(...checkLabels(what, s?.matchLabels ?? {}));
  const exprs = (s?.matchExpressions ?? []).filter(e => {
    const p = [...checkLabelKey(`expression key in ${what}`, e.key)];
    if (!OPERATORS.includes(e.operator)) {
      p.push({ what: `expression operator in ${what}`, value: e.operator, expected: 'In, NotIn, Exists or DoesNotExist', fix: 'use one of the Kubernetes set-based operators' });
    }
    (e.values ?? []).forEach(v => p.push(...checkLabelValue(`expression value in ${what}`, v)));
    problems.push(...p);
    return p.length === 0;
  });
  return labelSelector(s?.matchLabels ?? {}, exprs.map(e => ({ key: e.key, operator: e.operator as LabelOperator, values: e.values ?? [] })));
}
