import { ObservedEndpoint, ObservedFlow, ObservedProtocol, Observation } from './observed-flow';
import { canonicalIp, RecordFields, RecordProblem, show } from './record-fields';

/**
 * The neutral flow format, for flows from any other tool: one record per observed connection with
 * the columns (CSV, a header line first) or keys (JSON: one object per line, or an array):
 *
 * | column | required | value |
 * | --- | --- | --- |
 * | `source` | yes | `namespace/pod` or an IP address |
 * | `destination` | yes | `namespace/pod` or an IP address |
 * | `port` | yes | the destination (container) port, 1-65535 |
 * | `protocol` | yes | `TCP`, `UDP`, `SCTP` (any case) |
 * | `method`, `path` | no | an HTTP request (both or neither; `path` with its query string) |
 * | `verdict` | no | what the network did: `allowed`, `denied`, or empty (unknown) |
 * | `count` | no | how many times it was observed (default 1) |
 */
export const NEUTRAL_COLUMNS = ['source', 'destination', 'port', 'protocol', 'method', 'path', 'verdict', 'count'] as const;

/** One neutral record and how many times it was observed. */
export interface NeutralRecord {
  readonly flow: ObservedFlow;
  readonly count: number;
}

/** Reads a neutral record given as a JSON object. @throws RecordProblem naming the field */
export function readNeutralObject(value: Record<string, unknown>): NeutralRecord {
  const r = new RecordFields(value, '');
  for (const key of Object.keys(value)) {
    if (!(NEUTRAL_COLUMNS as readonly string[]).includes(key)) {
      throw new RecordProblem(key, `is not a field of the neutral flow format; expected ${NEUTRAL_COLUMNS.join(', ')}`);
    }
  }
  const text = (name: string) => {
    const v = r.raw(name);
    return typeof v === 'number' ? String(v) : r.string(name);
  };
  return neutralRecord(text);
}

/**
 * Reads the header line of a neutral CSV file: the column names, in any order and any case.
 * @throws RecordProblem for an unknown or repeated column, or a missing required one
 */
export function readCsvHeader(line: string): string[] {
  const columns = splitCsv(line).map(c => c.trim().toLowerCase());
  const seen = new Set<string>();
  for (const c of columns) {
    if (!(NEUTRAL_COLUMNS as readonly string[]).includes(c)) throw new RecordProblem('header', `unknown column ${show(c)}; expected ${NEUTRAL_COLUMNS.join(', ')}`);
    if (seen.has(c)) throw new RecordProblem('header', `column ${show(c)} is given twice`);
    seen.add(c);
  }
  for (const required of ['source', 'destination', 'port', 'protocol']) {
    if (!seen.has(required)) throw new RecordProblem('header', `the column ${required} is missing (columns: ${NEUTRAL_COLUMNS.join(', ')}; source, destination, port and protocol are required)`);
  }
  return columns;
}

/** Reads one CSV line with the header's columns. @throws RecordProblem naming the column */
export function readCsvRecord(line: string, columns: readonly string[]): NeutralRecord {
  const cells = splitCsv(line);
  if (cells.length !== columns.length) {
    throw new RecordProblem('', `expected ${columns.length} columns (${columns.join(', ')}), got ${cells.length}`);
  }
  const byName = new Map(columns.map((c, i) => [c, cells[i].trim()]));
  return neutralRecord(name => byName.get(name) || undefined);
}

function neutralRecord(text: (name: string) => string | undefined): NeutralRecord {
  const protocolText = text('protocol');
  if (protocolText === undefined) throw new RecordProblem('protocol', 'is missing; expected TCP, UDP or SCTP');
  const protocol = protocolText.toUpperCase();
  if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') {
    throw new RecordProblem('protocol', `expected TCP, UDP or SCTP, got ${show(protocolText)}`);
  }
  const portText = text('port');
  if (portText === undefined || !/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw new RecordProblem('port', `expected a destination port from 1 to 65535, got ${show(portText)}`);
  }
  const method = text('method');
  const path = text('path');
  if ((method === undefined) !== (path === undefined)) {
    throw new RecordProblem(method === undefined ? 'method' : 'path', 'an HTTP request needs both method and path (or neither)');
  }
  if (method !== undefined && !/^[A-Za-z]{1,20}$/.test(method)) throw new RecordProblem('method', `expected an HTTP method such as GET, got ${show(method)}`);
  if (path !== undefined && !path.startsWith('/')) throw new RecordProblem('path', `expected a path starting with /, got ${show(path)}`);
  const countText = text('count');
  if (countText !== undefined && (!/^\d{1,15}$/.test(countText) || Number(countText) < 1)) {
    throw new RecordProblem('count', `expected a positive whole number, got ${show(countText)}`);
  }
  const flow: ObservedFlow = {
    source: endpoint(text('source'), 'source'),
    destination: endpoint(text('destination'), 'destination'),
    protocol: protocol as ObservedProtocol,
    port: Number(portText),
    ...(method !== undefined ? { http: { method, path: path! } } : {}),
    observation: verdict(text('verdict')),
  };
  return { flow, count: countText === undefined ? 1 : Number(countText) };
}

const POD = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([^/\s]+)$/;

function endpoint(value: string | undefined, field: string): ObservedEndpoint {
  if (value === undefined) throw new RecordProblem(field, 'is missing; expected namespace/pod or an IP address');
  const pod = POD.exec(value);
  if (pod) return { kind: 'pod', namespace: pod[1], name: pod[3] };
  if (/^[0-9a-fA-F.:]+$/.test(value) && (value.includes('.') || value.includes(':'))) return { kind: 'address', ip: canonicalIp(value, field), identity: 'unknown' };
  throw new RecordProblem(field, `expected namespace/pod (e.g. production/frontend) or an IP address, got ${show(value)}`);
}

function verdict(value: string | undefined): Observation {
  switch ((value ?? '').toLowerCase()) {
    case '': case 'unknown': return { kind: 'none' };
    case 'allowed': case 'allow': return { kind: 'allowed', scope: 'connection' };
    case 'denied': case 'deny': return { kind: 'denied', audit: false, reason: 'recorded as denied' };
    default: throw new RecordProblem('verdict', `expected allowed, denied or nothing, got ${show(value)}`);
  }
}

/** Splits one CSV line (RFC 4180 quoting: "a, b" and "" for a quote; one record per line). */
export function splitCsv(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  let atStart = true;
  while (i < line.length) {
    const c = line[i];
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"' && atStart) {
      quoted = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
      atStart = true;
      i++;
      continue;
    } else {
      cell += c;
    }
    atStart = false;
    i++;
  }
  if (quoted) throw new RecordProblem('', 'a quoted field is not closed on this line (a record is one line)');
  cells.push(cell);
  return cells;
}
