import * as fc from 'fast-check';
import { re2FullMatch, translateRe2 } from '../../../src/analysis/ir/re2-regex';

// The analyzer evaluates Cilium's HTTP regexes (Envoy: Google RE2, whole-string match) with
// JavaScript's RegExp after translating them. Reference: re2js, a port of RE2/J (RE2 syntax and
// semantics). For random RE2 patterns over the syntax where the two engines differ (`.`, `\s`,
// classes, `\Q…\E`, `\A`, `\z`, literal `]` `{` `}`, named groups, POSIX classes, hex escapes)
// and random strings over an alphabet with the characters they treat differently (`\r`, U+2028,
// `\v`), both must agree on every string.

interface Re2Js {
  RE2JS: { compile(re: string): { matches(input: string): boolean } };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RE2JS } = require('re2js') as Re2Js;

const ALPHABET = ['a', 'b', 'A', '1', '_', '/', '.', '?', '=', '-', ']', '{', ' ', '\t', '\n', '\r', '\v', '\u0007', '\u2028', 'é', '𝔸'];

const atom: fc.Arbitrary<string> = fc.constantFrom(
  'a', 'b', '1', '/', '-', '=', ' ', 'é', '𝔸', ']', '}', '{', '{,2}', 'a{,1}',
  '\\.', '\\?', '\\/', '\\-', '\\#', '\\]', '\\{', '\\}', '\\*', '\\\\',
  '.', '\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '\\x2F', '\\x{e9}', '\\x{1D538}', '\\n', '\\r', '\\t', '\\v', '\\f', '\\a',
  '[ab]', '[^a]', '[a-c]', '[^\\n]', '[[:alpha:]]', '[[:space:]]', '[[:punct:]]', '[[:word:]1]', '[\\d]', '[\\s]', '[\\d-z]', '[]a]', '[a-]', '[+--]',
  '[.?]', '[\\]]', '[\\-a]', '[^[:digit:]]', '[\\x{e9}-\\x{ff}]', '\\Q.?\\E', '\\Q]{\\E', '\\Qa',
);
const assertion = fc.constantFrom('^', '$', '\\A', '\\z', '\\b', '\\B');

const regex: fc.Arbitrary<string> = fc.letrec<{ re: string; piece: string }>((tie) => ({
  piece: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(fc.oneof(atom, tie('re').map((r) => `(${r})`), tie('re').map((r) => `(?:${r})`), tie('re').map((r) => `(?P<n>${r})`)),
      fc.constantFrom('*', '+', '?', '{2}', '{0,2}', '{1,}'), fc.constantFrom('', '?'))
      .map(([a, op, lazy]) => `${a}${op}${lazy}`),
    tie('re').map((r) => `(?:${r})`),
    assertion,
  ),
  re: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.array(tie('piece'), { minLength: 0, maxLength: 4 }).map((parts) => parts.join('')),
    fc.tuple(tie('re'), tie('re')).map(([a, b]) => `${a}|${b}`),
  ),
})).re;

const input = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 6 }).map((chars) => chars.join(''));

describe('RE2 regexes evaluated with JavaScript (whole-string match)', () => {
  test('agree with RE2 (re2js) on random patterns and strings, and refuse the patterns RE2 refuses', () => {
    fc.assert(fc.property(regex, fc.array(input, { minLength: 1, maxLength: 12 }), (pattern, strings) => {
      const translation = translateRe2(pattern);
      let reference: { matches(input: string): boolean };
      try {
        reference = RE2JS.compile(pattern);
      } catch {
        expect([pattern, translation]).toEqual([pattern, { problem: expect.any(String) }]); // invalid RE2 must not be evaluated
        return;
      }
      expect([pattern, translation]).toEqual([pattern, { javascript: expect.any(String) }]);
      for (const s of strings) {
        expect([pattern, s, re2FullMatch(pattern, s)]).toEqual([pattern, s, reference.matches(s)]);
      }
    }), { numRuns: 3000 });
  });

  test('match the whole value: a path regex is not a substring search, and :path includes the query string', () => {
    expect(['/public', '/public?a=1', '/x/public', '/public/'].map((p) => re2FullMatch('/public', p))).toEqual([true, false, false, false]);
    expect(['/public', '/public?a=1', '/publicx'].map((p) => re2FullMatch('/public(?:\\?.*)?', p))).toEqual([true, true, false]);
    expect(['GET', 'POST', 'GETX', 'XGET'].map((m) => re2FullMatch('GET|POST', m))).toEqual([true, true, false, false]);
  });

  test('. and \\s mean what RE2 says, not what JavaScript says', () => {
    expect(['\r', '\u2028', '\n'].map((c) => re2FullMatch('.', c))).toEqual([true, true, false]);
    expect(['\v', '\u00a0', '\f'].map((c) => re2FullMatch('\\s', c))).toEqual([false, false, true]);
  });

  test.each([
    ['(?=a)', /lookaround/],
    ['(?<!a)b', /lookaround/],
    ['(a)\\1', /no backreferences/],
    ['\\k<n>', /escape \\k/],
    ['(?i)get', /flag group/],
    ['(?s:.)', /flag group/],
    ['(?>a)', /atomic groups/],
    ['a**', /repeats a repetition/],
    ['a{2}{3}', /repeats a repetition/],
    ['*a', /nothing to repeat/],
    ['a{1001}', /more than 1000/],
    ['a{3,2}', /maximum below minimum/],
    ['(a', /unclosed "\("/],
    ['a)', /unmatched "\)"/],
    ['[a', /unclosed "\["/],
    ['[z-a]', /invalid range/],
    ['[a-\\d]', /range whose end is a class/],
    ['[[:nope:]]', /unknown character class name/],
    ['\\Z', /RE2 does not support/],
    ['\\pL', /Unicode class/],
    ['\\C', /any byte/],
    ['\\x{110000}', /beyond the last Unicode code point/],
    ['\\xZ1', /invalid \\x escape/],
    ['a\\', /lone backslash/],
  ])('rejects %s', (pattern, problem) => {
    const translation = translateRe2(pattern);
    expect(translation).toEqual({ problem: expect.stringMatching(problem) });
    expect(() => re2FullMatch(pattern, 'a')).toThrow(problem);
  });

  test('every pattern it rejects as invalid RE2 is invalid for re2js too', () => {
    for (const pattern of ['(?=a)', '(a)\\1', 'a**', '*a', 'a{1001}', '(a', 'a)', '[a', '[z-a]', '\\Z', '\\xZ1', 'a\\']) {
      expect(() => RE2JS.compile(pattern)).toThrow();
    }
  });
});
