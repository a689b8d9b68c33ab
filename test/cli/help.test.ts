import * as fs from 'fs';
import * as path from 'path';
import { runCli } from './support/run-cli';

describe('--help and --version', () => {
  test('--version prints the package version', async () => {
    const version = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  test('--help lists the commands', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    for (const command of ['reach', 'explain', 'diff', 'lint', 'import']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command} \\[options\\]`, 'm'));
    }
  });

  test.each([
    ['reach', ['--cluster <file>', '--policies <files...>', '--port <number>', '--protocol <protocol>', '--format <format>', 'mermaid', 'JSON output:']],
    ['explain', ['--from <endpoint>', '--to <endpoint>', '--method <method>', '--path <path>', '--expect <verdict>', '--mtls']],
    ['diff', ['--before <files...>', '--after <files...>', '--fail-on-gain', 'markdown']],
    ['lint', ['--policies <files...>', '--strict', '--list-rules', '--skip <rule-ids...>', '--cluster <file>']],
    ['import', ['--cluster <file>', '--policies <files...>', '--out <dir>', '--engine <engine>', '--pod-cidr <cidr...>', '--implementation <name>', 'proves the app']],
  ])('%s --help shows its options and examples, on stdout with exit 0', async (command, expected) => {
    for (const args of [[command, '--help'], ['help', command]]) {
      const run = await runCli(args);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain(`Usage: cdk8s-zero-trust ${command} [options]`);
      for (const text of [...expected, 'Examples:']) {
        expect(run.stdout).toContain(text);
      }
    }
  });
});
