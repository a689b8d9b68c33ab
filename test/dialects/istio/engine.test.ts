import { Engine, IstioMode } from '../../../src';
import { FEATURE_DESCRIPTIONS } from '../../../src/dialects/feature';
import { errorOf } from '../../helpers/synth';

describe('Engine.istio()', () => {
  test('names the engine after the mode and the CNI', () => {
    expect(Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes() }).name).toBe('istio-sidecar-kubernetes');
    expect(Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.cilium() }).name).toBe('istio-ambient-cilium');
    expect(Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.calico() }).name).toBe('istio-ambient-calico');
  });

  test('throws for a missing CNI, another Istio engine as CNI, an unknown mode and a bad trust domain, all at once', () => {
    const inner = Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes() });
    expect(errorOf(() => Engine.istio({ mode: 'mesh' as IstioMode, cni: inner, trustDomain: 'Bad Domain' }))).toBe([
      'invalid mode of Engine.istio(): got "mesh"; expected IstioMode.SIDECAR or IstioMode.AMBIENT. Fix: use the IstioMode enum',
      'invalid cni of Engine.istio(): got "istio-sidecar-kubernetes"; expected a CNI engine, not another Istio engine. Fix: pass Engine.kubernetes(), Engine.cilium() or Engine.calico()',
      'invalid trustDomain of Engine.istio(): got "Bad Domain"; expected a SPIFFE trust domain: lower-case letters, digits, ".", "-" or "_". Fix: use the mesh\'s trust domain (meshConfig.trustDomain), or leave it out for cluster.local',
    ].join('\n'));
    expect(errorOf(() => Engine.istio({ mode: IstioMode.AMBIENT } as any))).toContain('invalid cni of Engine.istio(): got nothing; expected a CNI engine: Engine.kubernetes(), Engine.cilium() or Engine.calico()');
  });

  test('refuses waypoint options in sidecar mode and invalid waypoint and istiod settings', () => {
    const message = errorOf(() => Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes(), waypoint: { name: 'Way_Point' }, istiodLabels: {} }));
    expect(message).toContain('invalid waypoint.name of Engine.istio(): got "Way_Point"; expected a Gateway name');
    expect(message).toContain('invalid waypoint of Engine.istio(): got {"name":"Way_Point"}; expected no waypoint options in sidecar mode. Fix: drop `waypoint`: sidecars enforce HTTP rules themselves');
  });

  test('has a capability row for every model feature: Istio\'s for mTLS, HTTP and identities, the CNI\'s for the rest', () => {
    const table = Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.kubernetes() })._dialect.capabilities;
    const k8s = Engine.kubernetes()._dialect.capabilities;
    expect(Object.keys(table).sort()).toEqual(Object.keys(FEATURE_DESCRIPTIONS).sort());
    for (const f of ['mtls.strict', 'mtls.permissive', 'mtls.port-exception', 'allow.http', 'peer.service-account', 'stage.audit'] as const) {
      expect([f, table[f].level]).toEqual([f, 'exact']);
      expect([f, k8s[f].level]).not.toEqual([f, 'exact']);
    }
    expect(table['allow.http'].reason).toContain('waypoint');
    for (const f of ['peer.fqdn', 'peer.kube-apiserver', 'subject.all-namespaces'] as const) expect(table[f]).toEqual(k8s[f]);
  });
});
