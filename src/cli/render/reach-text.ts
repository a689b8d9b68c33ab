import { escapeText } from './text-escape';
import { endpointLabels, ReachReport } from '../reach-report';

/**
 * `reach` as text: a summary, the notes, then one block per group of sources with identical rows —
 * `from A, B` and a line `to C, D: TCP 8080, UDP 53` per set of destinations sharing connections —
 * and the sources without any connection. Every name is escaped for the terminal.
 */
export function renderReachText(report: ReachReport): string {
  const lines = [summary(report), `  ${report.selfNote}`, ...report.notes.map((note) => `  note: ${escapeText(note)}`)];
  for (const row of report.rows) {
    lines.push('', `from ${list(endpointLabels(report.connectivity, row.sources))}`);
    for (const entry of row.entries) {
      lines.push(`  to ${list(endpointLabels(report.connectivity, entry.destinations))}: ${entry.connections.format()}`);
    }
  }
  if (report.nothing.length > 0) {
    lines.push('', `no connection from ${list(endpointLabels(report.connectivity, report.nothing))}`);
  }
  if (report.self.length > 0) {
    lines.push('', 'to itself:');
    for (const entry of report.self) {
      lines.push(`  ${list(endpointLabels(report.connectivity, entry.groups))}: ${entry.connections.format()}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `Reachability over every connection (…): 6 pods, 2 external address classes.` */
export function summary(report: ReachReport): string {
  const universe = report.connectivity.universe;
  const pods = universe.grouping.pods.length;
  const external = universe.external.classes.length;
  return `Reachability over ${report.focus}: ${pods} pod${pods === 1 ? '' : 's'}, `
    + `${external} external address class${external === 1 ? '' : 'es'} (addresses outside the cluster model that no rule tells apart).`;
}

function list(labels: readonly string[]): string {
  return labels.map(escapeText).join(', ');
}
