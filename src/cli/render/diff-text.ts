import { formatPortProtocol } from '../port-selection';
import { FlowChange, ReachabilityDiff } from '../reachability-diff';

/** `diff` as text: a summary line, then every gained (`+`) and lost (`-`) flow with its reason. */
export function renderDiffText(diff: ReachabilityDiff): string {
  const lines = [diffSummary(diff)];
  const section = (title: string, sign: string, changes: readonly FlowChange[]) => {
    if (changes.length === 0) {
      return;
    }
    lines.push('', title);
    for (const change of changes) {
      lines.push(`  ${sign} ${change.source} -> ${change.destination} on ${formatPortProtocol(change)}: ${change.because.join('; ')}`);
    }
  };
  section('Gained (allowed after, denied before):', '+', diff.gained);
  section('Lost (denied after, allowed before):', '-', diff.lost);
  return `${lines.join('\n')}\n`;
}

/** `2 flows gained, 1 lost on 3 ports (53/UDP, …)` or `no change …`. */
export function diffSummary(diff: ReachabilityDiff): string {
  const ports = `${diff.ports.length} port${diff.ports.length === 1 ? '' : 's'} (${diff.ports.map(formatPortProtocol).join(', ')})`;
  if (diff.gained.length === 0 && diff.lost.length === 0) {
    return `No change in reachability on ${ports}.`;
  }
  return `${plural(diff.gained.length, 'flow')} gained, ${diff.lost.length} lost on ${ports}.`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
