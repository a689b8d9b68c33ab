import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { readmeFiles, readmeTypeScriptBlocks } from './helpers/readme-snippets';
import { expectValidManifests } from './helpers/schema';
import { main } from '../src/cli/main';

const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf-8');
const files = readmeFiles(readme);
const apps = files.filter(f => !f.name.endsWith('.test.ts'));

/** The snippet with the package's imports pointed at the sources (inside this repository the package is src/). */
function againstSources(code: string, dir: string): string {
  const src = (sub: string) => JSON.stringify(path.relative(dir, path.join(root, 'src', sub)).split(path.sep).join('/') || '.');
  return code.replace(/from 'cdk8s-zero-trust\/lib\/testing'/g, `from ${src('testing')}`).replace(/from 'cdk8s-zero-trust'/g, `from ${src('')}`);
}

/** The objects a snippet's app writes, read back from its output folder. */
function synthesizedBy(file: string): any[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
  process.env.CDK8S_OUTDIR = outdir;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.isolateModules(() => require(file));
    return fs.readdirSync(outdir).filter(f => f.endsWith('.k8s.yaml')).sort()
      .flatMap(f => parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf-8')).map(d => d.toJS()).filter(o => o));
  } finally {
    delete process.env.CDK8S_OUTDIR;
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('README code', () => {
  // The snippets are written next to the tests, so that they resolve cdk8s and cdk8s-plus from node_modules.
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(root, 'test', '.readme-'));
    for (const f of files) fs.writeFileSync(path.join(dir, f.name), againstSources(f.code, dir));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('is all in files of an app: every TypeScript block names its file, once', () => {
    expect(readmeTypeScriptBlocks(readme).filter(code => !/^\/\/ [\w.-]+\.ts\b/.test(code))).toEqual([]);
    expect(new Set(files.map(f => f.name)).size).toBe(files.length);
    expect(files.map(f => f.name)).toEqual(expect.arrayContaining(['main.ts', 'main.test.ts', 'cdk8s-plus.ts']));
  });

  test('type-checks against the library, strictly', () => {
    const program = ts.createProgram(files.map(f => path.join(dir, f.name)), {
      strict: true,
      noUnusedLocals: true,
      skipLibCheck: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      types: ['node', 'jest'],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program)
      .map(d => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(diagnostics).toEqual([]);
  });

  test.each(apps.map(f => [f.name]))('%s synthesizes, into manifests that validate against the vendors\' schemas', name => {
    const objs = synthesizedBy(path.join(dir, name));
    expect(objs.length).toBeGreaterThan(0);
    // cdk8s-plus's own objects (Deployments, ServiceAccounts) are not this library's output.
    expectValidManifests(objs.filter(o => o.apiVersion !== 'v1' && o.apiVersion !== 'apps/v1'));
  });

  test('write-once.ts synthesizes on its other engine too (MESH=ambient: Istio ambient on Cilium), into valid manifests', () => {
    process.env.MESH = 'ambient';
    try {
      const objs = synthesizedBy(path.join(dir, 'write-once.ts'));
      expect(objs.some(o => o.apiVersion.startsWith('security.istio.io/'))).toBe(true);
      expectValidManifests(objs);
    } finally {
      delete process.env.MESH;
    }
  });

  test('the quick start writes the five NetworkPolicies the README names', () => {
    const objs = synthesizedBy(path.join(dir, 'main.ts'));
    expect(objs.map(o => `${o.kind} ${o.metadata.name}`)).toEqual(['default-deny', 'allow-dns', 'web-to-api-ingress', 'web-to-api-egress-shop', 'api-to-db-egress']
      .map(n => `NetworkPolicy ${n}`));
    const prose = /`cdk8s synth` \(or `npx ts-node main.ts`\) writes five NetworkPolicies: ([\s\S]*?)\. The test suite/.exec(readme)?.[1];
    expect([...(prose ?? '').matchAll(/`([\w-]+)`/g)].map(m => m[1])).toEqual(objs.map(o => o.metadata.name));
  });
});

describe('README reachability section', () => {
  // The README shows the Kubernetes output of the production example, as the examples task writes it.
  const DIST = 'dist/examples/production/kubernetes/production.k8s.yaml';
  let synthesized = '';

  beforeAll(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { example } = require('../examples/production/app');
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-policies-'));
    const app = new App({ outdir });
    example.build(app, example.engines.kubernetes());
    app.synth();
    synthesized = fs.readFileSync(path.join(outdir, 'production.k8s.yaml'), 'utf-8');
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  const run = async (argv: string[]) => {
    let out = '';
    const readFile = (f: string) => (f === DIST ? synthesized : fs.readFileSync(path.join(root, f), 'utf-8'));
    const code = await main(argv, { stdout: t => { out += t; }, stderr: () => undefined, readFile, env: {} });
    return { code, out };
  };
  const block = (lang: string, after: string) => new RegExp(`${after}[\\s\\S]*?\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];

  test('shows the mermaid matrix the CLI prints for the production example', async () => {
    const { code, out } = await run(['reach', '--cluster', 'examples/production/cluster.yaml', '--policies', DIST, '--format', 'mermaid']);
    expect(code).toBe(0);
    expect(block('mermaid', '## Reachability')).toBe(out);
  });

  test('shows the explain session the CLI prints for a denied flow', async () => {
    const { code, out } = await run(['explain', '--cluster', 'examples/production/cluster.yaml', '--policies', DIST,
      '--from', 'production/frontend-7d9f8', '--to', 'production/redis-0', '--port', '6379', '--protocol', 'TCP']);
    expect(code).toBe(0);
    const shown = block('', 'Why is a flow denied\\?')!.split('\n').filter(l => !l.startsWith('$ ') && !l.startsWith('    --')).join('\n');
    expect(shown).toBe(out);
  });
});
