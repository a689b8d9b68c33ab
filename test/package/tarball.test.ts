// The npm tarball holds what users need and nothing that cannot work outside the repository (issue 14, item
// 6). Checked by pattern, so a new source file or doc does not break the test.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { packedLibrary, PackedLibrary } from './support/packed-library';

// jsii and npm pack on a copy of the repository: ~30 s on an idle machine, once per change (cached).
jest.setTimeout(15 * 60_000);

/** What may be in the tarball: each file must match one of these. */
const ALLOWED: ReadonlyArray<[string, RegExp]> = [
  ['the package manifest', /^package\.json$/],
  ['the readme, licence and API reference', /^(README\.md|LICENSE|API\.md)$/],
  ['the jsii assembly (for other languages)', /^\.jsii$/],
  ['the compiled library and its types', /^lib\/.+\.(js|d\.ts)$/],
  ['the CLI', /^bin\/cdk8s-zero-trust$/],
  ['the documentation', /^docs\/.+\.md$/],
  ['the bundled dependencies', /^node_modules\/(yaml|ipaddr\.js|commander)\//],
];

let packed: PackedLibrary;
beforeAll(async () => {
  packed = await packedLibrary();
});

describe('the npm tarball', () => {
  test('holds only what users need', () => {
    const unexpected = packed.files.filter(f => !ALLOWED.some(([, pattern]) => pattern.test(f)));
    expect(unexpected).toEqual([]);
  });

  test.each([
    'package.json', 'README.md', 'LICENSE', 'API.md', '.jsii', 'bin/cdk8s-zero-trust',
    'lib/index.js', 'lib/index.d.ts', 'lib/testing/index.js', 'lib/testing/index.d.ts', 'lib/cli/main.js',
    'docs/ARCHITECTURE.md', 'docs/ANALYSIS.md', 'docs/dialects/cilium.md',
  ])('holds %s', file => {
    expect(packed.files).toContain(file);
  });

  test.each(ALLOWED)('holds %s', (_what, pattern) => {
    expect(packed.files.some(f => pattern.test(f))).toBe(true);
  });

  test.each([
    ['the examples, which import ../../src', /^examples\//],
    ['the benchmark and import scripts', /^scripts\//],
    ['the sources and tests', /^(src|test)\//],
    ['the derived vendor schemas (the tests\' input)', /^imports\//],
    ['CI\'s scripts', /^\.ci\//],
  ])('leaves out %s', (_what, pattern) => {
    expect(packed.files.filter(f => pattern.test(f))).toEqual([]);
  });

  test('depends on no cdk8s-plus package, in its manifest or its types', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(packed.dir, 'package.json'), 'utf8'));
    const declared = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap(k => Object.keys(manifest[k] ?? {}));
    expect(declared.filter(d => d.startsWith('cdk8s-plus'))).toEqual([]);
    const types = packed.files.filter(f => f.startsWith('lib/') && f.endsWith('.d.ts'));
    const mentioning = types.filter(f => /from ['"]cdk8s-plus/.test(fs.readFileSync(path.join(packed.dir, f), 'utf8')));
    expect(mentioning).toEqual([]);
  });

  test('is the file npm pack lists', () => {
    const listed = execFileSync('tar', ['-tzf', packed.tarball], { encoding: 'utf8' }).split('\n').filter(Boolean)
      .map(f => f.replace(/^package\//, '')).sort();
    expect(listed).toEqual([...packed.files].sort());
  });
});
