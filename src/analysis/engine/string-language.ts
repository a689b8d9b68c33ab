/* eslint-disable no-bitwise -- character sets are 128-bit masks over ASCII. */
import { AnalysisInputError } from '../ir/analysis-input-error';
import { translateRe2 } from '../ir/re2-regex';
import { StringMatch } from '../ir/string-match';

/**
 * The language of a string condition (`StringMatch`) as a finite automaton over ASCII, so that
 * request classes can be derived exactly (`request-classes.ts`): which combinations of conditions
 * some string satisfies, and a string for each, are decided by exploring the product of the
 * automata, never by sampling.
 *
 * The strings of a request dimension (method, path, host) are ASCII by definition of the request
 * space (`REQUEST_ALPHABETS`), so a character set is a 128-bit mask and every character outside
 * ASCII in a pattern simply never matches. A regex is read from its JavaScript translation
 * (`translateRe2`, which already refuses what RE2 refuses and what it cannot translate); of that
 * syntax only word boundaries (`\b`, `\B`) are refused here, with the pattern named.
 */
export type CharMask = Uint32Array;

/** A nondeterministic automaton: per state, character edges and ε-edges (plain, or only at the start / end of the text). */
export interface StringAutomaton {
  readonly start: number;
  readonly accept: number;
  /** `edges[state]` = character edges. */
  readonly edges: readonly (readonly { readonly chars: CharMask; readonly to: number }[])[];
  /** `epsilons[state]` = ε-edges: `''` plain, `'^'` only before the first character, `'$'` only after the last. */
  readonly epsilons: readonly (readonly { readonly kind: '' | '^' | '$'; readonly to: number }[])[];
}

/** At most this many automaton states per pattern (a `{1000}` repeat of a long group is refused, not explored). */
export const MAX_AUTOMATON_STATES = 50_000;

export function emptyMask(): CharMask {
  return new Uint32Array(4);
}

export function maskOf(chars: string): CharMask {
  const mask = emptyMask();
  for (const c of chars) {
    addChar(mask, c.codePointAt(0) as number);
  }
  return mask;
}

export function maskHas(mask: CharMask, code: number): boolean {
  return code < 128 && (mask[code >>> 5] & (1 << (code & 31))) !== 0;
}

function addChar(mask: CharMask, code: number): void {
  if (code < 128) {
    mask[code >>> 5] |= 1 << (code & 31);
  }
}

function addRange(mask: CharMask, from: number, to: number): void {
  for (let c = from; c <= Math.min(to, 127); c++) {
    addChar(mask, c);
  }
}

function invert(mask: CharMask): CharMask {
  return Uint32Array.from(mask, (word) => ~word >>> 0);
}

function unionInto(target: CharMask, other: CharMask): void {
  for (let i = 0; i < 4; i++) {
    target[i] |= other[i];
  }
}

const DIGIT = maskOf('0123456789');
const WORD = (() => {
  const mask = maskOf('_');
  addRange(mask, 0x30, 0x39);
  addRange(mask, 0x41, 0x5a);
  addRange(mask, 0x61, 0x7a);
  return mask;
})();
const ALL = invert(emptyMask());

class Builder {
  public readonly edges: { chars: CharMask; to: number }[][] = [];
  public readonly epsilons: { kind: '' | '^' | '$'; to: number }[][] = [];

  constructor(private readonly pattern: string) {}

  public state(): number {
    if (this.edges.length >= MAX_AUTOMATON_STATES) {
      throw new AnalysisInputError(`regex ${JSON.stringify(this.pattern)}: its automaton has more than ${MAX_AUTOMATON_STATES} states, so the analyzer cannot derive request classes from it; write it with fewer or smaller counted repeats`);
    }
    this.edges.push([]);
    this.epsilons.push([]);
    return this.edges.length - 1;
  }

  public char(from: number, chars: CharMask, to: number): void {
    this.edges[from].push({ chars, to });
  }

  public epsilon(from: number, to: number, kind: '' | '^' | '$' = ''): void {
    this.epsilons[from].push({ kind, to });
  }
}

/** A fragment of the regex syntax tree, built into the automaton between two states. */
type Node =
  | { readonly kind: 'chars'; readonly chars: CharMask }
  | { readonly kind: 'assert'; readonly at: '^' | '$' }
  | { readonly kind: 'seq'; readonly items: readonly Node[] }
  | { readonly kind: 'alt'; readonly options: readonly Node[] }
  | { readonly kind: 'repeat'; readonly item: Node; readonly min: number; readonly max: number | undefined };

/** Parses the JavaScript translation of an RE2 pattern (the syntax `translateRe2` writes). */
class JsPatternParser {
  private i = 0;

  constructor(private readonly source: string, private readonly pattern: string) {}

  public parse(): Node {
    const node = this.alternation();
    if (this.i < this.source.length) {
      throw new Error(`unexpected ${this.source[this.i]} at ${this.i} in the translation of ${this.pattern} (a bug)`);
    }
    return node;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.source[this.i] === '|') {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0] : { kind: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.source.length && this.source[this.i] !== '|' && this.source[this.i] !== ')') {
      let item = this.atom();
      for (;;) {
        const quantifier = this.quantifier();
        if (!quantifier) {
          break;
        }
        item = { kind: 'repeat', item, ...quantifier };
      }
      items.push(item);
    }
    return items.length === 1 ? items[0] : { kind: 'seq', items };
  }

  private quantifier(): { min: number; max: number | undefined } | undefined {
    const s = this.source;
    let result: { min: number; max: number | undefined } | undefined;
    const c = s[this.i];
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      result = { min: c === '+' ? 1 : 0, max: c === '?' ? 1 : undefined };
    } else if (c === '{') {
      const counted = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i));
      if (!counted) {
        return undefined;
      }
      this.i += counted[0].length;
      const min = Number(counted[1]);
      result = { min, max: counted[2] === undefined ? min : counted[3] === '' ? undefined : Number(counted[3]) };
    } else {
      return undefined;
    }
    if (s[this.i] === '?') {
      this.i++; // lazy: the same language
    }
    return result;
  }

  private atom(): Node {
    const s = this.source;
    const c = s[this.i];
    switch (c) {
      case '(': {
        this.i += s.startsWith('(?:', this.i) ? 3 : 1;
        const inner = this.alternation();
        if (s[this.i] !== ')') {
          throw new Error(`unclosed group in the translation of ${this.pattern} (a bug)`);
        }
        this.i++;
        return inner;
      }
      case '[':
        return { kind: 'chars', chars: this.characterClass() };
      case '^':
      case '$':
        this.i++;
        return { kind: 'assert', at: c };
      case '.':
        this.i++;
        return { kind: 'chars', chars: invert(maskOf('\n\r\u2028\u2029')) };
      case '\\':
        return this.escapeAtom();
      default: {
        const code = s.codePointAt(this.i) as number;
        this.i += code > 0xffff ? 2 : 1;
        const mask = emptyMask();
        addChar(mask, code);
        return { kind: 'chars', chars: mask };
      }
    }
  }

  private escapeAtom(): Node {
    const e = this.source[this.i + 1];
    if (e === 'b' || e === 'B') {
      throw new AnalysisInputError(`regex ${JSON.stringify(this.pattern)}: word boundaries (\\b, \\B) are not supported when request classes are derived; write the alternatives out`);
    }
    return { kind: 'chars', chars: this.escapeMask() };
  }

  /** An escape at `i` (a backslash), as a character set; advances past it. */
  private escapeMask(): CharMask {
    const s = this.source;
    const e = s[this.i + 1];
    this.i += 2;
    const mask = emptyMask();
    switch (e) {
      case 'd':
        return DIGIT.slice();
      case 'D':
        return invert(DIGIT);
      case 'w':
        return WORD.slice();
      case 'W':
        return invert(WORD);
      case 't':
        addChar(mask, 9);
        return mask;
      case 'n':
        addChar(mask, 10);
        return mask;
      case 'v':
        addChar(mask, 11);
        return mask;
      case 'f':
        addChar(mask, 12);
        return mask;
      case 'r':
        addChar(mask, 13);
        return mask;
      case 'x': {
        addChar(mask, parseInt(s.slice(this.i, this.i + 2), 16));
        this.i += 2;
        return mask;
      }
      case 'u': {
        const braced = /^\{([0-9a-fA-F]+)\}/.exec(s.slice(this.i));
        if (!braced) {
          throw new Error(`unexpected \\u in the translation of ${this.pattern} (a bug)`);
        }
        this.i += braced[0].length;
        addChar(mask, parseInt(braced[1], 16));
        return mask;
      }
      default: {
        const code = s.codePointAt(this.i - 1) as number;
        if (code > 0xffff) {
          this.i++;
        }
        addChar(mask, code);
        return mask;
      }
    }
  }

  private characterClass(): CharMask {
    const s = this.source;
    this.i++; // [
    const negated = s[this.i] === '^';
    if (negated) {
      this.i++;
    }
    const mask = emptyMask();
    let previous: number | undefined;
    while (s[this.i] !== ']') {
      if (this.i >= s.length) {
        throw new Error(`unclosed class in the translation of ${this.pattern} (a bug)`);
      }
      if (s[this.i] === '-' && previous !== undefined && s[this.i + 1] !== ']') {
        this.i++;
        const end = this.classItem();
        if (end.single === undefined) {
          throw new Error(`a range ending in a class in the translation of ${this.pattern} (a bug)`);
        }
        addRange(mask, previous, end.single);
        previous = undefined;
        continue;
      }
      const item = this.classItem();
      unionInto(mask, item.mask);
      previous = item.single;
    }
    this.i++; // ]
    return negated ? invert(mask) : mask;
  }

  /** One item of a class: a character (with its code, for ranges) or a class escape. */
  private classItem(): { mask: CharMask; single?: number } {
    const s = this.source;
    if (s[this.i] === '\\') {
      const e = s[this.i + 1];
      const mask = this.escapeMask();
      return 'dDwW'.includes(e) ? { mask } : { mask, single: singleOf(mask, s, this.i) };
    }
    const code = s.codePointAt(this.i) as number;
    this.i += code > 0xffff ? 2 : 1;
    const mask = emptyMask();
    addChar(mask, code);
    return { mask, single: code };
  }
}

/** The code of a one-character mask (characters beyond ASCII have an empty mask: read them back from the source). */
function singleOf(mask: CharMask, source: string, end: number): number {
  for (let c = 0; c < 128; c++) {
    if (maskHas(mask, c)) {
      return c;
    }
  }
  // \u{…} beyond ASCII: parse the code point again from the escape text ending at `end`.
  const match = /\\u\{([0-9a-fA-F]+)\}$/.exec(source.slice(0, end)) ?? /\\x([0-9a-fA-F]{2})$/.exec(source.slice(0, end));
  return match ? parseInt(match[1], 16) : 0x10ffff;
}

function build(builder: Builder, node: Node, from: number, to: number): void {
  switch (node.kind) {
    case 'chars':
      builder.char(from, node.chars, to);
      return;
    case 'assert':
      builder.epsilon(from, to, node.at);
      return;
    case 'seq': {
      let current = from;
      node.items.forEach((item, k) => {
        const next = k === node.items.length - 1 ? to : builder.state();
        build(builder, item, current, next);
        current = next;
      });
      if (node.items.length === 0) {
        builder.epsilon(from, to);
      }
      return;
    }
    case 'alt':
      for (const option of node.options) {
        const a = builder.state();
        const b = builder.state();
        builder.epsilon(from, a);
        build(builder, option, a, b);
        builder.epsilon(b, to);
      }
      return;
    case 'repeat': {
      let current = from;
      for (let k = 0; k < node.min; k++) {
        const next = builder.state();
        build(builder, node.item, current, next);
        current = next;
      }
      if (node.max === undefined) {
        const loop = builder.state();
        builder.epsilon(current, loop);
        const back = builder.state();
        build(builder, node.item, loop, back);
        builder.epsilon(back, loop);
        builder.epsilon(loop, to);
      } else {
        builder.epsilon(current, to);
        for (let k = node.min; k < node.max; k++) {
          const next = builder.state();
          build(builder, node.item, current, next);
          builder.epsilon(next, to);
          current = next;
        }
      }
      return;
    }
  }
}

function literalNode(value: string): Node {
  return { kind: 'seq', items: [...value].map((c) => ({ kind: 'chars' as const, chars: maskOf(c) })) };
}

const ANY_STRING: Node = { kind: 'repeat', item: { kind: 'chars', chars: ALL }, min: 0, max: undefined };

const automata = new Map<string, StringAutomaton>();

/**
 * The automaton of a string condition (whole-string match, as `stringMatches` decides it).
 * @throws AnalysisInputError for a regex the analyzer cannot evaluate, naming the pattern
 */
export function automatonOf(match: StringMatch): StringAutomaton {
  const key = match.kind === 'present' ? 'present' : `${match.kind}:${match.value}`;
  let automaton = automata.get(key);
  if (!automaton) {
    let node: Node;
    switch (match.kind) {
      case 'exact':
        node = literalNode(match.value);
        break;
      case 'prefix':
        node = { kind: 'seq', items: [literalNode(match.value), ANY_STRING] };
        break;
      case 'suffix':
        node = { kind: 'seq', items: [ANY_STRING, literalNode(match.value)] };
        break;
      case 'present':
        node = ANY_STRING;
        break;
      case 'regex': {
        const translation = translateRe2(match.value);
        if ('problem' in translation) {
          throw new AnalysisInputError(`regex ${JSON.stringify(match.value)}: ${translation.problem}`);
        }
        node = new JsPatternParser(translation.javascript, match.value).parse();
        break;
      }
    }
    const builder = new Builder(match.kind === 'present' ? '' : match.value);
    const start = builder.state();
    const accept = builder.state();
    build(builder, node, start, accept);
    automaton = { start, accept, edges: builder.edges, epsilons: builder.epsilons };
    automata.set(key, automaton);
  }
  return automaton;
}

/** The ε-closure of a state set; `atStart` / `atEnd` say whether `^` / `$` edges may be taken. */
export function closure(automaton: StringAutomaton, states: Iterable<number>, atStart: boolean, atEnd: boolean): number[] {
  const seen = new Set<number>();
  const stack = [...states];
  while (stack.length > 0) {
    const state = stack.pop() as number;
    if (seen.has(state)) {
      continue;
    }
    seen.add(state);
    for (const edge of automaton.epsilons[state]) {
      if (edge.kind === '' || (edge.kind === '^' && atStart) || (edge.kind === '$' && atEnd)) {
        stack.push(edge.to);
      }
    }
  }
  return [...seen].sort((a, b) => a - b);
}

/** The states after reading one character from a closed state set (the result is closed, not at the start). */
export function step(automaton: StringAutomaton, states: readonly number[], code: number): number[] {
  const next: number[] = [];
  for (const state of states) {
    for (const edge of automaton.edges[state]) {
      if (maskHas(edge.chars, code)) {
        next.push(edge.to);
      }
    }
  }
  return closure(automaton, next, false, false);
}

/** True if a closed state set accepts here (the end of the text: `$` edges may be taken). */
export function accepts(automaton: StringAutomaton, states: readonly number[]): boolean {
  return closure(automaton, states, false, true).includes(automaton.accept);
}

/** Every character some edge of the automaton reads, within `alphabet` (for splitting the alphabet into classes). */
export function edgeMasks(automaton: StringAutomaton): CharMask[] {
  return automaton.edges.flatMap((edges) => edges.map((edge) => edge.chars));
}
