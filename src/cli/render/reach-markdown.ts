import { markdownCode } from './markdown-escape';
import { summary } from './reach-text';
import { escapeText } from './text-escape';
import { endpointLabels, ReachReport } from '../reach-report';

/**
 * `reach` as GitHub-flavoured Markdown: the summary and notes, then a table with one row per group
 * of sources with identical connections and set of destinations sharing them. Every name is a code
 * span (`markdownCode`), so nothing in it renders as a link, emphasis or HTML.
 */
export function renderReachMarkdown(report: ReachReport): string {
  const lines = ['### Reachability', '', escapeProse(summary(report)), '', `- ${escapeProse(report.selfNote)}`];
  for (const note of report.notes) {
    lines.push(`- note: ${markdownCode(note)}`);
  }
  lines.push('', '| from | to | connections |', '| --- | --- | --- |');
  for (const row of report.rows) {
    const sources = cell(endpointLabels(report.connectivity, row.sources));
    for (const entry of row.entries) {
      lines.push(`| ${sources} | ${cell(endpointLabels(report.connectivity, entry.destinations))} | ${entry.connections.format()} |`);
    }
  }
  for (const row of report.names) {
    const sources = cell(endpointLabels(report.connectivity, row.sources));
    for (const entry of row.entries) {
      lines.push(`| ${sources} | ${cell([entry.label])} | ${entry.connections.format()} |`);
    }
  }
  if (report.nothing.length > 0) {
    lines.push(`| ${cell(endpointLabels(report.connectivity, report.nothing))} | *(any endpoint)* | nothing |`);
  }
  for (const entry of report.self) {
    lines.push(`| ${cell(endpointLabels(report.connectivity, entry.groups))} | *(itself)* | ${entry.connections.format()} |`);
  }
  if (report.services.rows.length > 0) {
    lines.push('', '#### To Services', '', 'ClusterIP and Service port; what every endpoint pod admits, through the waypoint where one is bound.', '',
      '| from | to | connections |', '| --- | --- | --- |');
    for (const row of report.services.rows) {
      const to = `${markdownCode(`svc ${row.service}`, 'table')}${row.waypoint ? `<br>waypoint ${markdownCode(row.waypoint, 'table')}` : ''}`;
      if (row.entries.length === 0) {
        lines.push(`| *(any pod)* | ${to} | nothing |`);
      }
      for (const entry of row.entries) {
        const perEndpoint = (entry.endpoints ?? []).map((endpoint) => `<br>via ${markdownCode(endpoint.pod, 'table')}: ${endpoint.connections.format()}`).join('');
        lines.push(`| ${cell(entry.sources)} | ${to} | ${entry.connections.format()}${perEndpoint} |`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Endpoint labels in a table cell: code spans, one per line. */
export function cell(labels: readonly string[]): string {
  return labels.map((label) => markdownCode(label, 'table')).join('<br>');
}

/** Our own prose (no untrusted text): only what Markdown could misread is escaped. */
function escapeProse(text: string): string {
  return escapeText(text).replace(/[\\`*_[\]<>|]/g, (character) => `\\${character}`);
}
