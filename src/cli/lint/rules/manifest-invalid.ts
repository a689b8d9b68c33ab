import { LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';

/**
 * An object its API server would reject (an invalid field, a missing name, a name defined twice):
 * none of it applies. Every problem found while loading is one finding; the object is left out of
 * every other rule, and the rest of the input is still linted.
 */
export function manifestInvalid(object: LintObject): readonly LintViolation[] {
  return object.problems ?? [];
}
