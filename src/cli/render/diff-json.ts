import { chunked, classId, externalClassJson } from './reach-json';
import { Connectivity, podId } from '../../analysis';
import { ConnectivityChange, ReachabilityDiff, SelfChange } from '../reachability-diff';

/** The schema id of the `diff --format json` document (docs/ANALYSIS.md). */
export const DIFF_SCHEMA = 'cdk8s-zero-trust/diff/v1';

/**
 * The diff as JSON, written in chunks: `{"schema", "focus", "notes", "gainedPairs", "lostPairs",
 * "classes": [the classes the changes name], "gained": [change], "lost": [change], "self": {"gained",
 * "lost"}, "gainedServicePairs", "lostServicePairs", "services": [{"service", "from", "gained", "lost"}]}`
 * with change `{"from", "to", "connections", "because": [{"connections", "reasons", "example"}]}`.
 */
export function writeDiffJson(diff: ReachabilityDiff, write: (text: string) => void): void {
  const connectivity = diff.after;
  const named = new Set<number>();
  for (const change of [...diff.gained, ...diff.lost]) {
    change.sources.forEach((index) => named.add(index));
    change.destinations.forEach((index) => named.add(index));
  }
  const buffer = chunked(write);
  buffer(`{"schema":${JSON.stringify(DIFF_SCHEMA)},"focus":${JSON.stringify(diff.filter)},"notes":${JSON.stringify(diff.notes)},`);
  buffer(`"gainedPairs":${diff.gainedPairs},"lostPairs":${diff.lostPairs},\n"classes":[\n`);
  [...named].sort((a, b) => a - b).forEach((index, i) => buffer(`${i > 0 ? ',\n' : ''}${classJson(connectivity, index)}`));
  buffer('\n],\n"gained":[\n');
  diff.gained.forEach((change, i) => buffer(`${i > 0 ? ',\n' : ''}${changeJson(connectivity, change)}`));
  buffer('\n],\n"lost":[\n');
  diff.lost.forEach((change, i) => buffer(`${i > 0 ? ',\n' : ''}${changeJson(connectivity, change)}`));
  buffer(`\n],\n"self":${JSON.stringify({ gained: diff.gainedSelf.map((c) => selfJson(connectivity, c)), lost: diff.lostSelf.map((c) => selfJson(connectivity, c)) })},\n`);
  buffer(`"gainedServicePairs":${diff.services.gainedPairs},"lostServicePairs":${diff.services.lostPairs},\n"services":[\n`);
  diff.services.changes.forEach((change, i) => buffer(`${i > 0 ? ',\n' : ''}${JSON.stringify({
    service: change.service, from: change.sources, gained: change.gained, lost: change.lost,
  })}`));
  buffer('\n]}\n');
  buffer.flush();
}

function classJson(connectivity: Connectivity, index: number): string {
  const endpoint = connectivity.universe.classAt(index);
  if (endpoint.kind === 'pods') {
    return JSON.stringify({ id: classId(connectivity, index), kind: 'pods', pods: endpoint.group.pods.map(podId) });
  }
  return externalClassJson(connectivity, index);
}

function changeJson(connectivity: Connectivity, change: ConnectivityChange): string {
  return JSON.stringify({
    from: change.sources.map((index) => classId(connectivity, index)),
    to: change.destinations.map((index) => classId(connectivity, index)),
    connections: change.connections,
    because: change.reasons.map((reason) => ({ connections: reason.connections, reasons: reason.because, example: reason.example })),
  });
}

function selfJson(connectivity: Connectivity, change: SelfChange): unknown {
  return { pods: change.groups.flatMap((group) => connectivity.universe.grouping.groups[group].pods.map(podId)), connections: change.connections };
}
