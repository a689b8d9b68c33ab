import { escapeText } from './text-escape';
import { LintFinding } from '../lint/lint-rule';

/**
 * Findings as text, one block per finding:
 *
 *     error k8s-allow-all-rule: NetworkPolicy prod/web (policies.yaml, document 2)
 *       spec.ingress[0]: ingress[0] has no from and no ports: …
 *       fix: …
 *
 * then a summary line. Names, files, paths and messages come from the input (a pull request):
 * they are escaped for the terminal (`escapeText`).
 */
export function renderLintText(findings: readonly LintFinding[], objectCount: number): string {
  const blocks = findings.map((finding) => {
    const object = finding.object;
    const name = object.namespace === undefined ? object.name : `${object.namespace}/${object.name}`;
    const where = `${object.file}, document ${object.document}${object.item ? `, ${object.item}` : ''}`;
    return [
      `${finding.severity} ${finding.ruleId}: ${escapeText(`${object.kind} ${name} (${where})`)}`,
      `  ${escapeText(`${finding.path ? `${finding.path}: ` : ''}${finding.message}`)}`,
      `  fix: ${escapeText(finding.fix)}`,
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
