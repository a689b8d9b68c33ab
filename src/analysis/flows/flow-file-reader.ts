import { isCalicoRecord, readCalicoRecord } from './calico-flow';
import { FlowInputError } from './flow-input-error';
import { isHubbleRecord, readHubbleRecord } from './hubble-flow';
import { JsonItemScanner } from './json-items';
import { readCsvHeader, readCsvRecord, readNeutralObject } from './neutral-flow';
import { FlowRecord, isSkipped, ObservedFlow } from './observed-flow';
import { isObject, RecordProblem } from './record-fields';

/** The flow file formats: Hubble's JSON export, Calico flow logs (JSON), the neutral format as CSV or JSON. */
export type FlowFormat = 'hubble' | 'calico' | 'csv' | 'json';

/** All formats, for options and messages. */
export const FLOW_FORMATS: readonly FlowFormat[] = ['hubble', 'calico', 'csv', 'json'];

/** Where the records of a flow file go. */
export interface FlowSink {
  /** A flow record, seen `count` times, read from `line`. */
  flow(flow: ObservedFlow, count: number, line: number): void;
  /** A record that carries no connection to audit (a reply, a debug event), with why. */
  skipped(reason: string, line: number, lostEvents?: number): void;
}

/** Options for reading a flow file. */
export interface FlowFileOptions {
  /** The format; `auto` (the default) recognises it from the first record. */
  readonly format?: FlowFormat | 'auto';
  /** The longest line (or JSON record) accepted, in bytes. @default 1 MiB */
  readonly maxRecordBytes?: number;
}

/** The default bound on one line or record: a Hubble record is 1-3 KiB, an L7 one with headers a few more. */
export const DEFAULT_MAX_RECORD_BYTES = 1_048_576;

/**
 * The bound on one line of a JSON document (a Whisker list response is often one line: `curl`
 * writes it so). Each record in it is still bounded by `maxRecordBytes`; the line is held while it
 * is scanned, so a larger export belongs in pages (`pageSize`) or in a watch stream.
 */
export const MAX_DOCUMENT_LINE_BYTES = 64 * 1_048_576;

type Layout = 'lines' | 'sse' | 'csv' | 'document';

/**
 * Reads a flow file fed in chunks, one record at a time, so that a file of any size is read in
 * bounded memory: lines are split from the bytes as they arrive (a UTF-8 newline is never part of
 * another character), and a JSON document is scanned for its records (`JsonItemScanner`). The
 * layout and format come from the first non-empty line unless `format` says:
 *
 * - `{…}` on one line: one JSON record per line (Hubble's `-o json`/`jsonpb`/exporter, Calico
 *   Goldmane or Whisker items, the neutral JSON), recognised from the record's fields;
 * - `[` or a JSON document over several lines: the records of the array (or of `items`);
 * - `data: {…}` (or another server-sent-event field, or a `:` comment): a Whisker watch stream;
 * - anything else: the neutral CSV, its first line the header.
 *
 * Every error is a `FlowInputError` with the file, the line and the field.
 */
export class FlowFileReader {
  private layout: Layout | undefined;
  private format: FlowFormat | undefined;
  private csvColumns: string[] | undefined;
  private scanner: JsonItemScanner | undefined;
  private pending: Buffer | undefined;
  private lineNumber = 0;
  private readonly maxRecordBytes: number;
  private records = 0;

  constructor(private readonly file: string, private readonly sink: FlowSink, options: FlowFileOptions = {}) {
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    if (options.format && options.format !== 'auto') this.format = options.format;
  }

  /** The format read (after the first record). */
  public get detectedFormat(): FlowFormat | undefined {
    return this.format;
  }

  /** Feeds the next bytes of the file. */
  public push(chunk: Buffer): void {
    let data = chunk;
    let from = 0;
    if (this.pending) {
      data = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    for (;;) {
      const newline = data.indexOf(10, from);
      if (newline < 0) break;
      this.checkLineLength(newline - from);
      this.line(data.toString('utf8', from, newline > from && data[newline - 1] === 13 ? newline - 1 : newline));
      from = newline + 1;
    }
    if (from < data.length) {
      this.checkLineLength(data.length - from);
      this.pending = Buffer.from(data.subarray(from));
    }
  }

  /** Lines of records are bounded by `maxRecordBytes`; lines of a JSON document (until the layout is known, too) by `MAX_DOCUMENT_LINE_BYTES`. */
  private checkLineLength(bytes: number): void {
    const document = this.layout === undefined || this.layout === 'document';
    const max = document ? Math.max(MAX_DOCUMENT_LINE_BYTES, this.maxRecordBytes) : this.maxRecordBytes;
    if (bytes > max) {
      this.fail('', document
        ? `the line is longer than ${max} bytes; split a JSON document into pages (Whisker: pageSize) or write one record per line`
        : `the line is longer than ${max} bytes; a flow record is a few KiB`, this.lineNumber + 1);
    }
  }

  /** The end of the file: the last line, and the checks that need the whole file. */
  public end(): void {
    if (this.pending) {
      const rest = this.pending;
      this.pending = undefined;
      this.line(rest.toString('utf8', 0, rest[rest.length - 1] === 13 ? rest.length - 1 : rest.length));
    }
    if (this.scanner) this.guard(() => this.scanner!.end(), this.lineNumber);
    if (this.csvColumns === undefined && this.layout === 'csv') this.fail('', 'the CSV file has no header line', this.lineNumber);
  }

  /** How many records were read (flows and skipped ones). */
  public get recordCount(): number {
    return this.records;
  }

  private line(raw: string): void {
    const n = ++this.lineNumber;
    const text = n === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw; // a UTF-8 byte order mark
    if (this.layout === undefined) {
      if (text.trim() === '') return;
      this.layout = this.detectLayout(text.trim(), n);
    }
    switch (this.layout) {
      case 'document':
        this.guard(() => this.scanner!.line(text, n), n);
        return;
      case 'csv':
        if (text.trim() === '' || text.startsWith('#')) return;
        if (!this.csvColumns) {
          this.csvColumns = this.guard(() => readCsvHeader(text), n);
          return;
        }
        this.guard(() => {
          const r = readCsvRecord(text, this.csvColumns!);
          this.records++;
          this.sink.flow(r.flow, r.count, n);
        }, n);
        return;
      case 'sse': {
        const trimmed = text.trim();
        // Blank lines end an event; `event:`, `id:`, `retry:` and `:` comments carry no data.
        if (trimmed === '' || !trimmed.startsWith('data:')) return;
        this.record(trimmed.slice('data:'.length).trim(), n);
        return;
      }
      case 'lines':
        if (text.trim() === '') return;
        this.record(text, n);
        return;
    }
  }

  private detectLayout(first: string, line: number): Layout {
    if (/^(data|event|id|retry):/.test(first) || first.startsWith(':')) {
      this.format ??= 'calico';
      return 'sse';
    }
    if (first.startsWith('[')) return this.startDocument();
    if (first.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(first);
      } catch {
        return this.startDocument(); // a JSON document over several lines
      }
      if (isObject(parsed) && Array.isArray(parsed.items)) return this.startDocument();
      return 'lines';
    }
    if (this.format && this.format !== 'csv') {
      this.fail('', `expected ${this.format === 'hubble' ? 'Hubble JSON records (one per line)' : this.format === 'calico' ? 'Calico flow log JSON' : 'neutral JSON records'}, got ${JSON.stringify(first.slice(0, 40))}`, line);
    }
    this.format = 'csv';
    return 'csv';
  }

  private startDocument(): Layout {
    this.scanner = new JsonItemScanner((text, line) => this.record(text, line), this.maxRecordBytes);
    return 'document';
  }

  private record(text: string, line: number): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      this.fail('', `invalid JSON (${(e as Error).message}); expected one flow record`, line);
    }
    if (!isObject(value)) this.fail('', 'expected a JSON object (one flow record)', line);
    const object = value as Record<string, unknown>;
    this.format ??= isCalicoRecord(object) ? 'calico' : typeof object.source === 'string' ? 'json' : isHubbleRecord(object) ? 'hubble' : undefined;
    if (!this.format) {
      this.fail('', 'not a flow record of a known format: expected a Hubble flow (flow, verdict, IP, l4…), a Calico flow log (source_name, reporter…), '
        + 'or a neutral record (source, destination, port, protocol); name the format with --flows-format', line);
    }
    this.records++;
    this.guard(() => {
      switch (this.format) {
        case 'hubble': return this.deliver(readHubbleRecord(object), 1, line);
        case 'calico': return this.deliver(readCalicoRecord(object), 1, line);
        case 'json': {
          const r = readNeutralObject(object);
          return this.sink.flow(r.flow, r.count, line);
        }
        default: return this.fail('', 'CSV records must be lines of comma-separated values', line);
      }
    }, line);
  }

  private deliver(record: FlowRecord, count: number, line: number): void {
    if (isSkipped(record)) this.sink.skipped(record.skipped, line, record.lostEvents);
    else this.sink.flow(record, count, line);
  }

  private guard<T>(read: () => T, line: number): T {
    try {
      return read();
    } catch (e) {
      if (e instanceof RecordProblem) this.fail(e.field, e.problem, line);
      throw e;
    }
  }

  private fail(field: string, problem: string, line: number): never {
    throw new FlowInputError(this.file, line, field, problem);
  }
}
