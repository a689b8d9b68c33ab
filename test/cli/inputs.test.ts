import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLUSTER, POLICIES, runCli } from './support/run-cli';

const REACH = ['reach', '--policies', POLICIES, '--port', '80'];

describe('input files are bounded and complete', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-zt-inputs-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('fails on a device such as /dev/zero at once, saying to redirect it into a file', async () => {
    const run = await runCli([...REACH, '--cluster', '/dev/zero']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: cannot read cluster file /dev/zero: it is not a regular file (a pipe, device or socket); '
      + 'redirect the output into a file first, or pass - to read standard input\n');
  });

  test('fails on a named pipe, which may never end', async () => {
    const fifo = path.join(dir, 'cluster.fifo');
    execFileSync('mkfifo', [fifo]);
    const run = await runCli([...REACH, '--cluster', fifo]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: cannot read cluster file .*cluster\.fifo: it is not a regular file/);
  });

  test('fails on a file above --max-input-size, saying how to raise it', async () => {
    const big = path.join(dir, 'big.yaml');
    fs.writeFileSync(big, `# ${'x'.repeat(2 * 1_048_576)}\n`);
    const run = await runCli([...REACH, '--cluster', big, '--max-input-size', '1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: cannot read cluster file .*big\.yaml: it is larger than the input limit of 1 MiB; raise it with --max-input-size <MiB> if the file is complete\n$/);
  });

  test('fails on an invalid --max-input-size', async () => {
    const run = await runCli([...REACH, '--cluster', CLUSTER, '--max-input-size', 'lots']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--max-input-size.*expected a size in MiB/);
  });

  test('fails on an empty cluster file, as a failed `kubectl … >` leaves it', async () => {
    const run = await runCli([...REACH, '--cluster', 'empty.yaml'], { files: { 'empty.yaml': '' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: empty.yaml: the cluster has no pods (the input is empty); write a complete snapshot with `kubectl get namespaces,pods,services,serviceaccounts,gateways -A -o yaml > cluster.yaml`\n');
  });

  test('fails on pods without their Namespace objects, and with --implicit-namespaces says on stderr what it assumed', async () => {
    const files = { 'pods.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: { name: web, namespace: production, labels: { app: frontend } }\nstatus: { podIP: 10.0.0.1 }\n' };
    const refused = await runCli([...REACH, '--cluster', 'pods.yaml'], { files });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: pods\.yaml: pods are in namespace production without a Namespace object, .*kubectl get namespaces,pods,services,serviceaccounts,gateways -A -o yaml.*--implicit-namespaces/);
    const accepted = await runCli([...REACH, '--cluster', 'pods.yaml', '--implicit-namespaces'], { files });
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toBe('note: assumed namespace production (no Namespace object in pods.yaml) with only the kubernetes.io/metadata.name label (--implicit-namespaces)\n');
  });

  test('says on stderr which terminated pods it read without IPs', async () => {
    const files = {
      'c.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: { name: batch }\n---\n'
        + 'apiVersion: v1\nkind: Pod\nmetadata: { name: job-x, namespace: batch }\nstatus: { phase: Succeeded, podIP: 10.0.0.9 }\n',
    };
    const run = await runCli(['reach', '--cluster', 'c.yaml', '--policies', POLICIES, '--port', '80'], { files });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('note: 1 terminated pod (Succeeded or Failed: batch/job-x) read without IPs');
  });

  test('--ignore-other-kinds says how many objects of each kind it skipped, and never skips an AdminNetworkPolicy', async () => {
    const files = {
      'app.yaml': `${fs.readFileSync(POLICIES, 'utf8')}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\n---\napiVersion: v1\nkind: Service\nmetadata: { name: web }\n`,
      'anp.yaml': 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: { name: deny-all }\n'
        + 'spec: { priority: 1, subject: { namespaces: {} }, ingress: [{ action: Deny, from: [{ namespaces: {} }] }] }\n',
    };
    const skipped = await runCli(['reach', '--cluster', CLUSTER, '--policies', 'app.yaml', '--port', '80', '--ignore-other-kinds'], { files });
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toBe('note: policy file: skipped 1 Service (core), 1 Deployment (apps) (--ignore-other-kinds: kinds that carry no network policy)\n');
    // The AdminNetworkPolicy is read and evaluated: it denies ingress from every pod, so of the pod
    // pairs only each pod's traffic to itself is left (the pair list is over pod pairs only).
    const reach = await runCli(['reach', '--cluster', CLUSTER, '--port', '80', '--policies', 'anp.yaml', '--ignore-other-kinds', '--format', 'json'], { files });
    expect(reach.code).toBe(0);
    expect(reach.stderr).toBe('');
    const pods = ['kube-system/coredns', 'monitoring/grafana', 'monitoring/prometheus', 'production/backend-api', 'production/frontend', 'production/redis'];
    expect(JSON.parse(reach.stdout)).toEqual(pods.map((pod) => [pod, pod]));
    const lint = await runCli(['lint', '--policies', 'anp.yaml', '--ignore-other-kinds'], { files });
    expect(lint.stderr).toBe('');
    expect(lint.stdout).toContain('in 1 object.');
  });
});
