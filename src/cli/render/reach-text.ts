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
  if (report.names.length > 0) {
    lines.push('', 'to DNS names (addresses the source looked the names up by; see the DNS names note):');
    for (const row of report.names) {
      lines.push(`  from ${list(endpointLabels(report.connectivity, row.sources))}`);
      for (const entry of row.entries) {
        lines.push(`    to ${escapeText(entry.label)}: ${entry.connections.format()}`);
      }
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
  lines.push(...serviceLines(report));
  return `${lines.join('\n')}\n`;
}

/**
 * The Services section: per Service, `to svc ns/name (waypoint ns/w; endpoints …)` and a line per
 * group of sources, `from A, B: TCP 8080 (GET /api/*)` (what every endpoint admits), with each
 * endpoint's own set when they differ.
 */
function serviceLines(report: ReachReport): string[] {
  if (report.services.rows.length === 0) {
    return [];
  }
  const lines = ['', 'to Services (ClusterIP and Service port; what every endpoint pod admits, through the waypoint where one is bound):'];
  for (const row of report.services.rows) {
    const waypoint = row.waypoint ? `waypoint ${row.waypoint}; ` : '';
    const endpoints = row.endpointPods.length === 0 ? 'no endpoint pod' : `endpoints ${list(row.endpointPods)}`;
    lines.push(`  to svc ${escapeText(row.service)} (${escapeText(waypoint)}${endpoints}):`);
    if (row.entries.length === 0) {
      lines.push('    no connection from any pod');
    }
    for (const entry of row.entries) {
      lines.push(`    from ${list(entry.sources)}: ${entry.connections.format()}`);
      for (const endpoint of entry.endpoints ?? []) {
        lines.push(`      via endpoint ${escapeText(endpoint.pod)}: ${endpoint.connections.format()}`);
      }
    }
  }
  return lines;
}

/** `Reachability over every connection (…): 6 pods, 2 external address classes.` */
export function summary(report: ReachReport): string {
  const universe = report.connectivity.universe;
  const pods = universe.grouping.pods.length;
  const external = universe.external.classes.length;
  const names = universe.names.classes.length;
  return `Reachability over ${report.focus}: ${pods} pod${pods === 1 ? '' : 's'}, `
    + `${external} external address class${external === 1 ? '' : 'es'} (addresses outside the cluster model that no rule tells apart)`
    + `${names === 0 ? '' : `, ${names} DNS-name class${names === 1 ? '' : 'es'} (names no toFQDNs pattern tells apart)`}.`;
}

function list(labels: readonly string[]): string {
  return labels.map(escapeText).join(', ');
}
