import { parsePolicies } from '../../../src/analysis';
import { readGoYaml } from '../../../src/analysis/parse/go-yaml-reader';
import { formatFloat32g } from '../../../src/analysis/parse/go-yaml-scalar';
import { readManifestObjects } from '../../../src/analysis/parse/yaml-documents';

// Expected values are read off go-yaml v2.4.2 `resolve.go` (the resolve table, ParseInt(s, 0, 64) on
// the text without underscores, ParseUint, yamlStyleFloat, no base-60) and sigs.k8s.io/yaml's
// `convertToJSONableObject` (keys), not computed by the code under test.

/** The value kubectl sends for `a: <text>`, through both readers (block and flow style). */
function valueOf(text: string): unknown {
  const block = readManifestObjects(`a: ${text}\n`, 'v.yaml')[0].value as Record<string, unknown>;
  const flow = readGoYaml(`{a: ${text}}`)[0] as Record<string, unknown>;
  expect(flow.a).toEqual(block.a);
  return block.a;
}

function keyOf(text: string): string {
  const value = readManifestObjects(`${text}: x\n`, 'k.yaml')[0].value as Record<string, unknown>;
  return Object.keys(value)[0];
}

describe('YAML 1.1 scalars, as kubectl reads them', () => {
  test.each([
    ['0120', 80], ['-0120', -80], ['+0120', 80], ['0_120', 80], ['0o120', 80], ['0O120', 80], ['0b1010000', 80], ['0B1010000', 80],
    ['-0b1010000', -80], ['0x50', 80], ['0X50', 80], ['-0x50', -80], ['0x_50', 80], ['1_000', 1000], ['1__0', 10], ['1_', 1], ['-0', 0],
    ['00', 0], ['08', 8], ['09', 9], ['0128', 128], ['09.5', 9.5], ['80.0', 80], ['8e1', 80], ['1e3', 1000], ['1E3', 1000], ['1.', 1],
    ['.5', 0.5], ['+.5', 0.5], ['-.5', -0.5], ['.5_0', 0.5], ['0.1e1', 1], ['1_0.5', 10.5],
  ])('reads the plain scalar %s as the number %d', (text, expected) => {
    expect(valueOf(text)).toBe(expected);
  });

  test.each([
    ['y'], ['Y'], ['yes'], ['Yes'], ['YES'], ['on'], ['On'], ['ON'], ['true'], ['True'], ['TRUE'],
  ])('reads the plain scalar %s as true', (text) => {
    expect(valueOf(text)).toBe(true);
  });

  test.each([
    ['n'], ['N'], ['no'], ['No'], ['NO'], ['off'], ['Off'], ['OFF'], ['false'], ['False'], ['FALSE'],
  ])('reads the plain scalar %s as false', (text) => {
    expect(valueOf(text)).toBe(false);
  });

  test.each([['~'], ['null'], ['Null'], ['NULL'], ['']])('reads the plain scalar "%s" as null', (text) => {
    expect(valueOf(text)).toBeNull();
  });

  test.each([
    ['1:20'], ['190:20:30'], ['yEs'], ['oN'], ['tRUE'], ['nULL'], ['2001-12-14'], ['1e400'], ['._5'], ['0x'], ['0b2'], ['0o8'], ['0x1p3'], ['_1'],
    ['+.nan'], ['.iNf'], ['<<'], ['1.2.3'], ['80/TCP'],
  ])('reads the plain scalar %s as the string it is (no base 60, no timestamps, no out-of-range floats)', (text) => {
    expect(valueOf(text)).toBe(text);
  });

  test('reads quoted scalars and !!str as strings, and applies !!int and !!float', () => {
    expect(readGoYaml('a: "0120"\nb: \'yes\'\nc: !!str 0120\nd: !!int "0120"\ne: !!float 80\nf: !!bool "on"\n')[0])
      .toEqual({ a: '0120', b: 'yes', c: '0120', d: 80, e: 80, f: true });
  });

  test('reads an integer above int64 as a number (uint64 in go-yaml)', () => {
    expect(valueOf('12345678901234567890')).toBe(12345678901234567890);
  });

  test.each([['.inf'], ['-.Inf'], ['+.INF'], ['.NaN'], ['.nan']])('fails on %s, which kubectl cannot turn into JSON', (text) => {
    expect(() => readManifestObjects(`a: ${text}\n`, 'v.yaml')).toThrow(/^v\.yaml, document 1: line 1, column 4: ".*": (NaN|infinity) cannot be sent to the API server/);
  });

  test('fails on a tag the analyzer does not read, and on a value a standard tag refuses', () => {
    expect(() => readManifestObjects('a: !custom x\n', 'v.yaml')).toThrow(/the tag !custom is not read by the analyzer; remove it/);
    expect(() => readManifestObjects('a: !!int web\n', 'v.yaml')).toThrow(/cannot decode "web" as a !!int/);
  });
});

describe('YAML 1.1 keys, as kubectl turns them into JSON', () => {
  test.each([
    ['80', '80'], ['0120', '80'], ['0x50', '80'], ['0b1010000', '80'], ['yes', 'true'], ['off', 'false'], ['1.5', '1.5'], ['1e3', '1000'],
    ['1000000.0', '1e+06'], ['0.0001', '0.0001'], ['0.00001', '1e-05'], ['123456789.0', '1.2345679e+08'], ['0.1', '0.1'], ['.inf', '.inf'],
    ['-.inf', '-.inf'], ['.nan', '.nan'], ['-0', '0'], ['9223372036854775807', '9223372036854775807'], ['"0120"', '0120'], ['1:20', '1:20'],
    ['__proto__', '__proto__'], ['constructor', 'constructor'], ['"<<"', '<<'],
  ])('reads the key %s as "%s"', (text, expected) => {
    expect(keyOf(text)).toBe(expected);
  });

  test('formats float keys like Go\'s FormatFloat(f, \'g\', -1, 32)', () => {
    expect([1e21, 3.14159265, 100, 1e-7, -2.5, 65504.0].map(formatFloat32g)).toEqual(['1e+21', '3.1415927', '100', '1e-07', '-2.5', '65504']);
  });

  test('fails on a null key and on a key above int64, which kubectl cannot turn into JSON', () => {
    expect(() => readManifestObjects('~: x\n', 'k.yaml')).toThrow(/a null key cannot be converted to JSON/);
    expect(() => readManifestObjects('12345678901234567890: x\n', 'k.yaml')).toThrow(/above the int64 range/);
  });

  test('fails on two keys that are the same once resolved (80 and 0120; yes and true)', () => {
    expect(() => readManifestObjects('a:\n  80: x\n  0120: y\n', 'k.yaml')).toThrow(/line 3, column 3: the key "80" is given twice in one mapping/);
    expect(() => readManifestObjects('{yes: 1, true: 2}', 'k.yaml')).toThrow(/the key "true" is given twice/);
  });

  test('keeps __proto__ and constructor as own keys of objects without a prototype', () => {
    for (const text of ['labels:\n  __proto__: x\n  constructor: c\n', 'labels: {__proto__: x, constructor: c}\n']) {
      const labels = (readManifestObjects(text, 'k.yaml')[0].value as { labels: Record<string, string> }).labels;
      expect(Object.getPrototypeOf(labels)).toBeNull();
      expect(Object.entries(labels)).toEqual([['__proto__', 'x'], ['constructor', 'c']]);
    }
  });
});

describe('merge keys and aliases, as go-yaml v2 reads them', () => {
  test('writes a merged map where << stands: it overrides the keys before it, the keys after it override it', () => {
    expect(readGoYaml('base: &b {a: 1, b: 2}\nm:\n  a: 0\n  <<: *b\n  b: 3\n')[0]).toEqual({ base: { a: 1, b: 2 }, m: { a: 1, b: 3 } });
  });

  test('merges a sequence of maps with the earlier ones taking precedence', () => {
    expect(readGoYaml('p: &p {a: 1}\nq: &q {a: 2, b: 2}\nm:\n  <<: [*p, *q]\n')[0]).toEqual({ p: { a: 1 }, q: { a: 2, b: 2 }, m: { a: 1, b: 2 } });
  });

  test('fails on a merge of something that is not a map', () => {
    expect(() => readGoYaml('m:\n  <<: 1\n')).toThrow(/the merge key << needs a mapping/);
  });
});

describe('numbers in policies, end to end', () => {
  const policy = (port: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  podSelector: {}
  ingress:
  - ports:
    - port: ${port}
`;

  test.each([['0120', 80], ['0b1010000', 80], ['0x50', 80], ['80.0', 80], ['1_0', 10]])('reads port: %s as port %d', (text, port) => {
    const [read] = parsePolicies({ file: 'p.yaml', text: policy(text) });
    expect(read.ingress?.rules[0].ports).toEqual([{ protocol: 'TCP', port }]);
  });

  test('fails on a JSON port written 80.0, which the API server refuses for an integer field', () => {
    const json = JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web' }, spec: { ingress: [{ ports: [{ port: 1 }] }] } })
      .replace('"port":1', '"port":80.0');
    expect(() => parsePolicies({ file: 'p.json', text: json })).toThrow(
      /^p\.json, document 1: line 1, column \d+: the number 80\.0 is written with a fraction or an exponent; .*: write 80$/);
  });

  test('fails on a key given twice in JSON, which JSON.parse would resolve silently', () => {
    expect(() => parsePolicies({ file: 'p.json', text: '{"kind": "NetworkPolicy", "kind": "Pod"}' })).toThrow(/line 1, column 27: the key "kind" is given twice in one object/);
  });
});
