import { CalicoSelectorNode, normalizeSelector, renderSelector, unquotableReason } from './selector-ast';
import { formatProblem, InputProblem } from '../../validation/input-error';
import { checkLabelKey } from '../../validation/validators';

/**
 * A Calico selector expression (`projectcalico.org/v3` `selector`,
 * `namespaceSelector`, `serviceAccountSelector`), built from an expression
 * tree rather than by string concatenation, so that no label value can change
 * the meaning of the expression.
 *
 * Keys must be Kubernetes label keys (Calico never quotes keys). Values are
 * written as Calico string literals, which have no escape sequences: a value
 * containing `'` is written in double quotes, and a value containing both `'`
 * and `"` cannot be written at all and is rejected, as are control characters.
 *
 * Factories throw on invalid input, naming the value and how to fix it.
 *
 * @example
 * CalicoSelector.allOf(CalicoSelector.equalTo('app', 'web'), CalicoSelector.notHas('canary')).toString()
 * // "app == 'web' && !has(canary)"
 *
 * @see https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors
 */
export class CalicoSelector {
  /** Every endpoint: `all()`. */
  public static all(): CalicoSelector {
    return new CalicoSelector({ op: 'all' });
  }

  /** The label `key` is present with exactly `value`: `key == 'value'`. */
  public static equalTo(key: string, value: string): CalicoSelector {
    return new CalicoSelector({ op: 'eq', key: checkKey(key, 'CalicoSelector.equalTo()'), value: checkValue(value, 'CalicoSelector.equalTo()') });
  }

  /** The label `key` is absent, or has a value other than `value`: `key != 'value'`. */
  public static notEqualTo(key: string, value: string): CalicoSelector {
    return new CalicoSelector({ op: 'ne', key: checkKey(key, 'CalicoSelector.notEqualTo()'), value: checkValue(value, 'CalicoSelector.notEqualTo()') });
  }

  /** The label `key` is present with one of `values`: `key in {'a', 'b'}`. */
  public static isIn(key: string, values: string[]): CalicoSelector {
    return new CalicoSelector({ op: 'in', key: checkKey(key, 'CalicoSelector.isIn()'), values: checkValues(values, 'CalicoSelector.isIn()') });
  }

  /** The label `key` is absent, or has none of `values`: `key not in {'a', 'b'}`. */
  public static isNotIn(key: string, values: string[]): CalicoSelector {
    return new CalicoSelector({ op: 'notIn', key: checkKey(key, 'CalicoSelector.isNotIn()'), values: checkValues(values, 'CalicoSelector.isNotIn()') });
  }

  /** The label `key` is present, with any value: `has(key)`. */
  public static has(key: string): CalicoSelector {
    return new CalicoSelector({ op: 'has', key: checkKey(key, 'CalicoSelector.has()') });
  }

  /** The label `key` is absent: `!has(key)`. */
  public static notHas(key: string): CalicoSelector {
    return new CalicoSelector({ op: 'not', term: { op: 'has', key: checkKey(key, 'CalicoSelector.notHas()') } });
  }

  /**
   * Every one of the selectors holds: `a && b`. `allOf()` with no selector, or
   * only `all()`, is `all()`.
   */
  public static allOf(...selectors: CalicoSelector[]): CalicoSelector {
    selectors.forEach((s, i) => {
      if (!(s instanceof CalicoSelector)) {
        fail({ what: `selector ${i + 1} of CalicoSelector.allOf()`, value: s, expected: 'a CalicoSelector', fix: 'build it with a CalicoSelector factory such as CalicoSelector.equalTo()' });
      }
    });
    return new CalicoSelector({ op: 'and', terms: selectors.map(s => s._node) });
  }

  /** @internal */
  public static _fromNode(node: CalicoSelectorNode): CalicoSelector {
    return new CalicoSelector(node);
  }

  /** @internal The canonical expression tree. */
  public readonly _node: CalicoSelectorNode;
  private readonly expression: string;

  private constructor(node: CalicoSelectorNode) {
    this._node = normalizeSelector(node);
    this.expression = renderSelector(this._node);
  }

  /** The selector expression, e.g. `app == 'web' && has(tier)`. */
  public toString(): string {
    return this.expression;
  }
}

function fail(problem: InputProblem): never {
  throw new Error(formatProblem(problem));
}

function checkKey(key: unknown, factory: string): string {
  const problems = checkLabelKey(`label key of ${factory}`, key);
  if (problems.length) {
    fail({ ...problems[0], fix: `${problems[0].fix}; Calico never quotes keys, so a key must not contain spaces, quotes or operators` });
  }
  return key as string;
}

function checkValue(value: unknown, factory: string): string {
  if (typeof value !== 'string') {
    fail({ what: `label value of ${factory}`, value, expected: 'a string', fix: 'pass the label value as a string' });
  }
  const reason = unquotableReason(value);
  if (reason) {
    fail({ what: `label value of ${factory}`, value, expected: reason, fix: 'use the value the labels really carry; Kubernetes label values contain only letters, digits, "-", "_" and "."' });
  }
  return value;
}

function checkValues(values: unknown, factory: string): string[] {
  if (!Array.isArray(values) || values.length === 0) {
    fail({ what: `values of ${factory}`, value: values, expected: 'a list with at least one value', fix: factory.includes('isNotIn') ? 'list the values to exclude, or use CalicoSelector.notHas()' : 'list the values to match, or use CalicoSelector.has()' });
  }
  return values.map(v => checkValue(v, factory));
}
