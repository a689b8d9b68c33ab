import { ClassSet } from './class-set';
import { ConnectionSet } from './connection-set';

/** Some endpoint classes and the connections they all share. */
export interface ConnectionEntry {
  readonly classes: ClassSet;
  readonly connections: ConnectionSet;
}

/**
 * A map from endpoint classes to connection sets, as entries with disjoint class sets and non-empty
 * connections; classes in no entry have no connection. Pod groups and external classes are kept in
 * separate entries (the table's `split`), and within each kind entries with equal connections are
 * merged; entries are sorted by kind, then by the id of their connection set, so two equal maps have
 * equal entries. Keeping the kinds apart lets the external part of a row (thousands of CIDR classes,
 * the same for every source with the same egress to the outside) stay one shared set.
 */
export type ConnectionMap = readonly ConnectionEntry[];

/** Merges entries with equal connections (per kind of class) and drops empty ones (entries must already be disjoint). */
export function normalizeMap(entries: readonly ConnectionEntry[]): ConnectionMap {
  const byConnections = [new Map<ConnectionSet, ClassSet>(), new Map<ConnectionSet, ClassSet>()];
  for (const entry of entries) {
    if (entry.connections.isEmpty() || entry.classes.isEmpty()) {
      continue;
    }
    const parts = splitByKind(entry.classes);
    parts.forEach((classes, kind) => {
      if (!classes.isEmpty()) {
        const known = byConnections[kind].get(entry.connections);
        byConnections[kind].set(entry.connections, known ? known.union(classes) : classes);
      }
    });
  }
  return byConnections.flatMap((map) => [...map].map(([connections, classes]) => ({ classes, connections }))
    .sort((a, b) => a.connections.id - b.connections.id));
}

/** A set's pod groups and its external classes (the table's `split`). */
function splitByKind(classes: ClassSet): [ClassSet, ClassSet] {
  const table = classes.table;
  if (table.split === table.size) {
    return [classes, table.empty];
  }
  if (classes.form === 'list') {
    // Sorted members: the kinds are the two sides of `split`, found without building new sets.
    const items = classes.items;
    if (items.length === 0 || items[items.length - 1] < table.split) return [classes, table.empty];
    if (items[0] >= table.split) return [table.empty, classes];
  }
  return [classes.intersect(table.lower), classes.intersect(table.upper)];
}

/** The connections of one class in a map (empty when no entry holds it). */
export function lookup(map: ConnectionMap, index: number, empty: ConnectionSet): ConnectionSet {
  for (const entry of map) {
    if (entry.classes.has(index)) {
      return entry.connections;
    }
  }
  return empty;
}

/** Per class, the intersection of both maps' connections. */
export function intersectMaps(a: ConnectionMap, b: ConnectionMap): ConnectionMap {
  const entries: ConnectionEntry[] = [];
  for (const x of a) {
    for (const y of b) {
      const classes = x.classes.intersect(y.classes);
      if (!classes.isEmpty()) {
        entries.push({ classes, connections: x.connections.intersect(y.connections) });
      }
    }
  }
  return normalizeMap(entries);
}

/** Per class, the union of both maps' connections. */
export function unionMaps(a: ConnectionMap, b: ConnectionMap): ConnectionMap {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const entries: ConnectionEntry[] = [];
  const onlyB = b.map((entry) => entry.classes);
  for (const x of a) {
    let rest = x.classes;
    b.forEach((y, j) => {
      const classes = rest.intersect(y.classes);
      if (!classes.isEmpty()) {
        entries.push({ classes, connections: x.connections.union(y.connections) });
        rest = rest.subtract(classes);
        onlyB[j] = onlyB[j].subtract(classes);
      }
    });
    entries.push({ classes: rest, connections: x.connections });
  }
  b.forEach((y, j) => entries.push({ classes: onlyB[j], connections: y.connections }));
  return normalizeMap(entries);
}

/** The map restricted to some classes. */
export function restrictMap(map: ConnectionMap, classes: ClassSet): ConnectionMap {
  if (classes.isFull()) {
    return map;
  }
  return normalizeMap(map.map((entry) => ({ classes: entry.classes.intersect(classes), connections: entry.connections })));
}

/** The map without a few classes (a small set): only the entries that hold one of them change. */
export function withoutClasses(map: ConnectionMap, classes: ClassSet): ConnectionMap {
  if (classes.isEmpty()) {
    return map;
  }
  let changed = false;
  const entries = map.map((entry) => {
    if (!classes.someMember((index) => entry.classes.has(index))) {
      return entry;
    }
    changed = true;
    return { classes: entry.classes.subtract(classes), connections: entry.connections };
  });
  return changed ? normalizeMap(entries) : map;
}

/** Per class, what `a` has and `b` has not (for `diff`: `after` minus `before` is what is gained). */
export function subtractMaps(a: ConnectionMap, b: ConnectionMap): ConnectionMap {
  const entries: ConnectionEntry[] = [];
  for (const x of a) {
    let rest = x.classes;
    for (const y of b) {
      const classes = rest.intersect(y.classes);
      if (!classes.isEmpty()) {
        entries.push({ classes, connections: x.connections.subtract(y.connections) });
        rest = rest.subtract(classes);
      }
    }
    entries.push({ classes: rest, connections: x.connections });
  }
  return normalizeMap(entries);
}

/** A stable key of a normalized map (equal maps, equal keys). */
export function mapKey(map: ConnectionMap): string {
  return map.map((entry) => `${entry.classes.id}:${entry.connections.id}`).join(',');
}
