import { escapeText } from './text-escape';
import { endpointLabels } from '../reach-report';
import { ChangeReason, ConnectivityChange, ReachabilityDiff, SelfChange } from '../reachability-diff';

/**
 * `diff` as text: a summary line and the notes, then every gained (`+`) and lost (`-`) change —
 * sources, destinations and the exact connections — each with its reasons per part of the
 * connections. Every name is escaped for the terminal.
 */
export function renderDiffText(diff: ReachabilityDiff): string {
  const lines = [diffSummary(diff), ...diff.notes.map((note) => `  note: ${escapeText(note)}`)];
  const section = (title: string, sign: string, changes: readonly ConnectivityChange[], self: readonly SelfChange[]) => {
    if (changes.length === 0 && self.length === 0) {
      return;
    }
    lines.push('', title);
    for (const change of changes) {
      const from = endpointLabels(diff.after, change.sources);
      const to = endpointLabels(diff.after, change.destinations);
      lines.push(`  ${sign} ${list(from)} -> ${list(to)}: ${change.connections.format()}`);
      for (const reason of change.reasons) {
        lines.push(`      ${reasonText(reason, from.length * to.length > 1)}`);
      }
    }
    for (const change of self) {
      lines.push(`  ${sign} ${list(endpointLabels(diff.after, change.groups))} -> itself: ${change.connections.format()}`);
    }
  };
  section('Gained (allowed after, denied before):', '+', diff.gained, diff.gainedSelf);
  section('Lost (denied after, allowed before):', '-', diff.lost, diff.lostSelf);
  if (diff.services.changes.length > 0) {
    lines.push('', 'To Services (ClusterIP and Service port, gained or lost at some endpoint pod; explain --to svc/<namespace>/<name> for the hops):');
    for (const change of diff.services.changes) {
      if (!change.gained.isEmpty()) lines.push(`  + ${list(change.sources)} -> svc ${escapeText(change.service)}: ${change.gained.format()}`);
      if (!change.lost.isEmpty()) lines.push(`  - ${list(change.sources)} -> svc ${escapeText(change.service)}: ${change.lost.format()}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `TCP 9090: reasons` (with the flow they were read from when the change covers several pairs). */
export function reasonText(reason: ChangeReason, withExample: boolean): string {
  const example = reason.example;
  const request = example.http ? ` ${example.http.method} ${example.http.path}${example.http.host === undefined ? '' : ` host ${example.http.host}`}` : '';
  const flow = withExample ? ` (read from ${example.source} -> ${example.destination} on ${example.protocol} ${example.port}${request})` : '';
  return escapeText(`${reason.connections.format()}${flow}: ${reason.because.join('; ')}`);
}

/** `Reachability diff over …: connections gained between 2 pairs of endpoints, lost between 1.` or no change. */
export function diffSummary(diff: ReachabilityDiff): string {
  const services = diff.services;
  if (diff.gainedPairs === 0 && diff.lostPairs === 0 && services.gainedPairs === 0 && services.lostPairs === 0) {
    return `No change in reachability over ${diff.focus}.`;
  }
  const toServices = services.gainedPairs === 0 && services.lostPairs === 0 ? ''
    : `; to Services, gained by ${clients(services.gainedPairs)}, lost by ${clients(services.lostPairs)}`;
  return `Reachability diff over ${diff.focus}: connections gained between ${pairs(diff.gainedPairs)}, lost between ${pairs(diff.lostPairs)}${toServices}.`;
}

function clients(count: number): string {
  return `${count} client–Service pair${count === 1 ? '' : 's'}`;
}

function pairs(count: number): string {
  return `${count} pair${count === 1 ? '' : 's'} of endpoints`;
}

function list(labels: readonly string[]): string {
  return labels.map(escapeText).join(', ');
}
