import { RecordProblem } from './record-fields';

/**
 * Finds the records of a JSON document fed line by line, without holding the document: the
 * elements of a top-level array, or of the `items` array of a top-level object (a Whisker list
 * response, `{"total": {…}, "items": […]}`). Each element (an object) is handed over as text with
 * the line it starts on; nothing else of the document is kept.
 */
export class JsonItemScanner {
  private depth = 0;
  private inString = false;
  private escape = false;
  private top: '[' | '{' | undefined;
  /** The depth inside which elements are records (1: the top array; 2: the `items` array), or -1. */
  private itemsDepth = -1;
  private foundItems = false;
  private item: string[] | undefined;
  private itemBytes = 0;
  private itemLine = 0;
  /** The last key read at depth 1 of a top-level object, while reading it or until its value starts. */
  private key: string[] | undefined;
  private lastKey: string | undefined;
  private afterColon = false;

  constructor(private readonly emit: (text: string, line: number) => void, private readonly maxRecordBytes: number) {}

  /** Feeds one line (without its newline). @throws RecordProblem for a document that is not of this shape */
  public line(text: string, lineNumber: number): void {
    let start = this.item ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escape) {this.escape = false;} else if (c === 0x5c) {this.escape = true;} else if (c === 0x22) {
          this.inString = false;
          if (this.key) {
            this.key.push(text.slice(start < 0 ? 0 : start, i));
            this.lastKey = this.key.join('');
            this.key = undefined;
            start = this.item ? start : -1;
          }
        }
        continue;
      }
      switch (c) {
        case 0x22: // "
          this.inString = true;
          if (!this.item && this.depth === 1 && this.top === '{' && !this.afterColon) {
            this.key = [];
            start = i + 1;
          }
          break;
        case 0x7b: // {
        case 0x5b: // [
          if (this.depth === 0) {
            if (this.top) throw new RecordProblem('', 'a second JSON document follows the first; expected one array or one object with items');
            this.top = c === 0x5b ? '[' : '{';
            if (this.top === '[') {
              this.itemsDepth = 1;
              this.foundItems = true;
            }
          } else if (this.depth === 1 && this.top === '{' && this.afterColon) {
            if (this.lastKey === 'items' && c === 0x5b) {
              this.itemsDepth = 2;
              this.foundItems = true;
            }
            this.afterColon = false;
          } else if (this.depth === this.itemsDepth && !this.item) {
            if (c !== 0x7b) throw new RecordProblem('', `expected flow records (JSON objects) in the ${this.itemsDepth === 1 ? 'array' : 'items array'}, got an array`);
            this.item = [];
            this.itemBytes = 0;
            this.itemLine = lineNumber;
            start = i;
          }
          this.depth++;
          break;
        case 0x7d: // }
        case 0x5d: // ]
          this.depth--;
          if (this.depth < 0) throw new RecordProblem('', 'a closing bracket without an opening one');
          if (this.item && this.depth === this.itemsDepth) {
            this.item.push(text.slice(start, i + 1));
            const record = this.item.join('\n');
            this.item = undefined;
            start = -1;
            this.emit(record, this.itemLine);
          } else if (this.depth === this.itemsDepth - 1 && this.depth > 0 || (this.depth === 0 && this.itemsDepth === 1)) {
            this.itemsDepth = -1; // the records array ended
          }
          break;
        case 0x3a: // :
          if (!this.item && this.depth === 1 && this.top === '{') this.afterColon = true;
          break;
        case 0x2c: // ,
          if (!this.item && this.depth === 1 && this.top === '{') this.afterColon = false;
          break;
        case 0x20: case 0x09: case 0x0d:
          break;
        default:
          if (this.depth === 0) throw new RecordProblem('', 'expected a JSON array or object');
          if (this.depth === this.itemsDepth && !this.item) {
            throw new RecordProblem('', `expected flow records (JSON objects) in the ${this.itemsDepth === 1 ? 'array' : 'items array'}, got a ${text.slice(i, i + 10)}…`);
          }
          if (!this.item && this.depth === 1 && this.top === '{' && this.afterColon && this.lastKey === 'items') {
            throw new RecordProblem('items', 'expected an array of flow records');
          }
      }
    }
    if (this.item) {
      const rest = text.slice(start < 0 ? 0 : start);
      this.itemBytes += rest.length + 1;
      if (this.itemBytes > this.maxRecordBytes) {
        throw new RecordProblem('', `the record that starts on line ${this.itemLine} is longer than ${this.maxRecordBytes} bytes; a flow record is a few KiB`);
      }
      this.item.push(rest);
    }
    if (this.key) this.key.push(`${text.slice(start < 0 ? 0 : start)}\n`);
  }

  /** Checks that the document ended complete and had records. */
  public end(): void {
    if (this.depth !== 0 || this.inString) throw new RecordProblem('', 'the JSON document ends before it is complete (a cut file?)');
    if (!this.foundItems) throw new RecordProblem('', 'expected a JSON array of flow records, or an object with an items array (a Whisker list response)');
  }
}
