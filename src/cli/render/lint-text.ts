import { LintFinding } from '../lint/lint-rule';

/**
 * Findings as text, one block per finding:
 *
 *     error k8s-allow-all-rule: NetworkPolicy prod/web (policies.yaml, document 2)
 *       spec.ingress[0]: ingress[0] has no from and no ports: …
 *       fix: …
 *
 * then a summary line.
 */
export function renderLintText(findings: readonly LintFinding[], objectCount: number): string {
  const blocks = findings.map((finding) => {
    const object = finding.object;
    const name = object.namespace === undefined ? object.name : `${object.namespace}/${object.name}`;
    const where = `${object.file}, document ${object.document}${object.item ? `, ${object.item}` : ''}`;
    return [
      `${finding.severity} ${finding.ruleId}: ${object.kind} ${name} (${where})`,
      `  ${finding.path ? `${finding.path}: ` : ''}${finding.message}`,
      `  fix: ${finding.fix}`,
    ].join('\n');
  });
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  const warnings = findings.length - errors;
  const summary = `${count(errors, 'error')}, ${count(warnings, 'warning')} in ${count(objectCount, 'object')}.`;
  return `${[...blocks, summary].join('\n\n')}\n`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
