import { LabelRequirementModel } from '../model';
import { InputProblem } from '../validation/input-error';
import { checkLabelKey, checkLabelValue } from '../validation/validators';

/**
 * A set-based label requirement (`matchExpressions` entry).
 * Note that `isNotIn` and `doesNotExist` also match pods that lack the key.
 */
export class LabelExpression {
  /** The label's value is one of `values`. */
  public static isIn(key: string, values: string[]): LabelExpression {
    return LabelExpression.withValues(key, 'In', values, 'LabelExpression.isIn()');
  }

  /** The label is absent, or its value is none of `values`. */
  public static isNotIn(key: string, values: string[]): LabelExpression {
    return LabelExpression.withValues(key, 'NotIn', values, 'LabelExpression.isNotIn()');
  }

  /** The label is present, with any value. */
  public static exists(key: string): LabelExpression {
    return new LabelExpression({ key, operator: 'Exists', values: [] }, checkLabelKey('key of LabelExpression.exists()', key));
  }

  /** The label is absent. */
  public static doesNotExist(key: string): LabelExpression {
    return new LabelExpression({ key, operator: 'DoesNotExist', values: [] }, checkLabelKey('key of LabelExpression.doesNotExist()', key));
  }

  private static withValues(key: string, operator: 'In' | 'NotIn', values: string[], factory: string): LabelExpression {
    const problems = [...checkLabelKey(`key of ${factory}`, key)];
    if (!Array.isArray(values) || values.length === 0) {
      problems.push({ what: `values of ${factory}`, value: values, expected: 'at least one value', fix: operator === 'In' ? 'list the values to match, or use LabelExpression.exists()' : 'list the values to exclude, or use LabelExpression.doesNotExist()' });
    } else {
      values.forEach(v => problems.push(...checkLabelValue(`value of ${factory}`, v)));
    }
    return new LabelExpression({ key, operator, values: Array.isArray(values) ? values : [] }, problems);
  }

  /** @internal */
  public readonly _model: LabelRequirementModel;
  /** @internal */
  public readonly _problems: readonly InputProblem[];

  private constructor(model: LabelRequirementModel, problems: InputProblem[]) {
    this._model = model;
    this._problems = problems;
  }
}
