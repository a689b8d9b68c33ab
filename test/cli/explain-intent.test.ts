import { Chart, Testing, Yaml } from 'cdk8s';
import { CLUSTER, POLICIES, runCli } from './support/run-cli';
import { AllowDns, AllowFrom, DefaultDeny, Engine, Peer, Port, Workload } from '../../src';

/** The production namespace of the cluster fixture, written with intents and synthesized for an engine. */
function synthesizedObjects(engine: Engine): any[] {
  const chart = new Chart(Testing.app(), 'production', { namespace: 'production' });
  Engine.attach(chart, engine);
  new DefaultDeny(chart, 'default-deny');
  new AllowDns(chart, 'allow-dns');
  new AllowFrom(chart, 'frontend-to-backend', {
    to: Workload.select({ app: 'backend-api' }), peers: [Peer.workload(Workload.select({ app: 'frontend' }))], ports: [Port.tcp(8080)],
  });
  return Testing.synth(chart);
}

const synthesized = (engine: Engine) => Yaml.stringify(...synthesizedObjects(engine));

const explain = (policies: string, from: string, to: string, port: string) =>
  runCli(['explain', '--cluster', CLUSTER, '--policies', 'synth.yaml', '--ignore-other-kinds', '--from', from, '--to', to, '--port', port], { files: { 'synth.yaml': policies } });

describe('explain names the intent behind each deciding rule', () => {
  test('an allowed flow: the intent behind the rule at each end', async () => {
    const run = await explain(synthesized(Engine.kubernetes()), 'production/frontend', 'production/backend-api', '8080');
    expect(run.code).toBe(0);
    const at = run.stdout.indexOf('\nintents:\n');
    expect(at).toBeGreaterThan(0);
    expect(run.stdout.slice(at).split('\n').slice(1, 4)).toEqual([
      'intents:',
      '  egress at pod production/frontend: allowed by AllowFrom production/frontend-to-backend (NetworkPolicy production/frontend-to-backend-egress-production egress[0])',
      '  ingress at pod production/backend-api: allowed by AllowFrom production/frontend-to-backend (NetworkPolicy production/frontend-to-backend-ingress ingress[0])',
    ]);
  });

  test('a flow denied by default: the intents that isolate the pod', async () => {
    const run = await explain(synthesized(Engine.cilium()), 'production/frontend', 'production/backend-api', '9090');
    expect(run.stdout).toContain('DENIED: pod production/frontend -> pod production/backend-api on 9090/TCP');
    expect(run.stdout).toContain('  egress at pod production/frontend: isolated by AllowDns production/allow-dns (CiliumNetworkPolicy production/allow-dns), '
      + 'DefaultDeny production/default-deny (CiliumNetworkPolicy production/default-deny), '
      + 'AllowFrom production/frontend-to-backend (CiliumNetworkPolicy production/frontend-to-backend-egress-production), and no rule allowed the flow');
  });

  test('Calico rules name the intent through their own metadata, even without the object\'s annotations', async () => {
    const objects = synthesizedObjects(Engine.calico()).map((o) => ({ ...o, metadata: { ...o.metadata, annotations: undefined } }));
    const withoutObjectAnnotations = Yaml.stringify(...objects);
    const run = await explain(withoutObjectAnnotations, 'production/frontend', 'production/backend-api', '8080');
    expect(run.stdout).toContain('  ingress at pod production/backend-api: allowed by AllowFrom production/frontend-to-backend '
      + '(projectcalico.org/NetworkPolicy production/frontend-to-backend-ingress ingress[0])');
  });

  test('hand-written policies that name no intent print no intents section', async () => {
    const run = await runCli(['explain', '--cluster', CLUSTER, '--policies', POLICIES, '--from', 'production/frontend', '--to', 'production/backend-api', '--port', '8080']);
    expect(run.stdout).not.toContain('intents:');
  });
});
