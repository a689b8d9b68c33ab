import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from './support/run-cli';

// docs/RECOMMEND.md stays true: its example, run from the repository root, prints every line the page
// shows (a line cut with … is compared up to the cut) and writes the main.ts and main.test.ts lines it quotes.
const root = path.join(__dirname, '..', '..');
const page = fs.readFileSync(path.join(root, 'docs', 'RECOMMEND.md'), 'utf8');

describe('docs/RECOMMEND.md', () => {
  let cwd: string;
  let dir: string;
  beforeAll(() => {
    cwd = process.cwd();
    process.chdir(root);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-recommend-docs-'));
  });
  afterAll(() => {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the fixture example prints the lines the page shows and writes the code it quotes', async () => {
    const block = /\$ cdk8s-zero-trust (recommend [^\n]*\\\n[^\n]*)\n([\s\S]*?)\n\$ cd recommended/.exec(page);
    expect(block).not.toBeNull();
    const out = path.join(dir, 'recommended');
    const args = block![1].replace(/\\\n/, ' ').trim().split(/\s+/).map(a => (a === 'recommended' ? out : a));
    const run = await runCli(args);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const printed = run.stdout.replace(new RegExp(out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'), 'recommended').split('\n');
    const shown = block![2].split('\n').filter(l => l.trim() !== '' && l.trim() !== '…');
    expect(shown.length).toBeGreaterThan(20);
    const missing = shown.filter((line) => {
      const cut = line.indexOf('…');
      return cut < 0 ? !printed.includes(line) : !printed.some(p => p.startsWith(line.slice(0, cut)));
    });
    expect(missing).toEqual([]);
    const main = fs.readFileSync(path.join(out, 'main.ts'), 'utf8');
    const tests = fs.readFileSync(path.join(out, 'main.test.ts'), 'utf8');
    const quoted = [...page.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]);
    expect(quoted).toHaveLength(2);
    for (const line of quoted[0].split('\n').filter(l => l.trim() !== '' && !l.startsWith('// …'))) expect(main).toContain(line);
    for (const line of quoted[1].split('\n').filter(l => l.trim() !== '')) expect(tests).toContain(line.replace(/;\s*\/\/.*$/, ';'));
  });
});
