import * as fc from 'fast-check';
import { labelSelectorNode } from '../../../src/dialects/calico/label-selector';
import { CalicoSelector } from '../../../src/dialects/calico/selector';
import {
  CalicoSelectorNode, evaluateSelector, normalizeSelector, renderSelector,
} from '../../../src/dialects/calico/selector-ast';
import { CalicoSelectorSyntaxError, parseCalicoSelector, tokenizeSelector } from '../../../src/dialects/calico/selector-parser';
import { labelSelector, LabelRequirementModel, selectorMatches } from '../../../src/model';
import { errorOf } from '../../helpers/synth';

/** Parses a rendered selector and returns its canonical tree. */
const reparsed = (s: CalicoSelector) => normalizeSelector(parseCalicoSelector(s.toString()));

describe('CalicoSelector', () => {
  test.each<[string, () => CalicoSelector, string]>([
    ['all()', () => CalicoSelector.all(), 'all()'],
    ['equality', () => CalicoSelector.equalTo('app', 'web'), "app == 'web'"],
    ['inequality', () => CalicoSelector.notEqualTo('app', 'web'), "app != 'web'"],
    ['a set, sorted and de-duplicated', () => CalicoSelector.isIn('tier', ['b', 'a', 'b']), "tier in {'a', 'b'}"],
    ['a negated set', () => CalicoSelector.isNotIn('tier', ['a']), "tier not in {'a'}"],
    ['presence', () => CalicoSelector.has('example.com/team'), 'has(example.com/team)'],
    ['absence', () => CalicoSelector.notHas('canary'), '!has(canary)'],
    ['a conjunction', () => CalicoSelector.allOf(CalicoSelector.equalTo('app', 'web'), CalicoSelector.notHas('canary')), "app == 'web' && !has(canary)"],
    ['a conjunction without terms', () => CalicoSelector.allOf(), 'all()'],
    ['a conjunction of all()s', () => CalicoSelector.allOf(CalicoSelector.all(), CalicoSelector.all()), 'all()'],
    ['nested conjunctions, flattened', () => CalicoSelector.allOf(CalicoSelector.has('a'), CalicoSelector.allOf(CalicoSelector.has('b'), CalicoSelector.all())), 'has(a) && has(b)'],
  ])('renders %s', (_, make, expected) => {
    const s = make();
    expect(s.toString()).toBe(expected);
    expect(reparsed(s)).toEqual(s._node);
  });

  describe('quoting: a value can never change the structure of the expression', () => {
    test.each([
      ["it's", 'app == "it\'s"'],
      ['say "hi"', 'app == \'say "hi"\''],
      ["x' || has(admin) || a == 'y", 'app == "x\' || has(admin) || a == \'y"'],
      ['a, b} || all() && {', "app == 'a, b} || all() && {'"],
      ['', "app == ''"],
      ['  spaced  out  ', "app == '  spaced  out  '"],
      ['!has(x)', "app == '!has(x)'"],
    ])('%j is written as one string literal', (value, expected) => {
      const s = CalicoSelector.equalTo('app', value);
      expect(s.toString()).toBe(expected);
      const parsed = parseCalicoSelector(s.toString());
      expect(parsed).toEqual({ op: 'eq', key: 'app', value });
    });

    test('throws for a value holding both quote characters, which no Calico literal can hold', () => {
      const msg = errorOf(() => CalicoSelector.equalTo('app', 'it\'s "x"'));
      expect(msg).toContain('invalid label value of CalicoSelector.equalTo()');
      expect(msg).toContain('got "it\'s \\"x\\""');
      expect(msg).toContain('no escape sequences');
      expect(msg).toContain('Fix:');
    });

    test.each([['a\nb'], ['tab\there'], ['nul\u0000']])('throws for the control character in %j', (value) => {
      expect(errorOf(() => CalicoSelector.isIn('app', ['ok', value]))).toContain('without control characters');
    });

    test.each([
      ['app name'], ["app'"], ['app==x'], ['a&&b'], ['has(x)'], [''], ['-leading'], ['UPPER.example.com/x'],
    ])('throws for the label key %j (keys are never quoted)', (key) => {
      const msg = errorOf(() => CalicoSelector.has(key));
      expect(msg).toContain('invalid label key of CalicoSelector.has()');
      expect(msg).toContain('Calico never quotes keys');
    });

    test('accepts prefixed Kubernetes label keys', () => {
      expect(CalicoSelector.equalTo('app.kubernetes.io/name', 'web').toString()).toBe("app.kubernetes.io/name == 'web'");
    });

    test('throws for empty sets, which would match nothing (in) or everything (not in)', () => {
      expect(errorOf(() => CalicoSelector.isIn('app', []))).toContain('use CalicoSelector.has()');
      expect(errorOf(() => CalicoSelector.isNotIn('app', []))).toContain('use CalicoSelector.notHas()');
    });

    test('throws for something that is not a selector inside allOf()', () => {
      expect(errorOf(() => CalicoSelector.allOf('app == "x"' as any))).toContain('expected a CalicoSelector');
    });
  });
});

describe('the Calico selector parser mirrors libcalico-go', () => {
  test.each<[string, CalicoSelectorNode]>([
    ['', { op: 'all' }],
    ['  \t ', { op: 'all' }],
    ['all()', { op: 'all' }],
    ['all( )', { op: 'all' }],
    ['global()', { op: 'global' }],
    ['has( a/b )', { op: 'has', key: 'a/b' }],
    ['a=="x"', { op: 'eq', key: 'a', value: 'x' }],
    ["a in {'x',}", { op: 'in', key: 'a', values: ['x'] }],
    ['a not   in {}', { op: 'notIn', key: 'a', values: [] }],
    ["a contains 'x'", { op: 'contains', key: 'a', value: 'x' }],
    ["a starts  with 'x'", { op: 'startsWith', key: 'a', value: 'x' }],
    ["a ends with 'x'", { op: 'endsWith', key: 'a', value: 'x' }],
    ['!!has(a)', { op: 'has', key: 'a' }],
    ['!!!has(a)', { op: 'not', term: { op: 'has', key: 'a' } }],
    ["!a == 'x'", { op: 'not', term: { op: 'eq', key: 'a', value: 'x' } }],
    ['has(a) || has(b) && has(c)', { op: 'or', terms: [{ op: 'has', key: 'a' }, { op: 'and', terms: [{ op: 'has', key: 'b' }, { op: 'has', key: 'c' }] }] }],
    ['(has(a) || has(b)) && has(c)', { op: 'and', terms: [{ op: 'or', terms: [{ op: 'has', key: 'a' }, { op: 'has', key: 'b' }] }, { op: 'has', key: 'c' }] }],
    ["a == 'it\\'", { op: 'eq', key: 'a', value: 'it\\' }],
  ])('parses %j', (text, expected) => {
    expect(normalizeSelector(parseCalicoSelector(text))).toEqual(normalizeSelector(expected));
  });

  test.each([
    ["a == 'x", 'unterminated string'],
    ['a = "x"', 'expected =='],
    ['has(a) & has(b)', 'expected &&'],
    ["a is 'x'", 'was expecting an operator'],
    ["a not 'x'", 'was expecting an operator'],
    ['has()', 'no label name in has('],
    ['has(a', 'no label name in has('],
    ['all(x)', "no closing ')' after all("],
    ['a == b && has(c)', 'expected string'],
    ["a in 'x'", 'expected set literal'],
    ["a in {'x' 'y'}", 'expected }'],
    ["(a == 'x'", 'expected )'],
    ["a == 'x' b == 'y'", 'unexpected content at end'],
    ["'x' == a ", 'unexpected token string'],
    // Calico's findIdentifier returns nothing for a key that runs to the end of the input.
    ['a', 'unexpected characters'],
    ["'x' == a", 'unexpected characters'],
    ["a == 'x'\n", 'unexpected characters'],
  ])('rejects %j (%s), as Calico does', (text, reason) => {
    const e = (() => {
      try {
        parseCalicoSelector(text);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(CalicoSelectorSyntaxError);
    expect((e as Error).message).toContain(reason);
  });

  test('keeps string literals verbatim: there are no escape sequences', () => {
    expect(tokenizeSelector("a == 'x\\' && b == 'y'")).toEqual([
      { kind: 'label', value: 'a' }, { kind: 'eq' }, { kind: 'string', value: 'x\\' }, { kind: 'and' },
      { kind: 'label', value: 'b' }, { kind: 'eq' }, { kind: 'string', value: 'y' }, { kind: 'eof' },
    ]);
  });
});

// ---- property-based: render → parse is the identity, and meaning is preserved

const KEYS = ['app', 'tier', 'a.b/c', 'example.com/team', 'in', 'has', 'all', 'not', 'contains'];
/** Hostile values: quotes of one kind, spaces, operators, braces, commas, keywords. */
const hostileValue = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', ' ', "'", '=', '!', '&', '|', '{', '}', ',', '(', ')', 'in', 'has(', 'all()'), maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('a', '"', ' ', '=', '|', '}', 'not in', '&&'), maxLength: 12 }),
  fc.constantFrom('web', 'db', ''),
);
const keyArb = fc.constantFrom(...KEYS);

const leafArb: fc.Arbitrary<CalicoSelector> = fc.oneof(
  fc.constant(CalicoSelector.all()),
  fc.tuple(keyArb, hostileValue).map(([k, v]) => CalicoSelector.equalTo(k, v)),
  fc.tuple(keyArb, hostileValue).map(([k, v]) => CalicoSelector.notEqualTo(k, v)),
  fc.tuple(keyArb, fc.array(hostileValue, { minLength: 1, maxLength: 3 })).map(([k, v]) => CalicoSelector.isIn(k, v)),
  fc.tuple(keyArb, fc.array(hostileValue, { minLength: 1, maxLength: 3 })).map(([k, v]) => CalicoSelector.isNotIn(k, v)),
  keyArb.map(k => CalicoSelector.has(k)),
  keyArb.map(k => CalicoSelector.notHas(k)),
);
const selectorArb: fc.Arbitrary<CalicoSelector> = fc.oneof(
  leafArb,
  fc.array(leafArb, { maxLength: 4 }).map(xs => CalicoSelector.allOf(...xs)),
  fc.array(fc.array(leafArb, { maxLength: 3 }).map(xs => CalicoSelector.allOf(...xs)), { maxLength: 3 }).map(xs => CalicoSelector.allOf(...xs)),
);
const labelsArb = fc.dictionary(keyArb, fc.oneof(hostileValue, fc.constantFrom('web', 'db')), { maxKeys: 4 });

/** A tree of the full grammar (|| and ! included), to check the renderer's parenthesization. */
const treeArb: fc.Arbitrary<CalicoSelectorNode> = fc.letrec<{ node: CalicoSelectorNode }>(tie => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb.map(s => s._node),
    fc.record({ op: fc.constant('not' as const), term: tie('node') }),
    fc.record({ op: fc.constantFrom('and' as const, 'or' as const), terms: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
  ),
})).node;

describe('rendered selectors (property-based)', () => {
  test('parse back to exactly the selector that was built, hostile values included', () => {
    fc.assert(fc.property(selectorArb, s => {
      expect(reparsed(s)).toEqual(s._node);
    }), { numRuns: 500 });
  });

  test('a value holding both quote characters is always rejected, never rendered', () => {
    fc.assert(fc.property(hostileValue, hostileValue, (a, b) => {
      const value = `${a}'${b}"`;
      expect(() => CalicoSelector.equalTo('app', value)).toThrow(/no escape sequences/);
    }), { numRuns: 100 });
  });

  test('trees with ||, ! and nesting keep their meaning through render and parse', () => {
    fc.assert(fc.property(treeArb, labelsArb, (tree, labels) => {
      const text = renderSelector(tree);
      const back = parseCalicoSelector(text);
      expect(normalizeSelector(back)).toEqual(normalizeSelector(tree));
      expect(evaluateSelector(back, labels)).toBe(evaluateSelector(tree, labels));
    }), { numRuns: 500 });
  });

  test('a Kubernetes label selector means the same in Calico (NotIn and DoesNotExist hold for absent keys)', () => {
    const k8sKey = fc.constantFrom('app', 'tier', 'example.com/team');
    const k8sValue = fc.constantFrom('web', 'db', 'x');
    const requirement: fc.Arbitrary<LabelRequirementModel> = fc.oneof(
      fc.record({ key: k8sKey, operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.uniqueArray(k8sValue, { minLength: 1 }) }),
      fc.record({ key: k8sKey, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const), values: fc.constant([]) }),
    );
    fc.assert(fc.property(
      fc.dictionary(k8sKey, k8sValue, { maxKeys: 2 }), fc.array(requirement, { maxLength: 3 }), fc.dictionary(k8sKey, k8sValue, { maxKeys: 3 }),
      (matchLabels, exprs, podLabels) => {
        const model = labelSelector(matchLabels, exprs);
        const parsed = parseCalicoSelector(renderSelector(labelSelectorNode(model)));
        expect(evaluateSelector(parsed, podLabels)).toBe(selectorMatches(model, podLabels));
      },
    ), { numRuns: 500 });
  });
});
