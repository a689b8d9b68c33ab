import * as fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';
import { fastParseYaml } from '../../../src/analysis/parse/fast-yaml';
import { kubectlStyleYaml } from '../support/yaml-emitter';

// The fast reader must either decline (undefined) or produce exactly what the `yaml` library produces.

function reference(text: string): { ok: true; values: unknown[] } | { ok: false } {
  const documents = parseAllDocuments(text, { uniqueKeys: true, logLevel: 'error' });
  const docs = Array.isArray(documents) ? documents : [documents];
  if (docs.some((doc) => doc.errors.length > 0)) {
    return { ok: false };
  }
  try {
    return { ok: true, values: docs.map((doc) => doc.toJS({ maxAliasCount: 1000 })) };
  } catch {
    return { ok: false };
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
    ['a tab', 'a:\t1\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
  ])('declines %s', (_title, text) => {
    expect(fastParseYaml(text)).toBeUndefined();
  });

  test.each([
    ['a kubectl list', 'apiVersion: v1\nitems:\n- kind: Pod\n  metadata:\n    labels:\n      app: web\n    name: web-1\n  spec:\n    containers:\n    - ports:\n      - containerPort: 8080\n        protocol: TCP\nkind: List\n',
      [{ apiVersion: 'v1', items: [{ kind: 'Pod', metadata: { labels: { app: 'web' }, name: 'web-1' }, spec: { containers: [{ ports: [{ containerPort: 8080, protocol: 'TCP' }] }] } }], kind: 'List' }]],
    ['a literal annotation', 'metadata:\n  annotations:\n    last-applied: |\n      {"a": 1}\n\n      x\n  name: n\n', [{ metadata: { annotations: { 'last-applied': '{"a": 1}\n\nx\n' }, name: 'n' } }]],
    ['comments and separators', '# head\n---\na: 1 # one\n---\n# empty\n---\nb: "x" # two\n', [{ a: 1 }, null, { b: 'x' }]],
  ])('reads %s', (_title, text, expected) => {
    expect(agreesWithReference(text)).toEqual(expected);
  });
});

describe('fast YAML reader regressions', () => {
  test('declines a quoted key followed by ":" without a space, which block YAML does not read as a mapping', () => {
    expect(fastParseYaml('"d\\"q":x')).toBeUndefined();
    expect(fastParseYaml('"d\\"q": x')).toEqual([{ 'd"q': 'x' }]);
    expect(agreesWithReference('"d\\"q":x')).toBeUndefined();
  });
});
