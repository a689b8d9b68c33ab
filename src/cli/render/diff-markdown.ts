import { diffSummary } from './diff-text';
import { formatPortProtocol } from '../port-selection';
import { FlowChange, ReachabilityDiff } from '../reachability-diff';

/** `diff` as a pull-request comment: a summary, then a table of gained and one of lost flows. */
export function renderDiffMarkdown(diff: ReachabilityDiff, maxRows: number): string {
  const lines = ['## Reachability diff', '', diffSummary(diff)];
  const table = (title: string, reasonHeader: string, changes: readonly FlowChange[]) => {
    if (changes.length === 0) {
      return;
    }
    lines.push('', `### ${title} (${changes.length})`, '', `| from | to | port | ${reasonHeader} |`, '| --- | --- | --- | --- |');
    for (const change of changes.slice(0, maxRows)) {
      lines.push(`| \`${change.source}\` | \`${change.destination}\` | ${formatPortProtocol(change)} | ${change.because.map(escapeCell).join('<br>')} |`);
    }
    if (changes.length > maxRows) {
      lines.push('', `…and ${changes.length - maxRows} more; run \`cdk8s-zero-trust diff --format text\` for the full list.`);
    }
  };
  table('Gained: allowed now, denied before', 'allowed by', diff.gained);
  table('Lost: denied now, allowed before', 'denied because', diff.lost);
  return `${lines.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
