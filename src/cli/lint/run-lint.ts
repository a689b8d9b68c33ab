import { LintObject } from './lint-object';
import { LintContext, LintFinding, LintRule } from './lint-rule';
import { compareStrings } from '../../analysis';

/**
 * Applies every rule of a pack to every object (an invalid object only to `manifest-invalid`). Findings come in object order (the order of the
 * files and documents given), then by rule id and path, so the output is the same on every run.
 */
export function runLint(pack: readonly LintRule[], objects: readonly LintObject[], context: Omit<LintContext, 'objects'> = {}): LintFinding[] {
  const full: LintContext = { ...context, objects: objects.filter((object) => object.problems === undefined) };
  const forInvalid = pack.filter((rule) => rule.readsInvalidObjects === true);
  const forValid = pack.filter((rule) => rule.readsInvalidObjects !== true);
  const findings: { order: number; finding: LintFinding }[] = [];
  objects.forEach((object, order) => {
    for (const rule of object.problems === undefined ? forValid : forInvalid) {
      for (const violation of rule.check(object, full)) {
        findings.push({
          order,
          finding: {
            ruleId: rule.id,
            severity: rule.severity,
            object: {
              kind: object.kind,
              apiVersion: object.apiVersion,
              ...(object.namespace === undefined ? {} : { namespace: object.namespace }),
              name: object.name,
              file: object.location.file,
              document: object.location.document,
              ...(object.location.path ? { item: object.location.path } : {}),
            },
            ...violation,
          },
        });
      }
    }
  });
  return findings
    .sort((a, b) => a.order - b.order || compareStrings(a.finding.ruleId, b.finding.ruleId) || compareStrings(a.finding.path, b.finding.path))
    .map(({ finding }) => finding);
}
