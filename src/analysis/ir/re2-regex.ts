import { AnalysisInputError } from './analysis-input-error';

/**
 * Google RE2 regexes (what Envoy — and so Cilium's L7 rules — use) evaluated with JavaScript's
 * RegExp, as a WHOLE-string match.
 *
 * RE2 and JavaScript share most syntax but not all of it, and some shared syntax means different
 * things. `translateRe2` rewrites an RE2 pattern into a JavaScript pattern that accepts exactly the
 * same strings, or explains why it cannot:
 *
 * - rewritten: `.` (RE2: anything but `\n`; JavaScript also excludes `\r`, U+2028, U+2029) → `[^\n]`;
 *   `\s` (RE2: `[\t\n\f\r ]`; JavaScript: all Unicode white space) → that class; `\A`, `\z` → `^`, `$`;
 *   `\Q…\E` → escaped literals; `\x{…}` → `\u{…}`; `\a` → `\x07`; `[[:alpha:]]`-style ASCII classes →
 *   ranges; `(?P<name>…)` / `(?<name>…)` → `(?:…)`; `]`, `{`, `}` that are literal in RE2 → escaped;
 *   punctuation escaped in RE2 (`\-`, `\#`, …) → the literal character.
 * - rejected, because RE2 itself rejects them (so Envoy would refuse the rule): lookarounds
 *   (`(?=`, `(?!`, `(?<=`, `(?<!`), backreferences and octal escapes (`\1`), `\Z`, atomic groups,
 *   unknown escapes, repeat counts above 1000, unbalanced parentheses or brackets.
 * - rejected, because the analyzer does not translate them: flag groups (`(?i)`, `(?s:…)`), Unicode
 *   classes (`\pL`, `\p{Greek}`), `\C`, `\S` and negated ASCII classes inside brackets.
 *
 * Anchors keep RE2's default (single-line) meaning: `^` and `$` match only at the ends of the text,
 * which is also what JavaScript does without the `m` flag. Matching is whole-string, as Envoy's
 * `safe_regex` matchers do: the pattern is wrapped in `^(?:…)$`.
 */

/** A successful translation: the JavaScript source, to be compiled with the `u` flag. */
export interface Re2Translation {
  readonly javascript: string;
}

/** Why a pattern cannot be evaluated (RE2 would reject it, or the analyzer cannot translate it). */
export interface Re2Problem {
  readonly problem: string;
}

const ASCII_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** RE2's `\s`: tab, newline, form feed, carriage return, space (no vertical tab). */
const RE2_SPACE = '\\t\\n\\f\\r ';
/** Characters that must be escaped to be literal in a JavaScript `u` pattern. */
const JS_SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);
/** Inside a JavaScript `u` class, these must be escaped. */
const JS_CLASS_SYNTAX = new Set([...'\\]^-[/']);
const MAX_REPEAT = 1000;

class Re2SyntaxError extends Error {}

/** Translates an RE2 pattern (see the module comment), or says why it cannot. */
export function translateRe2(pattern: string): Re2Translation | Re2Problem {
  try {
    const javascript = new Translator(pattern).run();
    // Last guard: the output must compile (a translation bug must not become a silent mismatch).
    new RegExp(`^(?:${javascript})$`, 'u');
    return { javascript };
  } catch (e) {
    if (e instanceof Re2SyntaxError) {
      return { problem: e.message };
    }
    if (e instanceof SyntaxError) {
      return { problem: `cannot be evaluated (${e.message})` };
    }
    throw e;
  }
}

const compiled = new Map<string, RegExp>();

/**
 * Whether the whole `value` matches the RE2 `pattern`, as Envoy's regex matchers decide.
 * @throws AnalysisInputError if the pattern is not valid RE2 or uses syntax the analyzer cannot translate
 */
export function re2FullMatch(pattern: string, value: string): boolean {
  let regex = compiled.get(pattern);
  if (!regex) {
    const translation = translateRe2(pattern);
    if ('problem' in translation) {
      throw new AnalysisInputError(`regex ${JSON.stringify(pattern)}: ${translation.problem}`);
    }
    regex = new RegExp(`^(?:${translation.javascript})$`, 'u');
    compiled.set(pattern, regex);
  }
  return regex.test(value);
}

/** What the previous output item was, to validate repetition operators like RE2 does. */
type Last = 'none' | 'atom' | 'assertion' | 'repeat' | 'lazy';

class Translator {
  private i = 0;
  private out = '';
  private depth = 0;
  private last: Last = 'none';
  private readonly groupNames = new Set<string>();

  constructor(private readonly pattern: string) {}

  public run(): string {
    const p = this.pattern;
    while (this.i < p.length) {
      const c = this.peekChar();
      switch (c) {
        case '\\':
          this.escape();
          break;
        case '(':
          this.openGroup();
          break;
        case ')':
          if (this.depth === 0) {
            this.fail(`has an unmatched ")" at offset ${this.i}`);
          }
          this.depth--;
          this.i++;
          this.emit(')', 'atom');
          break;
        case '[':
          this.characterClass();
          break;
        case '*':
        case '+':
        case '?':
          this.i++;
          this.repeat(c);
          break;
        case '{': {
          const counted = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(this.i));
          if (!counted) {
            this.i++;
            this.emit('\\{', 'atom'); // literal in RE2
            break;
          }
          const min = Number(counted[1]);
          const max = counted[2] === undefined ? min : counted[3] === '' ? undefined : Number(counted[3]);
          if (min > MAX_REPEAT || (max !== undefined && max > MAX_REPEAT)) {
            this.fail(`repeats more than ${MAX_REPEAT} times (${counted[0]}), which RE2 rejects`);
          }
          if (max !== undefined && max < min) {
            this.fail(`has an invalid repeat count ${counted[0]} (maximum below minimum)`);
          }
          this.i += counted[0].length;
          this.repeat(counted[0]);
          break;
        }
        case '.':
          this.i++;
          this.emit('[^\\n]', 'atom');
          break;
        case '^':
        case '$':
          this.i++;
          this.emit(c, 'assertion');
          break;
        case '|':
          this.i++;
          this.emit('|', 'none');
          break;
        default:
          this.i += c.length;
          this.emit(literal(c), 'atom');
      }
    }
    if (this.depth > 0) {
      this.fail('has an unclosed "("');
    }
    return this.out;
  }

  private peekChar(): string {
    return String.fromCodePoint(this.pattern.codePointAt(this.i) as number);
  }

  private emit(text: string, kind: Last): void {
    this.out += text;
    this.last = kind;
  }

  private fail(problem: string): never {
    throw new Re2SyntaxError(problem);
  }

  private repeat(operator: string): void {
    if (operator === '?' && this.last === 'repeat') {
      this.emit('?', 'lazy'); // non-greedy
      return;
    }
    if (this.last === 'repeat' || this.last === 'lazy') {
      this.fail(`repeats a repetition ("${operator}" after another repetition operator), which RE2 rejects`);
    }
    if (this.last !== 'atom') {
      this.fail(`has "${operator}" with nothing to repeat${this.last === 'assertion' ? ' (an anchor or word boundary cannot be repeated here)' : ''}`);
    }
    this.emit(operator, 'repeat');
  }

  private openGroup(): void {
    const rest = this.pattern.slice(this.i);
    if (!rest.startsWith('(?')) {
      this.i++;
      this.depth++;
      this.emit('(', 'none');
      return;
    }
    const named = /^\(\?P?<([A-Za-z0-9_]+)>/.exec(rest);
    if (named) {
      if (this.groupNames.has(named[1])) {
        this.fail(`names two groups "${named[1]}", which RE2 rejects`);
      }
      this.groupNames.add(named[1]);
      this.i += named[0].length;
      this.depth++;
      this.emit('(?:', 'none');
      return;
    }
    if (rest.startsWith('(?:')) {
      this.i += 3;
      this.depth++;
      this.emit('(?:', 'none');
      return;
    }
    if (/^\(\?(=|!|<=|<!)/.test(rest)) {
      this.fail('uses a lookaround assertion ((?=, (?!, (?<=, (?<!), which RE2 does not support');
    }
    if (/^\(\?[-imsU]+[:)]/.test(rest)) {
      this.fail('uses a flag group such as (?i) or (?s:…), which the analyzer does not evaluate; spell the alternatives out, e.g. [Gg][Ee][Tt] instead of (?i)get');
    }
    this.fail(`has an invalid or unsupported group "${rest.slice(0, 4)}" (RE2 has no atomic groups, comments or conditionals)`);
  }

  private escape(): void {
    const p = this.pattern;
    if (this.i + 1 >= p.length) {
      this.fail('ends with a lone backslash');
    }
    const c = String.fromCodePoint(p.codePointAt(this.i + 1) as number);
    this.i += 1 + c.length;
    switch (c) {
      case 'A':
        this.emit('^', 'assertion');
        return;
      case 'z':
        this.emit('$', 'assertion');
        return;
      case 'b':
      case 'B':
        this.emit(`\\${c}`, 'assertion');
        return;
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        this.emit(`\\${c}`, 'atom');
        return;
      case 's':
        this.emit(`[${RE2_SPACE}]`, 'atom');
        return;
      case 'S':
        this.emit(`[^${RE2_SPACE}]`, 'atom');
        return;
      case 'Q': {
        const end = p.indexOf('\\E', this.i);
        const text = end < 0 ? p.slice(this.i) : p.slice(this.i, end);
        this.i = end < 0 ? p.length : end + 2;
        for (const ch of text) {
          this.emit(literal(ch), 'atom');
        }
        return;
      }
      default:
        this.emit(this.characterEscape(c, false), 'atom');
    }
  }

  /** An escape that denotes one character (or a class-like escape inside brackets), as JavaScript source. */
  private characterEscape(c: string, inClass: boolean): string {
    switch (c) {
      case 'a':
        return '\\x07';
      case 'f':
      case 't':
      case 'n':
      case 'r':
      case 'v':
        return `\\${c}`;
      case 'x':
        return this.hexEscape();
      case 'p':
      case 'P':
        return this.fail('uses a Unicode class (\\p…), which the analyzer does not evaluate; use explicit ranges');
      case 'C':
        return this.fail('uses \\C (any byte), which the analyzer does not evaluate');
      case 'Z':
        return this.fail('uses \\Z, which RE2 does not support (use \\z or $)');
      default:
    }
    if (/[0-9]/.test(c)) {
      return this.fail(`uses \\${c}: RE2 has no backreferences, and the analyzer does not evaluate octal escapes`);
    }
    if (/[A-Za-z]/.test(c) || c.codePointAt(0)! > 0x7f) {
      return this.fail(`uses the escape \\${c}, which RE2 does not know`);
    }
    // Escaped ASCII punctuation is the character itself.
    return inClass ? classLiteral(c) : literal(c);
  }

  private hexEscape(): string {
    const p = this.pattern;
    const braced = /^\{([0-9A-Fa-f]{1,8})\}/.exec(p.slice(this.i));
    if (braced) {
      this.i += braced[0].length;
      const value = parseInt(braced[1], 16);
      if (value > 0x10ffff) {
        this.fail(`has the escape \\x{${braced[1]}} beyond the last Unicode code point`);
      }
      return `\\u{${value.toString(16)}}`;
    }
    const short = /^[0-9A-Fa-f]{2}/.exec(p.slice(this.i));
    if (!short) {
      this.fail('has an invalid \\x escape (expected two hex digits or \\x{…})');
    }
    this.i += 2;
    return `\\x${short[0]}`;
  }

  private characterClass(): void {
    const p = this.pattern;
    this.i++; // [
    let negated = false;
    if (p[this.i] === '^') {
      negated = true;
      this.i++;
    }
    let body = '';
    let first = true;
    // Each item is a single character (as a code point, for range checks) or a class-like escape.
    let previous: number | undefined;
    let pendingRange = false;
    for (;;) {
      if (this.i >= p.length) {
        this.fail('has an unclosed "["');
      }
      const c = String.fromCodePoint(p.codePointAt(this.i) as number);
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      if (c === '[' && p[this.i + 1] === ':') {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(this.i));
        if (!posix || !(posix[2] in ASCII_CLASSES)) {
          this.fail(`has an unknown character class name "${(posix ?? [p.slice(this.i, this.i + 10)])[0]}"`);
        }
        if (posix[1]) {
          this.fail(`uses the negated class ${posix[0]} inside brackets, which the analyzer does not evaluate`);
        }
        if (pendingRange) {
          this.fail(`has a range that ends in the class ${posix[0]}`);
        }
        this.i += posix[0].length;
        body += ASCII_CLASSES[posix[2]];
        previous = undefined;
        continue;
      }
      if (c === '-' && previous !== undefined && !pendingRange && p[this.i + 1] !== ']') {
        pendingRange = true;
        this.i++;
        body += '-';
        continue;
      }
      let point: number | undefined;
      let text: string;
      if (c === '\\') {
        if (this.i + 1 >= p.length) {
          this.fail('ends with a lone backslash');
        }
        const e = String.fromCodePoint(p.codePointAt(this.i + 1) as number);
        this.i += 1 + e.length;
        if ('dDwW'.includes(e)) {
          text = `\\${e}`;
        } else if (e === 's') {
          text = RE2_SPACE;
        } else if (e === 'S') {
          this.fail('uses \\S inside brackets, which the analyzer does not evaluate; write the class out');
        } else {
          const start = this.i;
          text = this.characterEscape(e, true);
          point = escapedPoint(e, p.slice(start, this.i));
        }
      } else {
        this.i += c.length;
        point = c.codePointAt(0);
        text = classLiteral(c);
      }
      if (pendingRange) {
        if (point === undefined || previous === undefined) {
          this.fail('has a range whose end is a class such as \\d, which RE2 rejects');
        }
        if (point < previous) {
          this.fail(`has the invalid range ${String.fromCodePoint(previous)}-${String.fromCodePoint(point)} (end before start)`);
        }
        pendingRange = false;
        previous = undefined;
      } else {
        previous = point;
      }
      body += text;
    }
    if (body === '') {
      this.fail('has an empty character class');
    }
    this.emit(`[${negated ? '^' : ''}${body}]`, 'atom');
  }
}

/** The code point an escape inside brackets stands for (undefined for class-like escapes). */
function escapedPoint(letter: string, following: string): number | undefined {
  const simple: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
  if (letter in simple) {
    return simple[letter];
  }
  if (letter === 'x') {
    const hex = /^\{?([0-9A-Fa-f]+)\}?/.exec(following);
    return hex ? parseInt(hex[1], 16) : undefined;
  }
  return letter.codePointAt(0);
}

/** A character as a literal in a JavaScript `u` pattern. */
function literal(c: string): string {
  return JS_SYNTAX.has(c) ? `\\${c}` : c;
}

/** A character as a literal inside a JavaScript `u` character class. */
function classLiteral(c: string): string {
  return JS_CLASS_SYNTAX.has(c) ? `\\${c}` : c;
}
