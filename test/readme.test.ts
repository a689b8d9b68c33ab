import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { expectValidManifests } from './helpers/schema';
import { main } from '../src/cli/main';

const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf-8');
const quickStart = /## Quick start\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];

describe('README quick start', () => {
  test('exists', () => {
    expect(quickStart).toContain("from 'cdk8s-zero-trust'");
  });

  test('type-checks against the library and synthesizes what the README says, into valid manifests', () => {
    // The snippet imports the package by name; inside this repository that is src/.
    const dir = fs.mkdtempSync(path.join(root, 'test', '.readme-'));
    try {
      const file = path.join(dir, 'main.ts');
      fs.writeFileSync(file, quickStart!.replace("from 'cdk8s-zero-trust'", `from ${JSON.stringify(path.relative(dir, path.join(root, 'src')))}`));
      const program = ts.createProgram([file], { strict: true, skipLibCheck: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, types: ['node'] });
      const diagnostics = ts.getPreEmitDiagnostics(program).map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(diagnostics).toEqual([]);

      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
      process.env.CDK8S_OUTDIR = outdir;
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        jest.isolateModules(() => require(file));
      } finally {
        delete process.env.CDK8S_OUTDIR;
      }
      const objs = parseAllDocuments(fs.readFileSync(path.join(outdir, 'shop.k8s.yaml'), 'utf-8')).map(d => d.toJS());
      expect(objs.map(o => o.metadata.name)).toEqual(['default-deny', 'allow-dns', 'web-to-api-ingress', 'web-to-api-egress-shop', 'api-to-db-egress']);
      expectValidManifests(objs);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
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
