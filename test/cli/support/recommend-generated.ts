import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { CLUSTER } from './run-cli';
import { FlowFileReader, parseCluster } from '../../../src/analysis';
import { ObservedConnectionsReader } from '../../../src/importer/recommend/observed-connections';
import { runRecommend, RunRecommendOptions } from '../../../src/importer/recommend/run-recommend';

// The app and test `recommend` writes, for the suites that run them as a user would: the generated files are
// written next to the tests (so that they resolve cdk8s from node_modules) with the package's imports pointed at
// the sources. One app per test file: each file's module registry is its own (two apps loaded in one file share
// cdk8s' globals and break each other's matchers).
const root = path.join(__dirname, '..', '..', '..');

/** Runs recommend on a flow file against the CLI fixture cluster and writes the generated .ts files into a new folder. */
export function generate(flows: string, options: Partial<RunRecommendOptions>): { dir: string; files: string[] } {
  const cluster = parseCluster({ file: CLUSTER, text: fs.readFileSync(CLUSTER, 'utf8') });
  const reader = new ObservedConnectionsReader(cluster);
  const file = new FlowFileReader(flows, { flow: (f, n, l) => reader.flow(f, n, l), skipped: (r, l, lost) => reader.skipped(r, l, lost) });
  file.push(fs.readFileSync(flows));
  file.end();
  const run = runRecommend(cluster, reader.finish(), { engine: 'kubernetes', flowFile: path.basename(flows), ...options });
  const dir = fs.mkdtempSync(path.join(root, 'test', '.recommend-'));
  const src = (sub: string) => JSON.stringify(path.relative(dir, path.join(root, 'src', sub)).split(path.sep).join('/'));
  const files: string[] = [];
  for (const f of run.files.filter(x => x.path.endsWith('.ts'))) {
    const text = f.text.replace(/from 'cdk8s-zero-trust\/lib\/testing'/g, `from ${src('testing')}`).replace(/from 'cdk8s-zero-trust'/g, `from ${src('index')}`);
    fs.writeFileSync(path.join(dir, f.path), text);
    files.push(path.join(dir, f.path));
  }
  return { dir, files };
}

/** The strict type-check diagnostics of the generated files. */
export function typeCheck(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noUnusedLocals: true,
    skipLibCheck: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    types: ['node', 'jest'],
  });
  return ts.getPreEmitDiagnostics(program)
    .map(d => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}
