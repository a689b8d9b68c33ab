// The package as a user gets it (issue 14, items 2 and 3): the packed tarball installed into a project laid
// out like `cdk8s init typescript-app` (its tsconfig.json, jest.config.js and devDependencies, read from
// cdk8s-cli's template), with jest, ts-jest and @types/jest from the npm registry. The README's snippets are
// type-checked there with the template's own compiler settings (strict, lib es2016, no skipLibCheck) and
// run: the matcher test with jest, the apps with ts-node. Three set-ups: no cdk8s-plus at all, the line
// `cdk8s init` installs today (cdk8s-plus-33), and the oldest supported one (cdk8s-plus-28).
//
// Cost: the shared build (~30 s, cached), one npm install (~20 s with npm's cache warm; the first run on a
// machine downloads jest 29 and its dependencies), then a few seconds per step.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { readmeFile } from '../helpers/readme-snippets';
import { packedLibrary, PackedLibrary, ROOT } from './support/packed-library';

jest.setTimeout(15 * 60_000);

const TEMPLATE = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app');

let packed: PackedLibrary;
let app: string;

/** The environment of a command in the scratch project: this process's, without the outer jest's markers. */
function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
  for (const key of Object.keys(out)) if (key.startsWith('JEST_')) delete out[key];
  delete out.CDK8S_OUTDIR;
  return out;
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { cwd: app, encoding: 'utf8', stdio: 'pipe', env: env() });
  } catch (e: any) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${app} (exit ${e.status}):\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

const npm = (...args: string[]) => run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']);
const npx = (...args: string[]) => run('npx', ['--no-install', ...args]);

/** Writes README files into the project, replacing every other .ts file there. */
function useFiles(files: ReadonlyArray<{ name: string; code: string }>): void {
  for (const f of fs.readdirSync(app).filter(n => n.endsWith('.ts'))) fs.rmSync(path.join(app, f));
  for (const f of files) fs.writeFileSync(path.join(app, f.name), f.code);
}

/** Runs an app with ts-node, as `cdk8s synth` would, and returns the objects it wrote. */
function synth(file: string): any[] {
  const outdir = path.join(app, 'dist');
  fs.rmSync(outdir, { recursive: true, force: true });
  // Type-checked by tsc in its own test; here only run.
  npx('ts-node', '--transpile-only', file);
  return fs.readdirSync(outdir).filter(f => f.endsWith('.k8s.yaml'))
    .flatMap(f => parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map(d => d.toJS()).filter(o => o));
}

function installedPlusLines(): string[] {
  return fs.readdirSync(path.join(app, 'node_modules')).filter(n => n.startsWith('cdk8s-plus'));
}

beforeAll(async () => {
  packed = await packedLibrary();
  app = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-consumer-'));
  fs.copyFileSync(path.join(TEMPLATE, 'tsconfig.json'), path.join(app, 'tsconfig.json'));
  fs.copyFileSync(path.join(TEMPLATE, 'jest.config.js'), path.join(app, 'jest.config.js'));
  const template = JSON.parse(fs.readFileSync(path.join(TEMPLATE, 'package.json'), 'utf8'));
  // The template's devDependencies as they are, but cdk8s-cli (synth is done with ts-node here); cdk8s and
  // constructs at the library's own minimums; cdk8s-plus left to each set-up.
  const { 'cdk8s-cli': _cli, ...devDependencies } = template.devDependencies;
  const library = JSON.parse(fs.readFileSync(path.join(packed.dir, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
    name: 'consumer',
    version: '1.0.0',
    private: true,
    dependencies: {
      'cdk8s': library.peerDependencies.cdk8s,
      'constructs': library.peerDependencies.constructs,
      'cdk8s-zero-trust': `file:${packed.tarball}`,
    },
    devDependencies,
  }, null, 2));
  npm('install');
});

afterAll(() => {
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

describe('a cdk8s TypeScript app that installs the packed library', () => {
  describe('without cdk8s-plus', () => {
    test('gets no cdk8s-plus from the library', () => {
      expect(installedPlusLines()).toEqual([]);
    });

    test('type-checks the README\'s quick start and matcher test with the template\'s compiler settings', () => {
      useFiles([readmeFile('main.ts'), readmeFile('main.test.ts')]);
      npx('tsc', '--noEmit', '-p', '.');
    });

    test('runs the README\'s matcher test with jest and ts-jest', () => {
      useFiles([readmeFile('main.test.ts')]);
      // ts-jest type-checks the test file too; a failing or untyped matcher fails the run (and `run` throws).
      npx('jest', '--ci', '--json', '--outputFile', path.join(app, 'jest.json'));
      const report = JSON.parse(fs.readFileSync(path.join(app, 'jest.json'), 'utf8'));
      expect({ passed: report.numPassedTests, failed: report.numFailedTests }).toEqual({ passed: 1, failed: 0 });
    });

    test('synthesizes the README\'s quick start', () => {
      useFiles([readmeFile('main.ts')]);
      expect(synth('main.ts').map(o => `${o.kind} ${o.metadata.name}`)).toEqual(
        ['default-deny', 'allow-dns', 'web-to-api-ingress', 'web-to-api-egress-shop', 'api-to-db-egress'].map(n => `NetworkPolicy ${n}`));
    });

    test('has the CLI on its path', () => {
      expect(npx('cdk8s-zero-trust', '--version').trim()).toBe(JSON.parse(fs.readFileSync(path.join(packed.dir, 'package.json'), 'utf8')).version);
    });
  });

  describe.each([
    ['cdk8s-plus-33', 'the line cdk8s init installs'],
    ['cdk8s-plus-28', 'the oldest supported line'],
  ])('with %s (%s)', plus => {
    beforeAll(() => {
      for (const line of installedPlusLines()) npm('uninstall', line);
      npm('install', plus);
    });

    const snippet = () => {
      const file = readmeFile('cdk8s-plus.ts');
      return { name: file.name, code: file.code.replace(/'cdk8s-plus-33'/g, `'${plus}'`) };
    };

    test('installs only that line', () => {
      expect(installedPlusLines()).toEqual([plus]);
    });

    test('type-checks the README\'s cdk8s-plus snippet', () => {
      useFiles([snippet()]);
      expect(fs.readFileSync(path.join(app, 'cdk8s-plus.ts'), 'utf8')).toContain(`from '${plus}'`);
      npx('tsc', '--noEmit', '-p', '.');
    });

    test('synthesizes it: the policies select the Deployments\' pods by the labels Kubernetes uses for them', () => {
      useFiles([snippet()]);
      const objs = synth('cdk8s-plus.ts');
      const deployment = (id: string) => objs.find(o => o.kind === 'Deployment' && o.metadata.name.startsWith(`shop-${id}-`));
      const ingress = objs.find(o => o.kind === 'NetworkPolicy' && o.metadata.name === 'web-to-api-ingress');
      expect(ingress.spec.podSelector).toEqual({ matchLabels: deployment('api').spec.selector.matchLabels });
      expect(ingress.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: deployment('web').spec.selector.matchLabels } }]);
    });
  });
});
