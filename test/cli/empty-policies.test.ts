import { CLUSTER, POLICIES, runCli } from './support/run-cli';

// A policy file with no object at all is an error, not "no policies": `git show origin/main:p.yaml >
// before.yaml` that fails leaves an empty --before, and read as no policies it would hide every
// gain from `diff --fail-on-gain`. --allow-empty-policies accepts it and says so on stderr.

const EMPTY_INPUTS: Record<string, string> = {
  'empty.yaml': '',
  'comments.yaml': '# nothing here yet\n---\n# nor here\n',
  'empty-list.yaml': 'apiVersion: v1\nkind: List\nitems: []\n',
  'empty.json': '{"apiVersion": "v1", "kind": "List", "items": []}',
};

const COMMANDS: Record<string, (file: string) => string[]> = {
  'reach': (file) => ['reach', '--cluster', CLUSTER, '--policies', file, '--port', '80'],
  'explain': (file) => ['explain', '--cluster', CLUSTER, '--policies', file, '--from', 'monitoring/grafana', '--to', 'production/backend-api', '--port', '9090'],
  'diff --before': (file) => ['diff', '--cluster', CLUSTER, '--before', file, '--after', POLICIES, '--port', '9090', '--fail-on-gain'],
  'diff --after': (file) => ['diff', '--cluster', CLUSTER, '--before', POLICIES, '--after', file, '--port', '9090'],
  'lint': (file) => ['lint', '--policies', file],
};

describe('policy files without objects', () => {
  test.each(Object.keys(COMMANDS))('%s fails on a policy file with no object, naming it and the flag that accepts it', async (command) => {
    for (const file of Object.keys(EMPTY_INPUTS)) {
      const run = await runCli(COMMANDS[command](file), { files: EMPTY_INPUTS });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      const role = command === 'diff --before' ? 'policy file (--before)' : command === 'diff --after' ? 'policy file (--after)' : 'policy file';
      expect(run.stderr).toBe(`error: ${role} ${file} contains no object (an empty file, only comments, or an empty list), which would be analysed as no policies at all; `
        + 'check the command that wrote it (a failed git show or kubectl leaves it empty), or pass --allow-empty-policies if an empty policy set is intended\n');
    }
  });

  test('fails on empty standard input', async () => {
    const run = await runCli(['diff', '--cluster', CLUSTER, '--before', '-', '--after', POLICIES, '--fail-on-gain'], { files: { '-': '' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: policy file \(--before\) - \(standard input\) contains no object/);
  });

  test('fails on one empty file among several: each file must hold objects', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', POLICIES, 'empty.yaml', '--port', '80'], { files: EMPTY_INPUTS });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: policy file empty\.yaml contains no object/);
  });

  test('with --allow-empty-policies, an empty --before is no policies and says so on stderr: the gate then sees every restriction as a loss', async () => {
    const run = await runCli(['diff', '--cluster', CLUSTER, '--before', 'empty.yaml', '--after', POLICIES, '--port', '9090', '--fail-on-gain',
      '--allow-empty-policies'], { files: EMPTY_INPUTS });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('note: policy file (--before) empty.yaml contains no object: analysed as no policies (--allow-empty-policies)\n');
    expect(run.stdout).toMatch(/connections gained between 0 pairs of endpoints, lost between [1-9]\d* pairs/);
  });

  test('with --allow-empty-policies, reach, explain and lint say which files they took as empty', async () => {
    for (const command of ['reach', 'explain', 'lint']) {
      const args = COMMANDS[command]('empty.yaml');
      args.splice(args.indexOf('empty.yaml') + 1, 0, 'comments.yaml');
      const run = await runCli([...args, '--allow-empty-policies'], { files: EMPTY_INPUTS });
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('note: policy file empty.yaml, comments.yaml contain no object: analysed as no policies (--allow-empty-policies)\n');
    }
  });

  test('a file with only objects the analyzer does not count as policies (a Tier, a network set, skipped kinds) is not empty', async () => {
    const files = {
      'tier.yaml': 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: security }\nspec: { order: 100 }\n',
      'service.yaml': 'apiVersion: v1\nkind: Service\nmetadata: { name: web }\n',
    };
    expect((await runCli(COMMANDS.reach('tier.yaml'), { files })).code).toBe(0);
    const skipped = await runCli([...COMMANDS.reach('service.yaml'), '--ignore-other-kinds'], { files });
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain('skipped 1 Service (core)');
  });
});
