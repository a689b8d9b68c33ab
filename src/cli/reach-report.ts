import { analysisNotes } from './analysis-notes';
import { ConnectionFocus } from './port-selection';
import { ConnectionMap, ConnectionSet, Connectivity, podId } from '../analysis';

/** Destinations that share connections in a report row. */
export interface ReportEntry {
  /** Destination classes, ascending (pod groups in pod order, then external classes). */
  readonly destinations: readonly number[];
  readonly connections: ConnectionSet;
}

/** Sources (classes) with identical rows, and that row. */
export interface ReportRow {
  readonly sources: readonly number[];
  readonly entries: readonly ReportEntry[];
}

/** What `reach` prints, in every format: rows of sources with identical connections, and notes. */
export interface ReachReport {
  readonly connectivity: Connectivity;
  /** What the question was narrowed to (`--port`, `--protocol`), and as a set. */
  readonly focus: string;
  readonly filter: ConnectionSet;
  /** Sources with some connection, by their first class. */
  readonly rows: readonly ReportRow[];
  /** Source classes without any connection (in the focus). */
  readonly nothing: readonly number[];
  /** How a pod's connections to itself are reported (they are not rows). */
  readonly selfNote: string;
  /** Under `--self-traffic evaluate`: pod groups by their connections to themselves (empty under `allow`). */
  readonly self: readonly { readonly groups: readonly number[]; readonly connections: ConnectionSet }[];
  /** Assumptions and omissions (see `analysisNotes`). */
  readonly notes: readonly string[];
}

/** Builds the report of a connectivity, narrowed to a focus. */
export function reachReport(connectivity: Connectivity, focus: ConnectionFocus): ReachReport {
  const universe = connectivity.universe;
  const filter = focus.filter(universe.space);
  const rows = new Map<string, { sources: number[]; entries: ReportEntry[] }>();
  const nothing: number[] = [];
  const narrowed = new Map<ConnectionMap, { key: string; entries: ReportEntry[] }>();
  for (let source = 0; source < universe.sets.size; source++) {
    const row = connectivity.rowOf(source);
    let view = narrowed.get(row);
    if (!view) {
      const entries = narrow(row, filter);
      view = { key: entries.map((entry) => `${entry.destinations.join('.')}:${entry.connections.id}`).join(','), entries };
      narrowed.set(row, view);
    }
    if (view.entries.length === 0) {
      nothing.push(source);
      continue;
    }
    const known = rows.get(view.key);
    if (known) {
      known.sources.push(source);
    } else {
      rows.set(view.key, { sources: [source], entries: view.entries });
    }
  }
  const evaluated = universe.options.selfTraffic === 'evaluate';
  const selfNote = evaluated
    ? 'rows are about two different endpoints; a pod\'s connections to itself are listed apart: the policies decide them (--self-traffic evaluate)'
    : 'rows are about two different endpoints; a pod\'s connections to itself are all allowed (--self-traffic allow)';
  const self = new Map<ConnectionSet, number[]>();
  if (evaluated) {
    for (const group of universe.grouping.groups) {
      const connections = connectivity.selfConnections(group.index).intersect(filter);
      self.set(connections, [...self.get(connections) ?? [], group.index]);
    }
  }
  return {
    connectivity,
    focus: focus.description,
    filter,
    rows: [...rows.values()],
    nothing,
    selfNote,
    self: [...self].map(([connections, groups]) => ({ groups, connections })),
    notes: analysisNotes(universe.cluster, connectivity.podsWithoutAddress),
  };
}

/** A row narrowed to the filter, entries by their first destination. */
function narrow(row: ConnectionMap, filter: ConnectionSet): ReportEntry[] {
  const entries: ReportEntry[] = [];
  const byConnections = new Map<ConnectionSet, number[]>();
  for (const entry of row) {
    const connections = entry.connections.intersect(filter);
    if (!connections.isEmpty()) {
      const list = byConnections.get(connections) ?? [];
      entry.classes.forEach((index) => list.push(index));
      byConnections.set(connections, list);
    }
  }
  for (const [connections, destinations] of byConnections) {
    entries.push({ destinations: destinations.sort((a, b) => a - b), connections });
  }
  return entries.sort((a, b) => a.destinations[0] - b.destinations[0]);
}

/**
 * Endpoint labels of classes: pod ids (`ns/name`) in pod order, then external classes
 * (`0.0.0.0/0 except 10.0.0.0/8`). Untrusted text: renderers escape it.
 */
export function endpointLabels(connectivity: Connectivity, classes: readonly number[]): string[] {
  const universe = connectivity.universe;
  const pods: { position: number; id: string }[] = [];
  const external: string[] = [];
  for (const index of classes) {
    const endpoint = universe.classAt(index);
    if (endpoint.kind === 'pods') {
      for (const pod of endpoint.group.pods) {
        pods.push({ position: positionOf(connectivity, pod), id: podId(pod) });
      }
    } else {
      external.push(externalLabel(endpoint.external));
    }
  }
  return [...pods.sort((a, b) => a.position - b.position).map((pod) => pod.id), ...external];
}

/** An external class as text: its CIDRs, and that the model's pod addresses are not in it. */
export function externalLabel(external: { readonly label: string; readonly withoutPodAddresses: boolean }): string {
  return external.withoutPodAddresses ? `${external.label} (without pod addresses)` : external.label;
}

const positions = new WeakMap<Connectivity, Map<object, number>>();

function positionOf(connectivity: Connectivity, pod: object): number {
  let map = positions.get(connectivity);
  if (!map) {
    map = new Map(connectivity.universe.grouping.pods.map((candidate, i) => [candidate as object, i]));
    positions.set(connectivity, map);
  }
  return map.get(pod) as number;
}
