import { Chart, Testing } from 'cdk8s';
import { istio, ofKind } from './support';
import { AllowFrom, AllowTo, DefaultDeny, Engine, IstioMode, Peer, PolicyDirection, PolicyStage, Port, Workload } from '../../../src';
import { byName, errorOf, synthValid } from '../../helpers/synth';

const CNIS: [string, () => Engine][] = [['Kubernetes', () => Engine.kubernetes()], ['Cilium', () => Engine.cilium()], ['Calico', () => Engine.calico()]];
const MODES: [string, IstioMode][] = [['ambient', IstioMode.AMBIENT], ['sidecar', IstioMode.SIDECAR]];

/** The AuthorizationPolicies whose selector selects app=db (or every pod of the namespace). */
function policiesSelectingDb(objs: any[]): any[] {
  return ofKind(objs, 'AuthorizationPolicy').filter(ap => ap.metadata.namespace === 'production'
    && !ap.spec.targetRefs && (ap.spec.selector === undefined || ap.spec.selector.matchLabels?.app === 'db'));
}

describe('an allowance whose ports are all UDP or SCTP still isolates its pods in the mesh (issue 13 item 4)', () => {
  for (const [cniName, cni] of CNIS) {
    for (const [modeName, mode] of MODES) {
      test(`on ${cniName} in ${modeName} mode, AllowFrom(app=db, Peer.namespace('c'), UDP 53) gives app=db the ALLOW-nothing policy, so no TCP reaches it through the mesh`, () => {
        const chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
        Engine.attach(chart, istio(mode, cni()));
        new AllowFrom(chart, 'dns-server', { to: Workload.select({ app: 'db' }), peers: [Peer.namespace('c')], ports: [Port.udp(53)] });
        const objs = synthValid(chart);
        // The case: in ambient mode the CNI admits TCP 15008 (HBONE) from every pod, so only ztunnel can refuse TCP.
        expect(JSON.stringify(objs).includes('15008')).toBe(mode === IstioMode.AMBIENT);
        const selecting = policiesSelectingDb(objs);
        // Exactly one policy selects the pods: an ALLOW with a selector for app=db and no rule (matches nothing).
        expect(selecting).toHaveLength(1);
        expect(selecting[0].spec).toEqual({ selector: { matchLabels: { app: 'db' } } });
        // Enforced: no dry-run annotation, only the intent's names (issue 16 item 1).
        expect(byName(objs, 'dns-server-ingress', 'AuthorizationPolicy').metadata.annotations)
          .toEqual({ 'zero-trust.cdk8s.io/construct-path': 'test/dns-server', 'zero-trust.cdk8s.io/intent': 'AllowFrom' });
      });
    }
  }

  test('a UDP-only allowance for every pod of the namespace renders the namespace-wide ALLOW-nothing policy (spec: {})', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
    Engine.attach(chart, istio(IstioMode.AMBIENT, Engine.kubernetes()));
    new AllowFrom(chart, 'sctp', { to: Workload.allPods(), peers: [Peer.namespace('c')], ports: [Port.sctp(3868)] });
    expect(byName(synthValid(chart), 'sctp-ingress', 'AuthorizationPolicy').spec).toEqual({});
  });

  test('in audit stage the ALLOW-nothing policy is a dry-run, like the allowance it stands for', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
    Engine.attach(chart, istio(IstioMode.SIDECAR, Engine.calico()));
    new AllowFrom(chart, 'dns-server', { to: Workload.select({ app: 'db' }), peers: [Peer.namespace('c')], ports: [Port.udp(53)], stage: PolicyStage.AUDIT });
    expect(byName(synthValid(chart), 'dns-server-ingress', 'AuthorizationPolicy').metadata.annotations)
      .toEqual({ 'istio.io/dry-run': 'true', 'zero-trust.cdk8s.io/construct-path': 'test/dns-server', 'zero-trust.cdk8s.io/intent': 'AllowFrom' });
  });

  test('mixed ports: the TCP part is the rule, the UDP part is left to the CNI', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
    Engine.attach(chart, istio(IstioMode.AMBIENT, Engine.cilium()));
    new AllowFrom(chart, 'dns-server', { to: Workload.select({ app: 'db' }), peers: [Peer.namespace('c')], ports: [Port.udp(53), Port.tcp(53)] });
    expect(byName(synthValid(chart), 'dns-server-ingress', 'AuthorizationPolicy').spec).toEqual({
      action: 'ALLOW', selector: { matchLabels: { app: 'db' } }, rules: [{ from: [{ source: { namespaces: ['c'] } }], to: [{ operation: { ports: ['53'] } }] }],
    });
  });

  test('an ambient AllowTo towards pods isolated only by a UDP-only allowance synthesizes: their ztunnel now decides the TCP port', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
    Engine.attach(chart, istio(IstioMode.AMBIENT, Engine.calico()));
    new AllowFrom(chart, 'dns-server', { to: Workload.select({ app: 'db' }), peers: [Peer.namespace('c')], ports: [Port.udp(53)] });
    new DefaultDeny(chart, 'deny-egress', { directions: [PolicyDirection.EGRESS], acknowledgeDnsBlocked: true });
    new AllowTo(chart, 'web-to-db', {
      workload: Workload.select({ app: 'web' }, { serviceAccount: 'web', exclusiveServiceAccount: true }),
      peers: [Peer.workload(Workload.select({ app: 'db' }))],
      ports: [Port.tcp(5432)],
      acknowledgeDnsBlocked: true,
    });
    const objs = synthValid(chart);
    expect(byName(objs, 'web-to-db-ingress-production', 'AuthorizationPolicy').spec.rules[0].to).toEqual([{ operation: { ports: ['5432'] } }]);
  });

  test('an ambient UDP-only AllowTo adds no HBONE egress, so it needs no isolated destination', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
    Engine.attach(chart, istio(IstioMode.AMBIENT, Engine.kubernetes()));
    new AllowTo(chart, 'web-to-dns', { workload: Workload.select({ app: 'web' }), peers: [Peer.workload(Workload.select({ app: 'dns' }))], ports: [Port.udp(53)], acknowledgeDnsBlocked: true });
    const objs = synthValid(chart);
    const egress = ofKind(objs, 'NetworkPolicy').flatMap(np => np.spec.egress ?? []);
    expect(egress.flatMap((r: any) => r.ports ?? [])).toEqual([{ protocol: 'UDP', port: 53 }]);
  });

  test('fails for an ambient TCP AllowTo towards pods nothing isolates (their ztunnel would admit every port)', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
    Engine.attach(chart, istio(IstioMode.AMBIENT, Engine.kubernetes()));
    new AllowTo(chart, 'web-to-db', { workload: Workload.select({ app: 'web' }), peers: [Peer.workload(Workload.select({ app: 'db' }))], ports: [Port.tcp(5432)], acknowledgeDnsBlocked: true });
    expect(errorOf(() => Testing.synth(chart))).toMatch(/whose ingress nothing isolates/);
  });
});
