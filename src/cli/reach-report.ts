import { analysisNotes, dnsNameNotes } from './analysis-notes';
import { ConnectionFocus } from './port-selection';
import { ServiceReport } from './service-report';
import {
  AnalysisUniverse, ClassSet, ConnectionMap, ConnectionSet, Connectivity, dnsNameClassLabel, normalizeMap, podId,
} from '../analysis';

/** Destinations that share connections in a report row. */
export interface ReportEntry {
  /** Destination classes (pod groups in pod order, then external classes). */
  readonly destinations: ClassSet;
  readonly connections: ConnectionSet;
}

/** Sources (classes) with identical rows, and that row. */
export interface ReportRow {
  readonly sources: readonly number[];
  readonly entries: readonly ReportEntry[];
}

/** Sources and the DNS-name classes they reach (`dns *.example.com`, optionally `at <address classes>`). */
export interface NameRow {
  readonly sources: readonly number[];
  readonly entries: readonly { readonly label: string; readonly connections: ConnectionSet }[];
}

/** What `reach` prints, in every format: rows of sources with identical connections, and notes. */
export interface ReachReport {
  readonly connectivity: Connectivity;
  /** What the question was narrowed to (`--port`, `--protocol`), and as a set. */
  readonly focus: string;
  readonly filter: ConnectionSet;
  /** Sources with some connection, by their first class (destinations reached by a DNS name are in `names`). */
  readonly rows: readonly ReportRow[];
  /** Per group of sources with identical rows, the DNS-name destinations and their connections (none without toFQDNs). */
  readonly names: readonly NameRow[];
  /** Source classes without any connection (in the focus). */
  readonly nothing: readonly number[];
  /** How a pod's connections to itself are reported (they are not rows). */
  readonly selfNote: string;
  /** Under `--self-traffic evaluate`: pod groups by their connections to themselves (empty under `allow`). */
  readonly self: readonly { readonly groups: readonly number[]; readonly connections: ConnectionSet }[];
  /** Assumptions and omissions (see `analysisNotes`). */
  readonly notes: readonly string[];
  /** Connections addressed to the Services of the cluster file (none when it has no Service). */
  readonly services: ServiceReport;
}

/** Builds the report of a connectivity, narrowed to a focus. */
export function reachReport(connectivity: Connectivity, focus: ConnectionFocus, services: ServiceReport = { rows: [], notes: [] }): ReachReport {
  const universe = connectivity.universe;
  const filter = focus.filter(universe.space);
  const rows = new Map<string, { sources: number[]; entries: ReportEntry[] }>();
  const names = new Map<string, { sources: number[]; entries: NameRow['entries'] }>();
  const nothing: number[] = [];
  const narrowed = new Map<ConnectionMap, { key: string; entries: ReportEntry[] }>();
  const named = namedClasses(universe);
  for (let source = 0; source < universe.sets.size; source++) {
    if (universe.isNamed(source)) {
      continue; // a destination only
    }
    const row = connectivity.rowOf(source);
    let view = narrowed.get(row);
    if (!view) {
      const entries = narrow(row, filter);
      view = { key: entries.map((entry) => `${entry.destinations.id}:${entry.connections.id}`).join(','), entries };
      narrowed.set(row, view);
    }
    if (view.entries.length === 0) {
      nothing.push(source);
      continue;
    }
    const addressEntries = view.entries.flatMap((entry) => {
      const destinations = entry.destinations.subtract(named);
      return destinations.isEmpty() ? [] : [{ destinations, connections: entry.connections }];
    });
    if (addressEntries.length > 0) {
      const key = addressEntries.map((entry) => `${entry.destinations.id}:${entry.connections.id}`).join(',');
      const known = rows.get(key);
      if (known) {
        known.sources.push(source);
      } else {
        rows.set(key, { sources: [source], entries: addressEntries });
      }
    }
    if (!named.isEmpty()) {
      const nameEntries = nameLines(universe, view.entries);
      if (nameEntries.length > 0) {
        const known = names.get(view.key);
        if (known) known.sources.push(source);
        else names.set(view.key, { sources: [source], entries: nameEntries });
      }
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
    names: [...names.values()],
    nothing,
    selfNote,
    self: [...self].map(([connections, groups]) => ({ groups, connections })),
    notes: [...analysisNotes(universe.cluster), ...dnsNameNotes(universe), ...services.notes],
    services,
  };
}

/** Every class reached by a DNS name. */
export function namedClasses(universe: AnalysisUniverse): ClassSet {
  const start = universe.groupCount + universe.addressCount;
  return start >= universe.sets.size ? universe.sets.empty : universe.sets.range(start, universe.sets.size);
}

/**
 * A row's DNS-name destinations in words: per name class, its address classes grouped by
 * connections — `dns api.example.com` when every address class has the same, else one line per
 * group, `dns api.example.com at 10.0.0.0/8`.
 */
export function nameLines(universe: AnalysisUniverse, entries: readonly ReportEntry[]): { label: string; connections: ConnectionSet }[] {
  const out: { label: string; connections: ConnectionSet }[] = [];
  const count = universe.addressCount;
  for (const name of universe.names.classes) {
    const base = universe.groupCount + name.index * count;
    const byConnections = new Map<ConnectionSet, number[]>();
    for (let address = 0; address < count; address++) {
      let connections = universe.space.empty;
      for (const entry of entries) {
        if (entry.destinations.has(base + address)) connections = connections.union(entry.connections);
      }
      if (!connections.isEmpty()) byConnections.set(connections, [...byConnections.get(connections) ?? [], address]);
    }
    for (const [connections, addresses] of byConnections) {
      const at = addresses.length === count ? '' : ` at ${addresses.map((a) => externalLabel(universe.external.classes[a])).join(', ')}`;
      out.push({ label: `${dnsNameClassLabel(name)}${at}`, connections });
    }
  }
  return out;
}

/** A row narrowed to the filter, entries by their first destination. */
function narrow(row: ConnectionMap, filter: ConnectionSet): ReportEntry[] {
  const map = filter.isFull() ? row
    : normalizeMap(row.map((entry) => ({ classes: entry.classes, connections: entry.connections.intersect(filter) })));
  return map.map((entry) => ({ destinations: entry.classes, connections: entry.connections, first: entry.classes.first() as number }))
    .sort((a, b) => a.first - b.first)
    .map(({ destinations, connections }) => ({ destinations, connections }));
}

/**
 * The report as blocks for machines: every (destination classes, connections) entry once, with every
 * source whose row has it. Rows of different sources share their external part (the same egress to
 * the outside), so a block per entry keeps the output linear in the estate.
 */
export function reportBlocks(report: ReachReport): { sources: number[]; entry: ReportEntry }[] {
  const blocks = new Map<string, { sources: number[]; entry: ReportEntry }>();
  for (const row of report.rows) {
    for (const entry of row.entries) {
      const key = `${entry.destinations.id}:${entry.connections.id}`;
      const block = blocks.get(key);
      if (block) {
        block.sources.push(...row.sources);
      } else {
        blocks.set(key, { sources: [...row.sources], entry });
      }
    }
  }
  return [...blocks.values()].map((block) => ({ ...block, sources: block.sources.sort((a, b) => a - b) }));
}

/**
 * Endpoint labels of classes: pod ids (`ns/name`) in pod order, then external classes
 * (`0.0.0.0/0 except 10.0.0.0/8`). Untrusted text: renderers escape it.
 */
export function endpointLabels(connectivity: Connectivity, classes: readonly number[] | ClassSet): string[] {
  const universe = connectivity.universe;
  const pods: { position: number; id: string }[] = [];
  const external: string[] = [];
  const named = new Map<number, number[]>();
  const indices = Array.isArray(classes) ? classes : (classes as ClassSet).toArray();
  const present = new Set(indices);
  for (const index of indices) {
    const endpoint = universe.classAt(index);
    if (endpoint.kind === 'pods') {
      for (const pod of endpoint.group.pods) {
        pods.push({ position: positionOf(connectivity, pod), id: podId(pod) });
      }
    } else if (endpoint.name === undefined) {
      external.push(externalLabel(endpoint.external));
    } else {
      const address = (index - universe.groupCount) % universe.addressCount;
      // An address class listed without a name, and by every name: the class, whatever the name.
      const everyName = universe.names.classes.every((c) => present.has(universe.groupCount + c.index * universe.addressCount + address));
      if (!(everyName && present.has(universe.groupCount + address))) {
        named.set(endpoint.name.index, [...named.get(endpoint.name.index) ?? [], address]);
      }
    }
  }
  for (const [name, addresses] of named) {
    const label = dnsNameClassLabel(universe.names.classes[name - 1]);
    if (addresses.length === universe.addressCount) {
      external.push(label);
    } else {
      external.push(...addresses.map((address) => `${label} at ${externalLabel(universe.external.classes[address])}`));
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
