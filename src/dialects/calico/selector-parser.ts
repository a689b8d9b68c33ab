// A parser for Calico selector expressions that mirrors projectcalico/calico
// libcalico-go/lib/selector: tokenizer/tokenizer.go (tokens, whitespace,
// quoting without escapes, operator keywords recognised by prefix right after a
// label) and parser/parser.go (precedence || < && < !, leading "!" collapsed,
// `{}` sets with an optional trailing comma, empty input = all()).
// It reads what the Calico renderer writes and hand-written selectors alike.
import { CalicoSelectorNode } from './selector-ast';

/** A selector the Calico API server would reject. */
export class CalicoSelectorSyntaxError extends Error {
  constructor(readonly selector: string, readonly reason: string) {
    super(`invalid Calico selector ${JSON.stringify(selector)}: ${reason}`);
    this.name = 'CalicoSelectorSyntaxError';
  }
}

type TokenKind =
  | 'label' | 'string' | 'lbrace' | 'rbrace' | 'comma' | 'eq' | 'ne' | 'in' | 'not' | 'notIn'
  | 'contains' | 'startsWith' | 'endsWith' | 'all' | 'has' | 'lparen' | 'rparen' | 'and' | 'or' | 'global' | 'eof';

interface Token {
  readonly kind: TokenKind;
  readonly value?: string;
}

const WHITESPACE = /^[ \t]*/;

/** Calico's findIdentifier: the leading run of [A-Za-z0-9_./-], or '' when the run reaches the end of input. */
function findIdentifier(input: string): string {
  for (let i = 0; i < input.length; i++) {
    if (!/[A-Za-z0-9_./-]/.test(input[i])) return input.slice(0, i);
  }
  return '';
}

/** Splits a selector into tokens exactly as Calico's tokenizer does. */
export function tokenizeSelector(selector: string): Token[] {
  const fail = (reason: string): never => {
    throw new CalicoSelectorSyntaxError(selector, reason);
  };
  const tokens: Token[] = [];
  let input = selector;
  for (;;) {
    const startLength = input.length;
    input = input.replace(WHITESPACE, '');
    if (input.length === 0) {
      tokens.push({ kind: 'eof' });
      return tokens;
    }
    const last = tokens.length ? tokens[tokens.length - 1].kind : undefined;
    const c = input[0];
    if (c === '(' || c === ')' || c === '{' || c === '}' || c === ',') {
      tokens.push({ kind: ({ '(': 'lparen', ')': 'rparen', '{': 'lbrace', '}': 'rbrace', ',': 'comma' } as const)[c] });
      input = input.slice(1);
    } else if (c === '"' || c === '\'') {
      const end = input.indexOf(c, 1);
      if (end < 0) fail('unterminated string');
      tokens.push({ kind: 'string', value: input.slice(1, end) });
      input = input.slice(end + 1);
    } else if (c === '=') {
      if (input[1] !== '=') fail('expected ==');
      tokens.push({ kind: 'eq' });
      input = input.slice(2);
    } else if (c === '!') {
      if (input[1] === '=') {
        tokens.push({ kind: 'ne' });
        input = input.slice(2);
      } else {
        tokens.push({ kind: 'not' });
        input = input.slice(1);
      }
    } else if (c === '&' || c === '|') {
      if (input[1] !== c) fail(`expected ${c}${c}`);
      tokens.push({ kind: c === '&' ? 'and' : 'or' });
      input = input.slice(2);
    } else if (last === 'label') {
      // Right after a label only an operator word may follow; Calico matches them by prefix.
      const expectingOperator = `unexpected characters after label '${tokens[tokens.length - 1].value}', was expecting an operator`;
      if (input.startsWith('contains')) {
        tokens.push({ kind: 'contains' });
        input = input.slice('contains'.length);
      } else if (input.startsWith('starts') || input.startsWith('ends') || input.startsWith('not')) {
        const word = input.startsWith('starts') ? 'starts' : input.startsWith('ends') ? 'ends' : 'not';
        input = input.slice(word.length).replace(WHITESPACE, '');
        const next = word === 'not' ? 'in' : 'with';
        if (!input.startsWith(next)) fail(expectingOperator);
        tokens.push({ kind: word === 'starts' ? 'startsWith' : word === 'ends' ? 'endsWith' : 'notIn' });
        input = input.slice(next.length);
      } else if (input.startsWith('in')) {
        tokens.push({ kind: 'in' });
        input = input.slice(2);
      } else {
        fail(expectingOperator);
      }
    } else if (input.startsWith('has(')) {
      input = input.slice(4).replace(WHITESPACE, '');
      const ident = findIdentifier(input);
      if (ident === '') fail('no label name in has( expression');
      input = input.slice(ident.length).replace(WHITESPACE, '');
      if (!input.startsWith(')')) fail('no closing \')\' after has(');
      tokens.push({ kind: 'has', value: ident });
      input = input.slice(1);
    } else if (input.startsWith('all(') || input.startsWith('global(')) {
      const word = input.startsWith('all(') ? 'all' : 'global';
      input = input.slice(word.length + 1).replace(WHITESPACE, '');
      if (!input.startsWith(')')) fail(`no closing ')' after ${word}(`);
      tokens.push({ kind: word });
      input = input.slice(1);
    } else {
      const ident = findIdentifier(input);
      if (ident === '') fail('unexpected characters');
      tokens.push({ kind: 'label', value: ident });
      input = input.slice(ident.length);
    }
    if (input.length >= startLength) fail('infinite loop detected in tokenizer');
  }
}

/**
 * Parses a Calico selector into a tree (not normalized: `a == 'x' && b == 'y'`
 * gives one `and` with two terms, as Calico's parser does). An empty or
 * blank selector is `all()`.
 * @throws CalicoSelectorSyntaxError for anything Calico would reject
 */
export function parseCalicoSelector(selector: string): CalicoSelectorNode {
  const tokens = tokenizeSelector(selector);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (reason: string): never => {
    throw new CalicoSelectorSyntaxError(selector, reason);
  };

  const parseOr = (): CalicoSelectorNode => {
    const terms = [parseAnd()];
    while (peek().kind === 'or') {
      pos++;
      terms.push(parseAnd());
    }
    return terms.length === 1 ? terms[0] : { op: 'or', terms };
  };
  const parseAnd = (): CalicoSelectorNode => {
    const terms = [parseOperation()];
    while (peek().kind === 'and') {
      pos++;
      terms.push(parseOperation());
    }
    return terms.length === 1 ? terms[0] : { op: 'and', terms };
  };
  const parseOperation = (): CalicoSelectorNode => {
    let negated = false;
    while (peek().kind === 'not') {
      negated = !negated;
      pos++;
    }
    const t = peek();
    let node: CalicoSelectorNode;
    switch (t.kind) {
      case 'has': pos++; node = { op: 'has', key: t.value! }; break;
      case 'all': pos++; node = { op: 'all' }; break;
      case 'global': pos++; node = { op: 'global' }; break;
      case 'label': node = parseComparison(); break;
      case 'lparen': {
        pos++;
        node = parseOr();
        if (peek().kind !== 'rparen') fail('expected )');
        pos++;
        break;
      }
      case 'eof': return fail('unexpected end of string looking for op');
      default: return fail(`unexpected token ${t.kind}${t.value !== undefined ? ` (${JSON.stringify(t.value)})` : ''}`);
    }
    return negated ? { op: 'not', term: node } : node;
  };
  const parseComparison = (): CalicoSelectorNode => {
    const label = tokens[pos].value!;
    const op = tokens[pos + 1];
    if (op.kind === 'eof') fail('unexpected end of string looking for op');
    pos += 2;
    switch (op.kind) {
      case 'eq': case 'ne': case 'contains': case 'startsWith': case 'endsWith': {
        const lit = peek();
        if (lit.kind !== 'string') fail('expected string');
        pos++;
        const kind = op.kind === 'eq' ? 'eq' : op.kind === 'ne' ? 'ne' : op.kind;
        return { op: kind, key: label, value: lit.value! };
      }
      case 'in': case 'notIn': {
        if (peek().kind !== 'lbrace') fail('expected set literal');
        pos++;
        const values: string[] = [];
        while (peek().kind === 'string') {
          values.push(peek().value!);
          pos++;
          if (peek().kind !== 'comma') break;
          pos++;
        }
        if (peek().kind !== 'rbrace') fail('expected }');
        pos++;
        return { op: op.kind, key: label, values: [...new Set(values)].sort() };
      }
      default:
        return fail(`expected == or != after label '${label}', got ${op.kind}`);
    }
  };

  if (peek().kind === 'eof') return { op: 'all' };
  const root = parseOr();
  if (peek().kind !== 'eof') fail(`unexpected content at end of selector (${peek().kind})`);
  return root;
}
