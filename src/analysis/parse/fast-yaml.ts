import { GoYamlScalar, resolvePlainScalar, scalarJsonValue, scalarKeyString } from './go-yaml-scalar';

/**
 * A fast reader for the plain subset of YAML that `kubectl get -o yaml` and most generators print:
 * block mappings and sequences, plain, single- and double-quoted one-line scalars, literal block
 * scalars (`|`, `|-`, `|+`), empty flow collections (`{}`, `[]`), comments and `---` separators.
 *
 * It returns `undefined` as soon as it meets anything else (anchors, aliases, tags, flow collections
 * with content, folded or multi-line scalars, complex keys, duplicate keys, tabs, directives, syntax
 * errors…), and the caller then parses the text with the `yaml` library, which is the reference:
 * whenever this reader returns a value, it is the value `readGoYaml` produces — what kubectl sends to
 * the API server, YAML 1.1 scalars and keys resolved as go-yaml v2 does (`go-yaml-scalar.ts`) —
 * which a differential property test checks. Mappings are null-prototype objects, as there. It exists because `yaml` reads about 1 MB/s, which dominates
 * the analysis of a large estate.
 */
export function fastParseYaml(text: string): unknown[] | undefined {
  try {
    return new FastYamlReader(text).documents();
  } catch (error) {
    if (error === UNSUPPORTED) {
      return undefined;
    }
    throw error;
  }
}

const UNSUPPORTED = Symbol('unsupported');

interface Line {
  readonly indent: number;
  /** Content after the indentation, with trailing spaces removed; empty for a blank line. */
  readonly text: string;
  /** True if the line had trailing spaces (which a literal block scalar would keep). */
  readonly trailingSpace: boolean;
}

const INDICATORS = /^[-?:,[\]{}#&*!|>'"%@`]/;

class FastYamlReader {
  private lines: Line[] = [];
  private position = 0;

  constructor(private readonly text: string) {}

  public documents(): unknown[] {
    const documents: Line[][] = [[]];
    // Raw lines are kept for block scalars, whose content keeps its spacing and blank lines.
    for (const raw of this.text.split(/\r?\n/)) {
      if (raw.includes('\t') || raw.startsWith('%') || raw.startsWith('...')) {
        throw UNSUPPORTED;
      }
      if (raw.startsWith('---')) {
        const rest = raw.slice(3).trim();
        if ((raw.length > 3 && raw[3] !== ' ') || (rest !== '' && !rest.startsWith('#'))) {
          throw UNSUPPORTED;
        }
        documents.push([]);
        continue;
      }
      const content = raw.trimEnd();
      const indent = content.length - content.trimStart().length;
      documents[documents.length - 1].push({ indent, text: content.slice(indent), trailingSpace: content.length !== raw.length });
    }
    // A leading `---` opens the first document rather than ending an empty one.
    if (documents.length > 1 && documents[0].every(isBlankOrComment)) {
      documents.shift();
    } else if (documents.length === 1 && documents[0].every(isBlankOrComment)) {
      return []; // no separator and no content: no document at all
    }
    return documents.map((lines) => this.document(lines));
  }

  private document(lines: Line[]): unknown {
    this.lines = lines;
    this.position = 0;
    this.skipBlank();
    if (this.position >= this.lines.length) {
      return null;
    }
    const value = this.node(this.lines[this.position].indent);
    this.skipBlank();
    if (this.position < this.lines.length) {
      throw UNSUPPORTED; // content left over at a smaller indentation: let the reference parser judge
    }
    return value;
  }

  /** A node whose first line is the current line, at exactly this indentation. */
  private node(indent: number): unknown {
    const line = this.lines[this.position];
    if (line.indent !== indent) {
      throw UNSUPPORTED;
    }
    if (line.text === '-' || line.text.startsWith('- ')) {
      return this.sequence(indent);
    }
    if (keyOf(line.text) !== undefined) {
      return this.mapping(indent);
    }
    this.position++;
    const value = this.inlineScalar(line.text);
    this.expectNoContinuation(indent);
    return value;
  }

  private sequence(indent: number): unknown[] {
    const items: unknown[] = [];
    while (this.position < this.lines.length) {
      const line = this.lines[this.position];
      if (line.indent !== indent || !(line.text === '-' || line.text.startsWith('- '))) {
        break;
      }
      const rest = line.text.slice(1).trimStart();
      if (rest === '' || rest.startsWith('#')) {
        this.position++;
        items.push(this.nestedValue(indent, false));
      } else {
        // "- key: value" opens a mapping whose lines align with "key".
        const offset = line.text.length - rest.length;
        this.lines[this.position] = { indent: indent + offset, text: rest, trailingSpace: line.trailingSpace };
        items.push(this.node(indent + offset));
      }
      this.skipBlank();
    }
    return items;
  }

  private mapping(indent: number): Record<string, unknown> {
    const result = Object.create(null) as Record<string, unknown>;
    while (this.position < this.lines.length) {
      const line = this.lines[this.position];
      if (line.indent !== indent) {
        if (line.indent > indent) {
          throw UNSUPPORTED;
        }
        break;
      }
      const entry = keyOf(line.text);
      if (entry === undefined) {
        throw UNSUPPORTED;
      }
      if (entry.key in result) {
        throw UNSUPPORTED; // duplicate keys are errors, which the reference reader reports with the line
      }
      this.position++;
      const rest = entry.rest;
      let value: unknown;
      if (rest === '' || rest.startsWith('#')) {
        value = this.nestedValue(indent, true);
      } else if (rest[0] === '|') {
        value = this.literalBlock(rest, indent);
      } else {
        value = this.inlineScalar(rest);
        this.expectNoContinuation(indent);
      }
      result[entry.key] = value;
      this.skipBlank();
    }
    return result;
  }

  /** The value on the lines after a `key:` or `-` with nothing after it. */
  private nestedValue(parentIndent: number, allowSameIndentSequence: boolean): unknown {
    this.skipBlank();
    const next = this.lines[this.position];
    if (next === undefined) {
      return null;
    }
    if (next.indent > parentIndent) {
      return this.node(next.indent);
    }
    // kubectl writes a mapping's sequence value at the key's own indentation.
    if (allowSameIndentSequence && next.indent === parentIndent && (next.text === '-' || next.text.startsWith('- '))) {
      return this.sequence(parentIndent);
    }
    return null;
  }

  private literalBlock(header: string, parentIndent: number): string {
    const match = /^\|([-+]?)(\s+#.*)?$/.exec(header);
    if (!match) {
      throw UNSUPPORTED; // explicit indentation indicators and other headers
    }
    const chomping = match[1];
    const body: Line[] = [];
    while (this.position < this.lines.length) {
      const line = this.lines[this.position];
      if (line.text !== '' && line.indent <= parentIndent) {
        break;
      }
      body.push(line);
      this.position++;
    }
    const first = body.find((line) => line.text !== '');
    if (!first) {
      throw UNSUPPORTED;
    }
    const contentIndent = first.indent;
    if (body.some((line) => line.trailingSpace || (line.text !== '' && line.indent < contentIndent)) || body.indexOf(first) > 0) {
      throw UNSUPPORTED; // leading blank lines, kept spaces and less-indented lines have subtle rules
    }
    let lastContent = body.length - 1;
    while (lastContent >= 0 && body[lastContent].text === '') {
      lastContent--;
    }
    const content = body.slice(0, lastContent + 1).map((line) => (line.text === '' ? '' : ' '.repeat(line.indent - contentIndent) + line.text));
    const trailing = body.length - 1 - lastContent;
    if (trailing > 0 && chomping === '+') {
      throw UNSUPPORTED; // kept trailing blank lines depend on spaces this reader trimmed
    }
    const text = content.join('\n');
    return chomping === '-' ? text : `${text}\n`;
  }

  private inlineScalar(text: string): unknown {
    const first = text[0];
    if (first === '"') {
      return doubleQuoted(text);
    }
    if (first === "'") {
      return singleQuoted(text);
    }
    if (text === '{}' || text.startsWith('{} #')) {
      return Object.create(null) as Record<string, unknown>;
    }
    if (text === '[]' || text.startsWith('[] #')) {
      return [];
    }
    const json = scalarJsonValue(plainScalar(text));
    if ('problem' in json) {
      throw UNSUPPORTED; // NaN and infinities: the reference reader reports them
    }
    return json.value;
  }

  /** A one-line scalar must not continue on more-indented lines (a multi-line plain scalar). */
  private expectNoContinuation(indent: number): void {
    this.skipBlank();
    const next = this.lines[this.position];
    if (next !== undefined && next.indent > indent) {
      throw UNSUPPORTED;
    }
  }

  private skipBlank(): void {
    while (this.position < this.lines.length && isBlankOrComment(this.lines[this.position])) {
      this.position++;
    }
  }
}

function isBlankOrComment(line: Line): boolean {
  return line.text === '' || line.text.startsWith('#');
}

/** Splits `key: rest` (or `key:`); undefined when the line is not a simple mapping entry. */
function keyOf(text: string): { key: string; rest: string } | undefined {
  let key: string;
  let after: string;
  if (text[0] === '"' || text[0] === "'") {
    const end = closingQuote(text);
    if (end < 0) {
      return undefined;
    }
    const quoted = text.slice(0, end + 1);
    key = text[0] === '"' ? doubleQuoted(quoted) : singleQuoted(quoted);
    after = text.slice(end + 1);
    if (!after.startsWith(':')) {
      return undefined;
    }
    if (!/^:(?: |$)/.test(after)) {
      throw UNSUPPORTED; // `"k":v` is a mapping only in flow context; leave it to the reference parser
    }
  } else {
    const colon = text.search(/:(?: |$)/);
    if (colon <= 0) {
      return undefined;
    }
    key = text.slice(0, colon);
    after = text.slice(colon);
    if (INDICATORS.test(key) && !/^-[^\s]/.test(key) || key.includes(' #') || key.trimEnd() !== key) {
      throw UNSUPPORTED;
    }
    const resolved = plainScalar(key);
    if (resolved.kind === 'merge') {
      throw UNSUPPORTED; // a plain `<<` is a merge key (a quoted one is an ordinary key)
    }
    const converted = scalarKeyString(resolved);
    if ('problem' in converted) {
      throw UNSUPPORTED;
    }
    key = converted.key; // `80`, `0120` and `0x50` are the key "80", `yes` is "true" (sigs.k8s.io/yaml)
  }
  return { key, rest: after.slice(1).trim() };
}

function closingQuote(text: string): number {
  const quote = text[0];
  for (let i = 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') {
      i++;
    } else if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") {
        i++;
      } else {
        return i;
      }
    }
  }
  return -1;
}

function afterScalar(text: string, end: number): void {
  const rest = text.slice(end + 1);
  if (rest !== '' && !/^ +(#.*)?$/.test(rest)) {
    throw UNSUPPORTED;
  }
}

function doubleQuoted(text: string): string {
  const end = closingQuote(text);
  if (end < 0) {
    throw UNSUPPORTED;
  }
  afterScalar(text, end);
  const body = text.slice(0, end + 1);
  // Only escapes JSON shares with YAML; anything else (\x, \e, \N, \U…) goes to the reference parser.
  if ([...body.matchAll(/\\(.)/gs)].some((escape) => !'"\\/bfnrtu'.includes(escape[1])) || /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/.test(body)) {
    throw UNSUPPORTED;
  }
  try {
    return JSON.parse(body) as string;
  } catch {
    throw UNSUPPORTED;
  }
}

function singleQuoted(text: string): string {
  const end = closingQuote(text);
  if (end < 0) {
    throw UNSUPPORTED;
  }
  afterScalar(text, end);
  return text.slice(1, end).replace(/''/g, "'");
}

function plainScalar(raw: string): GoYamlScalar {
  const comment = raw.search(/ #/);
  const text = (comment >= 0 ? raw.slice(0, comment) : raw).trimEnd();
  if (text === '' || (INDICATORS.test(text) && !/^[-?:][^\s]/.test(text)) || /: |:$| #/.test(text) || /[\u0000-\u001f\u007f-\u009f\ufeff\u2028\u2029]/.test(text)) {
    throw UNSUPPORTED;
  }
  return resolvePlainScalar(text);
}
