import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLUSTER, POLICIES } from './support/run-cli';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The real bin script, run by node in a process of its own. lib/ is only built by the full compile,
 * so the script runs from a temporary package whose lib/cli/main.js loads src/cli/main.ts through
 * ts-node (transpile only): what is tested is the bin file itself — its require path, its promise
 * handling and its exit code.
 */
describe('bin/cdk8s-zero-trust', () => {
  jest.setTimeout(60_000);
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-zero-trust-bin-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.mkdirSync(path.join(dir, 'lib', 'cli'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'bin', 'cdk8s-zero-trust'), path.join(dir, 'bin', 'cdk8s-zero-trust'));
    fs.writeFileSync(path.join(dir, 'lib', 'cli', 'main.js'), [
      `require(${JSON.stringify(require.resolve('ts-node', { paths: [ROOT] }))}).register({ transpileOnly: true, project: ${JSON.stringify(path.join(ROOT, 'tsconfig.json'))} });`,
      `module.exports = require(${JSON.stringify(path.join(ROOT, 'src', 'cli', 'main.ts'))});`,
    ].join('\n'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[]) => spawnSync(process.execPath, [path.join(dir, 'bin', 'cdk8s-zero-trust'), ...args], { encoding: 'utf8', cwd: ROOT });

  test('prints the JSON pair list and exits 0', () => {
    const result = run(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--port', '8080', '--protocol', 'TCP', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toContainEqual(['production/frontend', 'production/backend-api']);
  });

  test('exits 2 with one line on stderr for a user error', () => {
    const result = run(['reach', '--cluster', 'missing.yaml', '--policies', POLICIES]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('error: cannot read cluster file missing.yaml: no such file\n');
  });
});
