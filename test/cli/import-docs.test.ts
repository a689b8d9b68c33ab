import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from './support/run-cli';

// docs/IMPORT.md stays true: its example command, run from the repository root, prints the proof
// lines the page shows and writes the main.ts lines of its excerpt.

const root = path.join(__dirname, '..', '..');
const page = fs.readFileSync(path.join(root, 'docs', 'IMPORT.md'), 'utf8');

describe('docs/IMPORT.md', () => {
  let cwd: string;
  let dir: string;
  beforeAll(() => {
    cwd = process.cwd();
    process.chdir(root);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-import-docs-'));
  });
  afterAll(() => {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the seed example prints the proof the page shows and writes the lines of its excerpt', async () => {
    const command = /\$ node bin\/cdk8s-zero-trust (import [^\n]*\\\n[^\n]*)\n/.exec(page)?.[1];
    expect(command).toBeDefined();
    const args = command!.replace(/\\\n/, ' ').trim().split(/\s+/).map(a => (a === '/tmp/seed-app' ? path.join(dir, 'seed-app') : a));
    const run = await runCli(args);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const shown = page.slice(page.indexOf(command!) + command!.length).split('```')[0].trim().split('\n');
    const printed = run.stdout.trim().split('\n');
    expect(printed.slice(0, 2)).toEqual(shown.slice(0, 2));

    const excerpt = /<!-- import-docs:seed -->\n```\n([\s\S]*?)```/.exec(page)?.[1];
    expect(excerpt).toBeDefined();
    expect(fs.readFileSync(path.join(dir, 'seed-app', 'main.ts'), 'utf8')).toContain(excerpt!);
  });
});
