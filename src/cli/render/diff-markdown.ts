import { diffSummary } from './diff-text';
import { markdownCode } from './markdown-escape';
import { cell } from './reach-markdown';
import { endpointLabels } from '../reach-report';
import { ConnectivityChange, ReachabilityDiff, SelfChange } from '../reachability-diff';

/**
 * `diff` as a pull-request comment: the summary and notes, then a table of gained and one of lost
 * changes, cut after `maxRows` rows each. Every name and reason is a code span (`markdownCode`).
 */
export function renderDiffMarkdown(diff: ReachabilityDiff, maxRows: number): string {
  const lines = ['## Reachability diff', '', diffSummary(diff).replace(/[\\`*_[\]<>|]/g, (character) => `\\${character}`)];
  for (const note of diff.notes) {
    lines.push('', `- note: ${markdownCode(note)}`);
  }
  const table = (title: string, reasonHeader: string, changes: readonly ConnectivityChange[], self: readonly SelfChange[]) => {
    const rows: string[] = [];
    for (const change of changes) {
      const reasons = change.reasons.map((reason) => `${reason.connections.format()}: ${reason.because.map((text) => markdownCode(text, 'table')).join(' ')}`);
      rows.push(`| ${cell(endpointLabels(diff.after, change.sources))} | ${cell(endpointLabels(diff.after, change.destinations))} | `
        + `${change.connections.format()} | ${reasons.join('<br>')} |`);
    }
    for (const change of self) {
      rows.push(`| ${cell(endpointLabels(diff.after, change.groups))} | *(itself)* | ${change.connections.format()} | --self-traffic evaluate |`);
    }
    if (rows.length === 0) {
      return;
    }
    lines.push('', `### ${title} (${rows.length})`, '', `| from | to | connections | ${reasonHeader} |`, '| --- | --- | --- | --- |');
    lines.push(...rows.slice(0, maxRows));
    if (rows.length > maxRows) {
      lines.push('', `…and ${rows.length - maxRows} more; run \`cdk8s-zero-trust diff --format text\` for the full list.`);
    }
  };
  table('Gained: allowed now, denied before', 'allowed by', diff.gained, diff.gainedSelf);
  table('Lost: denied now, allowed before', 'denied because', diff.lost, diff.lostSelf);
  const services = diff.services.changes;
  if (services.length > 0) {
    const rows = services.map((change) => `| ${cell(change.sources)} | ${markdownCode(`svc ${change.service}`, 'table')} | `
      + `${change.gained.isEmpty() ? '' : change.gained.format()} | ${change.lost.isEmpty() ? '' : change.lost.format()} |`);
    lines.push('', `### To Services (${rows.length})`, '', 'ClusterIP and Service port, gained or lost at some endpoint pod; `explain --to svc/<namespace>/<name>` shows the hops.',
      '', '| from | to | gained | lost |', '| --- | --- | --- | --- |', ...rows.slice(0, maxRows));
    if (rows.length > maxRows) {
      lines.push('', `…and ${rows.length - maxRows} more; run \`cdk8s-zero-trust diff --format text\` for the full list.`);
    }
  }
  return `${lines.join('\n')}\n`;
}
