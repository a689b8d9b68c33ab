import { LintContext } from './lint-rule';

const facts = new WeakMap<LintContext, Map<(context: LintContext) => unknown, unknown>>();

/**
 * The result of `compute` for this lint run, computed on first use and shared by every object the
 * run checks: how cross-object rules stay linear (an index over all objects, built once, then a
 * lookup per object) while each rule remains a function of (object, context). `compute` must be a
 * module-level function (its identity is the key) and depend on the context only.
 */
export function perRun<T>(context: LintContext, compute: (context: LintContext) => T): T {
  let known = facts.get(context);
  if (!known) {
    known = new Map();
    facts.set(context, known);
  }
  if (!known.has(compute)) {
    known.set(compute, compute(context));
  }
  return known.get(compute) as T;
}
