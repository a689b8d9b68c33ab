import * as fs from 'fs';
import { CLUSTER, fixture, POLICIES, runCli } from './support/run-cli';
import { main } from '../../src/cli/main';

const REACH = ['reach', '--cluster', CLUSTER, '--policies', POLICIES];
const EXPLAIN = ['explain', '--cluster', CLUSTER, '--policies', POLICIES, '--port', '80'];

/** Asserts a user error: exit 2, nothing on stdout, one line on stderr matching `message`, no stack trace. */
function expectUserError(run: { code: number; stdout: string; stderr: string }, message: RegExp | string): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  if (typeof message === 'string') {
    expect(run.stderr).toBe(`${message}\n`);
  } else {
    expect(run.stderr).toMatch(message);
  }
}

describe('user errors: exit 2 and one line on stderr', () => {
  test('fails on a missing policy file, naming it', async () => {
    expectUserError(await runCli(['reach', '--cluster', CLUSTER, '--policies', 'nope.yaml']), 'error: cannot read policy file nope.yaml: no such file');
  });

  test('fails on a missing cluster file, naming it', async () => {
    expectUserError(await runCli(['reach', '--cluster', 'missing/cluster.yaml', '--policies', POLICIES]),
      'error: cannot read cluster file missing/cluster.yaml: no such file');
  });

  test('fails on a directory given as a file', async () => {
    expectUserError(await runCli(['lint', '--policies', fixture('')]), /^error: cannot read policy file .*: it is a directory/);
  });

  test('fails on invalid YAML with file, document, line and column', async () => {
    const files = { 'bad.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n---\nmetadata: [unclosed\n' };
    expectUserError(await runCli(['reach', '--cluster', CLUSTER, '--policies', 'bad.yaml'], { files }),
      /^error: bad\.yaml, document 2: line \d+, column \d+: invalid YAML: /);
  });

  test('fails on an unknown kind in the policies, naming file, document and kind', async () => {
    const files = { 'deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\n' };
    expectUserError(await runCli(['reach', '--cluster', CLUSTER, '--policies', 'deploy.yaml'], { files }),
      /^error: deploy\.yaml, document 1: kind: .*got kind Deployment \(apps\/v1\)/);
  });

  test('--ignore-other-kinds skips objects that are not policies', async () => {
    const files = { 'mixed.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\n---\n${fs.readFileSync(POLICIES, 'utf8')}` };
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', 'mixed.yaml', '--port', '80', '--format', 'json', '--ignore-other-kinds'], { files });
    expect(run.code).toBe(0);
  });

  test('fails on a policy file given as the cluster', async () => {
    expectUserError(await runCli(['reach', '--cluster', POLICIES, '--policies', POLICIES]),
      /^error: .*policies\.yaml, document 1: kind: a cluster file holds Namespace, Pod, Service, ServiceAccount, Gateway objects .*got kind NetworkPolicy/);
  });

  test('fails on an invalid policy field, naming the object and the field', async () => {
    const files = { 'p.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p, namespace: x }\nspec:\n  ingres: []\n' };
    expectUserError(await runCli(['reach', '--cluster', CLUSTER, '--policies', 'p.yaml'], { files }),
      'error: p.yaml, document 1 (NetworkPolicy x/p): spec.ingres: unknown field "ingres"; did you mean "ingress"?');
  });

  test('fails on an unknown source or destination pod, listing the pods of its namespace', async () => {
    expectUserError(await runCli([...EXPLAIN, '--from', 'production/nope', '--to', 'production/redis']),
      'error: source: unknown pod production/nope (pods in production: backend-api, frontend, redis)');
    expectUserError(await runCli([...EXPLAIN, '--from', 'production/redis', '--to', 'elsewhere/x']),
      'error: destination: unknown pod elsewhere/x (the cluster model has no pods in namespace elsewhere)');
  });

  test('fails on an invalid IP endpoint', async () => {
    expectUserError(await runCli([...EXPLAIN, '--from', '10.0.0.300', '--to', 'production/redis']), /^error: source: /);
  });

  test.each([
    ['0', /--port <number>' argument '0' is invalid\. expected a port number from 1 to 65535/],
    ['65536', /argument '65536' is invalid/],
    ['http', /argument 'http' is invalid/],
    ['80.5', /argument '80.5' is invalid/],
  ])('fails on --port %s', async (port, message) => {
    expectUserError(await runCli([...REACH, '--port', port]), message);
  });

  test('fails on an unknown --protocol', async () => {
    expectUserError(await runCli([...REACH, '--port', '80', '--protocol', 'ICMP']), /--protocol <protocol>' argument 'ICMP' is invalid\. expected one of TCP, UDP, SCTP/);
  });

  test('fails on an unknown --format', async () => {
    expectUserError(await runCli([...REACH, '--format', 'html']), /argument 'html' is invalid\. Allowed choices are text, json, markdown, mermaid/);
  });

  test('fails on a missing required option', async () => {
    expectUserError(await runCli(['reach', '--policies', POLICIES]), "error: required option '--cluster <file>' not specified");
    expectUserError(await runCli(['explain', '--cluster', CLUSTER, '--policies', POLICIES, '--to', 'c/d']),
      "error: required option '--from <endpoint>' not specified");
    expectUserError(await runCli(['lint']), "error: required option '--policies <files...>' not specified");
  });

  test('fails on an unknown command or option, suggesting the closest', async () => {
    expect(await runCli(['reech'])).toEqual({ code: 2, stdout: '', stderr: "error: unknown command 'reech'\n(Did you mean reach?)\n" });
    expect(await runCli([...REACH, '--protocl', 'TCP'])).toEqual({ code: 2, stdout: '', stderr: "error: unknown option '--protocl'\n(Did you mean --protocol?)\n" });
  });

  test('fails on stray arguments', async () => {
    expectUserError(await runCli(['reach', 'extra.yaml', '--cluster', CLUSTER, '--policies', POLICIES]), /^error: too many arguments for 'reach'/);
  });

  test('fails when explain is asked about one flow (--expect, --method, --mtls, --ip-family) without --port', async () => {
    const explain = ['explain', '--cluster', CLUSTER, '--policies', POLICIES, '--from', 'production/frontend', '--to', 'production/backend-api'];
    expectUserError(await runCli([...explain, '--expect', 'allowed']), 'error: --expect is about one flow: pass --port (and --protocol) too');
    expectUserError(await runCli([...explain, '--ip-family', 'IPv4']), 'error: --ip-family is about one flow: pass --port (and --protocol) too');
    expectUserError(await runCli([...explain, '--mtls']), 'error: --mtls is about one flow: pass --port (and --protocol) too');
  });

  test('fails on an unknown --skip rule in lint', async () => {
    expectUserError(await runCli(['lint', '--policies', POLICIES, '--skip', 'k8s-nope']), 'error: --skip: unknown rule k8s-nope; see --list-rules');
  });

  test('no command: the help on stderr and exit 2', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: cdk8s-zero-trust [options] [command]');
  });
});

describe('internal errors', () => {
  test('print a short line without a stack trace, and the stack with DEBUG set', async () => {
    // A readFile failing without an errno code is still reported as the file that cannot be read.
    let stderr = '';
    const io = {
      stdout: () => undefined,
      stderr: (text: string) => { stderr += text; },
      readFile: () => { throw new TypeError('boom'); },
      env: {},
    };
    expect(await main(['reach', '--cluster', CLUSTER, '--policies', POLICIES], io)).toBe(2);
    expect(stderr).toBe(`error: cannot read cluster file ${CLUSTER}: boom\n`);

    // An exception that is neither a user error nor a file error is a bug: short line, stack only with DEBUG.
    const failingStdout = { ...io, readFile: (file: string) => fs.readFileSync(file, 'utf8'), stdout: () => { throw new TypeError('stdout closed'); } };
    stderr = '';
    expect(await main(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--port', '80'], failingStdout)).toBe(70);
    expect(stderr).toBe('internal error: TypeError: stdout closed\nThis is a bug in cdk8s-zero-trust; set DEBUG=1 for the stack trace and report it.\n');

    stderr = '';
    expect(await main(['reach', '--cluster', CLUSTER, '--policies', POLICIES, '--port', '80'], { ...failingStdout, env: { DEBUG: '1' } })).toBe(70);
    expect(stderr).toMatch(/^internal error: TypeError: stdout closed\nTypeError: stdout closed\n\s+at /);
  });
});
