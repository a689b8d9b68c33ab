import { LintObject } from './lint-object';
import { LintContext, LintFinding, LintRule } from './lint-rule';
import { compareStrings } from '../../analysis';

/**
 * Applies every rule of a pack to every object. Findings come in object order (the order of the
 * files and documents given), then by rule id and path, so the output is the same on every run.
 */
export function runLint(pack: readonly LintRule[], objects: readonly LintObject[], context: Omit<LintContext, 'objects'> = {}): LintFinding[] {
  const full: LintContext = { ...context, objects };
  const findings: { order: number; finding: LintFinding }[] = [];
  objects.forEach((object, order) => {
    for (const rule of pack) {
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
