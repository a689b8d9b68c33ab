import { Connectivity, displayDnsName, podId } from '../../analysis';
import { ReachReport, reportBlocks } from '../reach-report';

/** The schema id of the `reach --format json` document without `--port` (docs/ANALYSIS.md). */
export const REACH_SCHEMA = 'cdk8s-zero-trust/reach/v1';

/** JSON of every endpoint class: pod groups (`g<i>`, with their pods) and external classes (`x<i>`). */
export function classesJson(connectivity: Connectivity): string[] {
  const universe = connectivity.universe;
  const out: string[] = [];
  universe.grouping.groups.forEach((group) => {
    out.push(JSON.stringify({ id: classId(connectivity, group.index), kind: 'pods', pods: group.pods.map(podId) }));
  });
  for (let index = universe.groupCount; index < universe.sets.size; index++) {
    out.push(externalClassJson(connectivity, index));
  }
  return out;
}

/**
 * An external class: its address class, and for a class reached by a DNS name, `dnsName` (the
 * class in words, an example name, and the toFQDNs patterns its names match).
 */
export function externalClassJson(connectivity: Connectivity, index: number): string {
  const endpoint = connectivity.universe.classAt(index);
  if (endpoint.kind !== 'external') {
    throw new Error(`class ${index} is not external (a bug)`);
  }
  const external = endpoint.external;
  const name = endpoint.name;
  const patterns = connectivity.universe.names.patterns;
  return JSON.stringify({
    id: classId(connectivity, index),
    kind: 'external',
    family: external.family,
    cidr: external.cidr.text,
    except: external.except.map((cidr) => cidr.text),
    withoutPodAddresses: external.withoutPodAddresses,
    ...(name === undefined ? {} : {
      dnsName: {
        description: name.description,
        example: displayDnsName(name.example),
        matches: patterns.filter((_, k) => name.matches[k]).map((p) => ({ [p.field]: p.written })),
      },
    }),
  });
}

/** `g3` for pod group 3, `x0` for the first external class. */
export function classId(connectivity: Connectivity, index: number): string {
  const groups = connectivity.universe.groupCount;
  return index < groups ? `g${index}` : `x${index - groups}`;
}

/**
 * The exact reach document, written in chunks (an estate's document is large; it is never built as
 * one string): `{"schema", "focus", "selfTraffic", "notes", "classes": [...], "allowed": [{"from",
 * "to", "connections"}], "self": [{"pods", "connections"}], "services": [{"service", "waypoint",
 * "endpoints", "allowed": [{"from": [pods], "connections", "endpoints"?}]}]}`, one class, block, self
 * or Service entry per line.
 * Every pair of different endpoints with connections is in exactly one block.
 */
export function writeReachJson(report: ReachReport, write: (text: string) => void): void {
  const connectivity = report.connectivity;
  const universe = connectivity.universe;
  const buffer = chunked(write);
  buffer(`{"schema":${JSON.stringify(REACH_SCHEMA)},"focus":${JSON.stringify(report.filter)},`);
  buffer(`"selfTraffic":${JSON.stringify(universe.options.selfTraffic)},"notes":${JSON.stringify(report.notes)},\n"classes":[\n`);
  classesJson(connectivity).forEach((line, i) => buffer(`${i > 0 ? ',\n' : ''}${line}`));
  buffer('\n],\n"allowed":[\n');
  let first = true;
  for (const { sources, entry } of reportBlocks(report)) {
    const from = sources.map((index) => classId(connectivity, index));
    const to = entry.destinations.toArray().map((index) => classId(connectivity, index));
    buffer(`${first ? '' : ',\n'}${JSON.stringify({ from, to, connections: entry.connections })}`);
    first = false;
  }
  buffer('\n],\n"self":[\n');
  const self = new Map<string, { pods: string[]; connections: unknown }>();
  universe.grouping.groups.forEach((group) => {
    const connections = connectivity.selfConnections(group.index).intersect(report.filter);
    const key = String(connections.id);
    const entry = self.get(key) ?? { pods: [], connections };
    entry.pods.push(...group.pods.map(podId));
    self.set(key, entry);
  });
  [...self.values()].forEach((entry, i) => buffer(`${i > 0 ? ',\n' : ''}${JSON.stringify(entry)}`));
  buffer('\n],\n"services":[\n');
  report.services.rows.forEach((row, i) => buffer(`${i > 0 ? ',\n' : ''}${JSON.stringify({
    service: row.service,
    waypoint: row.waypoint ?? null,
    endpoints: row.endpointPods,
    allowed: row.entries.map((entry) => ({
      from: entry.sources, connections: entry.connections, ...(entry.endpoints ? { endpoints: entry.endpoints } : {}),
    })),
  })}`));
  buffer('\n]}\n');
  buffer.flush();
}

/** A writer that collects small pieces into chunks of about 1 MiB. */
export function chunked(write: (text: string) => void): ((text: string) => void) & { flush(): void } {
  let pending: string[] = [];
  let size = 0;
  const buffer = ((text: string) => {
    pending.push(text);
    size += text.length;
    if (size > 1_048_576) {
      write(pending.join(''));
      pending = [];
      size = 0;
    }
  }) as ((text: string) => void) & { flush(): void };
  buffer.flush = () => {
    if (pending.length > 0) {
      write(pending.join(''));
      pending = [];
      size = 0;
    }
  };
  return buffer;
}

/**
 * The `--port` contract, written in chunks: exactly one JSON array of the allowed
 * `["<ns>/<pod>", "<ns>/<pod>"]` pairs, self pairs included, sources then destinations in pod
 * order, one pair per line.
 */
export function writePairsJson(connectivity: Connectivity, port: number, protocol: 'TCP' | 'UDP' | 'SCTP', write: (text: string) => void): void {
  const buffer = chunked(write);
  let first = true;
  buffer('[');
  connectivity.forEachAllowedPair(port, protocol, (source, destination) => {
    buffer(`${first ? '\n' : ',\n'}${JSON.stringify([podId(source), podId(destination)])}`);
    first = false;
  });
  buffer(first ? ']\n' : '\n]\n');
  buffer.flush();
}
