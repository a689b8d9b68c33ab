/**
 * Bounds on what one input may make the readers do, checked in one linear pass before any recursive
 * parse (a 5,000-level document must be a clear error, not a stack overflow).
 */

/**
 * The deepest nesting of mappings and sequences read. Kubernetes objects nest about 15 levels; CRD
 * schemas about 40. Go's encoding/json (which the API server uses) stops at 10,000.
 */
export const MAX_NESTING_DEPTH = 1000;

/** A text nested too deeply, with the line where the bound was passed. */
export interface DepthProblem {
  readonly line: number;
  readonly problem: string;
}

/**
 * An upper bound on the nesting depth of a YAML text, line by line, or a problem when the bound
 * passes `MAX_NESTING_DEPTH`. Block nesting needs indentation: every two levels move the content at
 * least one column right (a sequence may sit at its key's column, its items' content cannot), and
 * compact entries (`- - x`, `? x`) are counted by their indicator columns, so a line whose content
 * starts at column c is at most 2(c + 1) levels deep. Flow collections (`[`, `{`) add one level per
 * unclosed bracket, counted wherever one can open a collection and, inside one, at every bracket
 * (brackets in quoted strings there only make the bound larger). Block-scalar content lines and
 * comment lines carry no nodes and are skipped.
 */
export function yamlDepthProblem(text: string, limit = MAX_NESTING_DEPTH): DepthProblem | undefined {
  let flow = 0;
  let blockScalarParent = -1; // indentation of the line that opened a block scalar, -1 outside one
  let lineNumber = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNumber++;
    let indent = start;
    while (indent < end && text.charCodeAt(indent) === 32) indent++;
    const column = indent - start;
    const blank = indent >= end || text[indent] === '\r';
    if (blockScalarParent >= 0) {
      if (blank || column > blockScalarParent) {
        start = end + 1;
        continue;
      }
      blockScalarParent = -1;
    }
    if (blank || (flow === 0 && text[indent] === '#')) {
      start = end + 1;
      continue;
    }
    // Compact indicators: "- ", "? ", ": " at the start of the content.
    let content = indent;
    while (content < end && '-?:'.includes(text[content]) && (content + 1 === end || text[content + 1] === ' ' || text[content + 1] === '\r')) {
      content++;
      while (content < end && text.charCodeAt(content) === 32) content++;
    }
    if (flow === 0 && 2 * (content - start + 1) > limit) {
      return { line: lineNumber, problem: `nested deeper than ${limit} levels (content at column ${content - start + 1})` };
    }
    let opener = flow === 0 ? findFlowStart(text, content, end) : content;
    if (opener >= 0) {
      for (let i = opener; i < end; i++) {
        const c = text[i];
        if (c === '[' || c === '{') {
          flow++;
          if (flow + 2 * (column + 1) > limit) {
            return { line: lineNumber, problem: `nested deeper than ${limit} levels (flow collections)` };
          }
        } else if ((c === ']' || c === '}') && flow > 0) {
          flow--;
          if (flow === 0) {
            opener = findFlowStart(text, i + 1, end);
            if (opener < 0) break;
            i = opener - 1;
          }
        }
      }
    }
    if (flow === 0 && isBlockScalarHeader(text.slice(content, end))) {
      // Its content is indented past the node that owns it (`key` of `- key: |`), never less.
      blockScalarParent = content - start;
    }
    start = end + 1;
  }
  return undefined;
}

/**
 * Where a flow collection opens on a line outside flow context: at the content start, or as a
 * mapping value (after `: `), past anchors and tags. -1 when none does.
 */
function findFlowStart(text: string, from: number, end: number): number {
  let i = from;
  for (;;) {
    while (i < end && text.charCodeAt(i) === 32) i++;
    const c = text[i];
    if (c === '[' || c === '{') return i;
    if (c === '&' || c === '!') {
      while (i < end && text.charCodeAt(i) !== 32) i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '#' || i >= end) return -1;
    // A plain key: look for ": " followed by a collection (searching this line only).
    const line = text.slice(i, end);
    const colon = line.indexOf(': ');
    if (colon < 0) return -1;
    const comment = line.indexOf(' #');
    if (comment >= 0 && comment < colon) return -1;
    i += colon + 2;
  }
}

function isBlockScalarHeader(content: string): boolean {
  if (content.startsWith('#')) return false;
  const comment = content.indexOf(' #');
  const code = (comment >= 0 ? content.slice(0, comment) : content).trimEnd();
  return /(?:^|[ ])[|>][1-9+-]{0,2}$/.test(code) && !/^["']/.test(code);
}

/** What `jsonProblem` checks. */
export interface JsonCheckOptions {
  /** Refuse integral numbers written with a fraction or exponent. @default true */
  readonly integralFloats?: boolean;
  /** @default MAX_NESTING_DEPTH */
  readonly limit?: number;
}

/**
 * Checks a JSON text before `JSON.parse`, as the API server's decoder would see it: nesting depth,
 * duplicate keys in one object (the API server's strict decoding refuses them, `JSON.parse` keeps
 * the last silently), and integral numbers written with a fraction or exponent (`80.0`, `8e1`:
 * kubectl sends JSON as written and Go refuses them for integer fields, while `JSON.parse` reads
 * 80; `integralFloats: false` skips that check). Returns the first problem with its line and column, or undefined. Syntax errors are left to
 * `JSON.parse`.
 */
export function jsonProblem(text: string, options: JsonCheckOptions = {}): { line: number; column: number; problem: string } | undefined {
  const limit = options.limit ?? MAX_NESTING_DEPTH;
  const keys: (Set<string> | undefined)[] = [];
  let expectKey = false;
  let i = 0;
  const at = (offset: number, problem: string) => {
    let line = 1;
    let lineStart = 0;
    for (let j = text.indexOf('\n'); j >= 0 && j < offset; j = text.indexOf('\n', j + 1)) {
      line++;
      lineStart = j + 1;
    }
    return { line, column: offset - lineStart + 1, problem };
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '{' || c === '[') {
      if (keys.length >= limit) return at(i, `nested deeper than ${limit} levels`);
      keys.push(c === '{' ? new Set() : undefined);
      expectKey = c === '{';
      i++;
    } else if (c === '}' || c === ']') {
      keys.pop();
      expectKey = false;
      i++;
    } else if (c === ',') {
      expectKey = keys[keys.length - 1] !== undefined;
      i++;
    } else if (c === '"') {
      const close = stringEnd(text, i);
      if (close < 0) return undefined;
      if (expectKey) {
        const object = keys[keys.length - 1];
        let key = text.slice(i + 1, close);
        if (key.includes('\\')) {
          try {
            key = JSON.parse(text.slice(i, close + 1)) as string;
          } catch {
            return undefined;
          }
        }
        if (object?.has(key)) {
          return at(i, `the key ${JSON.stringify(key)} is given twice in one object (the API server refuses duplicate fields); remove one`);
        }
        object?.add(key);
        expectKey = false;
      }
      i = close + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < text.length && /[0-9eE.+-]/.test(text[j])) j++;
      const literal = text.slice(i, j);
      if (options.integralFloats !== false && /[.eE]/.test(literal)) {
        const value = Number(literal);
        if (Number.isInteger(value)) {
          return at(i, `the number ${literal} is written with a fraction or an exponent; kubectl sends JSON as written and the API server refuses it for integer fields: write ${value}`);
        }
      }
      i = j;
    } else {
      i++;
    }
  }
  return undefined;
}

function stringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++; // backslash
    else if (c === 34) return i;
  }
  return -1;
}
