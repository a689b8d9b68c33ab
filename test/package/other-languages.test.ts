// The jsii targets (issue 14, item 5): jsii-pacmak generates the Python, Java, .NET and Go code of the
// constructs, and the Python wheel is built offline with the python3, pip, setuptools and wheel this machine
// has (no index is consulted: --no-index, --no-build-isolation). Java, .NET and Go are generated, not
// built: their builds need their package registries (Maven Central, NuGet, the Go proxy), which CI does not
// reach. What stays TypeScript-only (the matchers, the analyzer API) is checked to be absent from the
// generated Python.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packedLibrary, PackedLibrary, ROOT } from './support/packed-library';

jest.setTimeout(15 * 60_000);

let packed: PackedLibrary;
let out: string;

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
  } catch (e: any) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd} (exit ${e.status}):\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** Every file below a folder, relative to it. */
function walk(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap(e => (e.isDirectory() ? walk(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

/** The first python3 that has setuptools and wheel: the PATH's, else Debian's (python3-setuptools, python3-wheel). */
function pythonWithWheel(): string {
  const candidates = ['python3', '/usr/bin/python3'];
  for (const python of candidates) {
    try {
      execFileSync(python, ['-c', 'import setuptools, wheel'], { stdio: 'pipe' });
      return python;
    } catch {
      // try the next one
    }
  }
  throw new Error(`none of ${candidates.join(', ')} has setuptools and wheel; install Debian's python3-setuptools and python3-wheel`);
}

beforeAll(async () => {
  packed = await packedLibrary();
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-pacmak-'));
  run(path.join(ROOT, 'node_modules', '.bin', 'jsii-pacmak'), [
    '--code-only', '--no-npmignore', '--no-fingerprint', '-t', 'python', '-t', 'java', '-t', 'dotnet', '-t', 'go', '-o', out, packed.dir,
  ], packed.dir);
});

afterAll(() => {
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

describe('jsii-pacmak', () => {
  test.each([
    ['python', 'src/cdk8s_zero_trust/__init__.py'],
    ['java', 'src/main/java/dev/cdk8szerotrust/AllowFrom.java'],
    ['dotnet', 'Cdk8sZeroTrust/Cdk8sZeroTrust/AllowFrom.cs'],
    ['go', 'cdk8szerotrust/AllowFrom.go'],
  ])('generates the %s code of the constructs', (target, file) => {
    expect(fs.existsSync(path.join(out, target, file))).toBe(true);
  });

  test('generates the same public surface in every language (the constructs, engines and cdk8s-plus interop)', () => {
    const python = fs.readFileSync(path.join(out, 'python', 'src', 'cdk8s_zero_trust', '__init__.py'), 'utf8');
    for (const name of ['AllowFrom', 'DefaultDeny', 'ZeroTrustNamespace', 'MeshMigration', 'Engine', 'IPodSelectorSource']) {
      expect(python).toContain(`class ${name}(`);
    }
    expect(python).toContain('def from_pod_selector(');
    const java = walk(path.join(out, 'java', 'src', 'main', 'java', 'dev', 'cdk8szerotrust')).filter(f => f.endsWith('.java'));
    const go = walk(path.join(out, 'go', 'cdk8szerotrust')).filter(f => f.endsWith('.go') && !f.includes('__'));
    expect(java).toEqual(expect.arrayContaining(['ZeroTrustNamespace.java', 'MeshMigration.java', 'Engine.java']));
    expect(go).toEqual(expect.arrayContaining(['ZeroTrustNamespace.go', 'MeshMigration.go', 'Engine.go']));
  });

  test('leaves the TypeScript-only parts (matchers, analyzer) out of the other languages', () => {
    const python = fs.readFileSync(path.join(out, 'python', 'src', 'cdk8s_zero_trust', '__init__.py'), 'utf8');
    // (The module's docstring is the README, which shows the TypeScript matchers; only definitions count.)
    const defined = [...python.matchAll(/^\s*(?:class|def) (\w+)/gm)].map(m => m[1]);
    expect(defined).toContain('AllowFrom');
    for (const name of ['zero_trust_matchers', 'to_allow', 'to_deny', 'check_flow', 'ReachabilityAnalyzer', 'evaluate']) expect(defined).not.toContain(name);
  });
});

describe('the Python wheel', () => {
  let wheel: string;
  let listing: string[];
  beforeAll(() => {
    const python = pythonWithWheel();
    const dist = path.join(out, 'wheel');
    // Offline: no index, and the build requirements are the installed setuptools and wheel.
    run(python, ['-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '--no-index', '--disable-pip-version-check', '-w', dist, '.'], path.join(out, 'python'));
    const wheels = fs.readdirSync(dist).filter(f => f.endsWith('.whl'));
    expect(wheels).toHaveLength(1);
    wheel = path.join(dist, wheels[0]);
    listing = run(python, ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', wheel], out).split('\n').filter(Boolean);
  });

  test('builds offline, as a pure-Python wheel named after the distribution', () => {
    expect(path.basename(wheel)).toMatch(/^cdk8s_zero_trust-\d+\.\d+\.\d+-py3-none-any\.whl$/);
  });

  test('holds the module, its typing marker and the jsii assembly it loads', () => {
    expect(listing).toEqual(expect.arrayContaining(['cdk8s_zero_trust/__init__.py', 'cdk8s_zero_trust/py.typed']));
    expect(listing.some(f => /^cdk8s_zero_trust\/_jsii\/cdk8s-zero-trust@.+\.jsii\.tgz$/.test(f))).toBe(true);
  });

  test('installs the CLI as a command for Python users', () => {
    expect(listing.some(f => /\.data\/scripts\/cdk8s-zero-trust$/.test(f))).toBe(true);
  });

  test('declares the jsii runtime and the cdk8s packages it needs, and no cdk8s-plus', () => {
    const metadata = listing.find(f => f.endsWith('.dist-info/METADATA'))!;
    const text = run(pythonWithWheel(), ['-c', 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())', wheel, metadata], out);
    const requires = text.split('\n').filter(l => l.startsWith('Requires-Dist: ')).map(l => l.slice('Requires-Dist: '.length).split(/[ <>=]/)[0]);
    expect(requires).toEqual(expect.arrayContaining(['cdk8s', 'constructs', 'jsii']));
    expect(requires.filter(r => r.startsWith('cdk8s-plus'))).toEqual([]);
  });

  test('is valid Python throughout', () => {
    const python = pythonWithWheel();
    run(python, ['-m', 'compileall', '-q', path.join(out, 'python', 'src')], out);
  });
});
