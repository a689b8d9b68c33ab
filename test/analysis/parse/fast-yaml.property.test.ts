import * as fc from 'fast-check';
import { stringify } from 'yaml';
import { fastParseYaml } from '../../../src/analysis/parse/fast-yaml';
import { GoYamlError, readGoYaml } from '../../../src/analysis/parse/go-yaml-reader';
import { kubectlStyleYaml } from '../support/yaml-emitter';

// The fast reader must either decline (undefined) or produce exactly what the reference reader
// (`readGoYaml`: the `yaml` library's syntax, go-yaml v2's scalars and keys) produces.

function reference(text: string): { ok: true; values: unknown[] } | { ok: false } {
  try {
    return { ok: true, values: readGoYaml(text) };
  } catch (error) {
    if (error instanceof GoYamlError) {
      return { ok: false };
    }
    throw error;
  }
}

function agreesWithReference(text: string): unknown[] | undefined {
  const fast = fastParseYaml(text);
  const expected = reference(text);
  if (fast !== undefined) {
    expect(expected).toEqual({ ok: true, values: fast });
  }
  return fast;
}

const keyArb = fc.oneof(fc.constantFrom('name', 'app.kubernetes.io/name', 'k8s-app', 'port', 'a b', 'x:y', '1', 'true', 'null', '-dash', ''), fc.string({ maxLength: 6 }));
const scalarArb = fc.oneof(
  fc.constantFrom('web', 'http://x:80/a', 'a # b', '#c', '- x', '|', '>', '&a', '*a', '!t', '{}', '[]', 'yes', 'on', '0o17', '0x1F', '1e3', '.inf', '-.Inf', '.NaN', '~', 'Null', '007', '-0', '+5', '1.', '.5', "it's", 'a\tb', 'multi\nline', '   padded  ', ''),
  fc.string({ maxLength: 8 }),
  fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
);
const valueArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarArb,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(keyArb, tie('value'), { maxKeys: 3 }),
  ),
})).value;

describe('fast YAML reader', () => {
  test('reads kubectl-style output exactly like the yaml library, and never declines it', () => {
    fc.assert(fc.property(fc.array(fc.dictionary(keyArb, valueArb, { maxKeys: 4 }), { minLength: 1, maxLength: 3 }), (documents) => {
      const text = documents.map(kubectlStyleYaml).join('---\n');
      const fast = agreesWithReference(text);
      const hasNestedSequence = /^\s*- -/m.test(text);
      if (!hasNestedSequence) {
        expect(fast).toBeDefined();
      }
    }), { numRuns: 500 });
  }, 60_000);

  test.each([
    ['default options', {}],
    ['double-quoted strings', { defaultStringType: 'QUOTE_DOUBLE' as const }],
    ['single-quoted strings and keys', { defaultStringType: 'QUOTE_SINGLE' as const, defaultKeyType: 'QUOTE_SINGLE' as const }],
    ['literal block scalars', { blockQuote: 'literal' as const, lineWidth: 20 }],
    ['indented sequences', { indentSeq: true, indent: 4 }],
    ['flow collections', { collectionStyle: 'flow' as const }],
  ])('reads the yaml library\'s own output with %s exactly, or declines it', (_title, options) => {
    fc.assert(fc.property(valueArb, (value) => {
      agreesWithReference(stringify(value, options));
    }), { numRuns: 300 });
  }, 60_000);

  test('declines or agrees on arbitrary line soups, including invalid YAML', () => {
    const token = fc.constantFrom('- ', 'key: ', 'a: ', '"q": ', "'s': ", 'x', '"d\\"q"', "'it''s'", '|', '|-', '|+', '>', '{}', '[]', '#c', ' #c', '1', 'true', '&a ', '*a', ':', '---', '? ', '%YAML', 'a:b', '- - ', '', '"unterminated', '\t');
    const line = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.array(token, { maxLength: 3 })).map(([indent, tokens]) => ' '.repeat(indent) + tokens.join(''));
    fc.assert(fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
      agreesWithReference(lines.join('\n'));
    }), { numRuns: 3000 });
  }, 60_000);

  test.each([
    ['an anchor and alias', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a folded scalar', 'a: >\n  x\n  y\n'],
    ['a multi-line plain scalar', 'a: x\n  y\n'],
    ['a flow mapping with content', 'a: { b: 1 }\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a merge key', 'a: &b { c: 1 }\nd:\n  <<: *b\n'],
    ['a plain merge key without an alias', 'd:\n  <<: {}\n'],
    ['a key given twice after resolution', 'a:\n  80: x\n  0120: y\n'],
    ['an infinite number', 'a: .inf\n'],
    ['a null key', '~: x\n'],
    ['a tab', 'a:\t1\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
  ])('declines %s', (_title, text) => {
    expect(fastParseYaml(text)).toBeUndefined();
  });

  test.each([
    ['a kubectl list', 'apiVersion: v1\nitems:\n- kind: Pod\n  metadata:\n    labels:\n      app: web\n    name: web-1\n  spec:\n    containers:\n    - ports:\n      - containerPort: 8080\n        protocol: TCP\nkind: List\n',
      [{ apiVersion: 'v1', items: [{ kind: 'Pod', metadata: { labels: { app: 'web' }, name: 'web-1' }, spec: { containers: [{ ports: [{ containerPort: 8080, protocol: 'TCP' }] }] } }], kind: 'List' }]],
    ['a literal annotation', 'metadata:\n  annotations:\n    last-applied: |\n      {"a": 1}\n\n      x\n  name: web\n', [{ metadata: { annotations: { 'last-applied': '{"a": 1}\n\nx\n' }, name: 'web' } }]],
    ['YAML 1.1 scalars and keys', 'a: 0120\nb: yes\nc: 1:20\n0x50: off\n"0x50": "0120"\n__proto__: p\nconstructor: c\n"<<": m\n',
      [{ 'a': 80, 'b': true, 'c': '1:20', '80': false, '0x50': '0120', ['__proto__']: 'p', 'constructor': 'c', '<<': 'm' }]],
    ['comments and separators', '# head\n---\na: 1 # one\n---\n# empty\n---\nb: "x" # two\n', [{ a: 1 }, null, { b: 'x' }]],
  ])('reads %s', (_title, text, expected) => {
    expect(agreesWithReference(text)).toEqual(expected);
  });
});

const scalarTextArb = fc.oneof(
  fc.constantFrom('0120', '0o120', '0O17', '0b1010000', '0B11', '0x50', '0X5f', '-0x50', '+0120', '1_000', '0_120', '08', '0128', '09.5', '1:20',
    '190:20:30', 'yes', 'Yes', 'YES', 'yEs', 'y', 'Y', 'n', 'N', 'on', 'On', 'oN', 'off', 'OFF', 'no', 'NO', 'true', 'True', 'tRUE', '~', 'null',
    'Null', 'nULL', '1e3', '1E3', '1.', '.5', '+.5', '-.5', '.5_0', '._5', '1e400', '80.0', '2001-12-14', '12345678901234567890',
    '9223372036854775808', '-9223372036854775809', '0x', '0b2', '0o8', '.inf', '-.Inf', '+.INF', '.NaN', '+.nan', '.iNf', '<<', '0x1p3', '1__0',
    '_1', '1_', '-0', '0.1e1', '1_0.5', '00', '-09', '1000000.0', '0.00001', '123456789.0', '0.1'),
  fc.stringMatching(/^[-+]?[0-9_.]{0,4}[eExXoObB]?[-+]?[0-9a-fA-F_.]{0,4}$/),
);

describe('fast YAML reader on YAML 1.1 scalars', () => {
  test('reads plain scalars and keys exactly like the reference reader, or declines them', () => {
    fc.assert(fc.property(fc.array(fc.tuple(scalarTextArb, scalarTextArb), { minLength: 1, maxLength: 4 }), (entries) => {
      const text = entries.map(([key, value], i) => `k${i}: ${value}\n${key}: ${value}\n- ${key}\n`.split('\n').slice(0, 2).join('\n')).join('\n');
      agreesWithReference(`${text}\n`);
      agreesWithReference(`${entries.map(([, value]) => `- ${value}`).join('\n')}\n`);
    }), { numRuns: 500 });
  });
});

describe('fast YAML reader regressions', () => {
  test('reads a quoted "<<" key, which is an ordinary key (a random seed once made the kubectl-style property decline it)', () => {
    expect(agreesWithReference('name:\n  "":\n    "<<": ""\n')).toEqual([{ name: { '': { '<<': '' } } }]);
  });

  test('declines a quoted key followed by ":" without a space, which block YAML does not read as a mapping', () => {
    expect(fastParseYaml('"d\\"q":x')).toBeUndefined();
    expect(fastParseYaml('"d\\"q": x')).toEqual([{ 'd"q': 'x' }]);
    expect(agreesWithReference('"d\\"q":x')).toBeUndefined();
  });
});
