import { AllowDns, AllowFrom, AllowTo, DefaultDeny, Engine, IstioMode, Peer, Port, Workload } from '../../src';
import { ClusterModel, podEndpoint, ReachabilityAnalyzer } from '../../src/analysis';
import { intentPolicies, synthesizedPolicies } from '../../src/analysis/intent/synthesized-policies';
import { byName, chartWith, errorOf, synthValid } from '../helpers/synth';

const frontend = Workload.select({ app: 'frontend' }, { serviceAccount: 'frontend', exclusiveServiceAccount: true });
const backend = Workload.select({ app: 'backend-api' }, { serviceAccount: 'backend', exclusiveServiceAccount: true });

describe('a workload that declares its service account exclusive', () => {
  test('is selected by its labels on Kubernetes NetworkPolicy, which has no identities', () => {
    const chart = chartWith();
    new AllowFrom(chart, 'in', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)] });
    expect(byName(synthValid(chart), 'in-ingress').spec).toEqual({
      podSelector: { matchLabels: { app: 'backend-api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
  });

  test('is selected by labels AND account on Calico, which can check both', () => {
    const chart = chartWith(Engine.calico());
    new AllowFrom(chart, 'in', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)] });
    const spec = byName(synthValid(chart), 'in-ingress').spec;
    expect(spec.serviceAccountSelector).toBe("projectcalico.org/name == 'backend'");
    expect(spec.ingress[0].source.serviceAccounts).toEqual({ names: ['frontend'] });
  });

  test('is a client Istio admits by its identity, and protected pods Istio selects by their labels', () => {
    const chart = chartWith(Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes() }));
    new AllowFrom(chart, 'in', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)] });
    expect(byName(synthValid(chart), 'in-ingress', 'AuthorizationPolicy').spec).toEqual({
      selector: { matchLabels: { app: 'backend-api' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/production/sa/frontend'] } }], to: [{ operation: { ports: ['8080'] } }] }],
    });
  });

  test('keeps the declaration in the parts a partial isolation selects (the AllowTo destination side on Kubernetes)', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'deny-web', { pods: Workload.select({ tier: 'web' }) });
    new AllowDns(chart, 'dns');
    new AllowTo(chart, 'out', { workload: frontend, peers: [Peer.workload(backend)], ports: [Port.tcp(8080)] });
    expect(byName(synthValid(chart), 'out-ingress-production').spec.podSelector).toEqual({ matchLabels: { app: 'backend-api', tier: 'web' } });
  });

  test('is an approximation the user opted into: where the declaration is false, Kubernetes matches pods of another account', () => {
    const cluster = ClusterModel.create({
      namespaces: [{ name: 'production' }],
      pods: [
        { namespace: 'production', name: 'frontend', labels: { app: 'frontend' }, serviceAccountName: 'frontend', ips: ['10.244.0.10'], ports: [], nodeName: 'n1' },
        { namespace: 'production', name: 'impostor', labels: { app: 'frontend' }, serviceAccountName: 'other', ips: ['10.244.0.11'], ports: [], nodeName: 'n2' },
        { namespace: 'production', name: 'backend', labels: { app: 'backend-api' }, serviceAccountName: 'backend', ips: ['10.244.0.12'], ports: [], nodeName: 'n3' },
      ],
    });
    const chart = chartWith();
    new AllowFrom(chart, 'in', { to: backend, peers: [Peer.workload(frontend)], ports: [Port.tcp(8080)] });
    const verdict = (policies: ReturnType<typeof intentPolicies>, from: string) => new ReachabilityAnalyzer(cluster, policies)
      .evaluate({ source: podEndpoint('production', from), destination: podEndpoint('production', 'backend'), port: 8080, protocol: 'TCP' }).allowed;
    expect([verdict(intentPolicies(chart), 'frontend'), verdict(synthesizedPolicies(chart), 'frontend')]).toEqual([true, true]);
    // The intent means labels AND account; the declaration said no such impostor exists.
    expect([verdict(intentPolicies(chart), 'impostor'), verdict(synthesizedPolicies(chart), 'impostor')]).toEqual([false, true]);
  });

  test('throws without a service account, or with a value that is not a boolean', () => {
    const chart = chartWith();
    expect(errorOf(() => new AllowFrom(chart, 'a', { to: Workload.select({ app: 'x' }, { exclusiveServiceAccount: true }), peers: [Peer.anyone()], ports: [Port.tcp(1)] })))
      .toContain('[test/a] invalid exclusiveServiceAccount of the workload: got true; expected a serviceAccount alongside it');
    expect(errorOf(() => new AllowFrom(chart, 'b', { to: Workload.select({ app: 'x' }, { serviceAccount: 's', exclusiveServiceAccount: 'yes' as any }), peers: [Peer.anyone()], ports: [Port.tcp(1)] })))
      .toContain('[test/b] invalid exclusiveServiceAccount of the workload: got "yes"; expected true or false');
  });
});
