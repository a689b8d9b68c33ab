import { App, Chart, Testing } from 'cdk8s';
import {
  Engine, HttpRule, IstioMode, MtlsMode, Peer, PolicyStage, Port, Workload, ZeroTrustNamespace, ZeroTrustNamespaceProps,
} from '../../src';
import { errorOf, synthValid } from '../helpers/synth';
import { testEngine } from '../helpers/target';

const backend = Workload.select({ app: 'backend-api' }, { service: 'backend-api', servicePorts: [{ port: 8080 }, { port: 9090 }] });

/** A bare chart (no engine attached) in namespace production. */
function bare(app: App = Testing.app()): Chart {
  return new Chart(app, 'test', { namespace: 'production' });
}

const ENGINES: [string, () => Engine, boolean][] = [
  ['kubernetes', () => testEngine.kubernetes(), false],
  ['cilium', () => testEngine.cilium(), false],
  ['calico', () => testEngine.calico(), false],
  ['istio-sidecar-kubernetes', () => testEngine.istio({ mode: IstioMode.SIDECAR, cni: testEngine.kubernetes() }), true],
  ['istio-ambient-cilium', () => testEngine.istio({ mode: IstioMode.AMBIENT, cni: testEngine.cilium() }), true],
  ['istio-ambient-calico', () => testEngine.istio({ mode: IstioMode.AMBIENT, cni: testEngine.calico() }), true],
];

describe('ZeroTrustNamespace', () => {
  test.each(ENGINES)('renders the baseline on %s: default deny both ways, DNS, mTLS exactly where the engine has it', (name, engine, mesh) => {
    const chart = bare();
    const props: ZeroTrustNamespaceProps = mesh ? { engine: engine() } : { engine: engine(), acknowledgeNoEncryption: true };
    const ztn = new ZeroTrustNamespace(chart, 'zero-trust', props);
    ztn.allowFrom('frontend-to-backend', { to: backend, peers: [Peer.namespace('web')], ports: [Port.tcp(8080)] });
    ztn.egressToCidr('rds', { workload: Workload.select({ app: 'backend-api' }), cidr: '10.100.0.0/16', ports: [Port.tcp(5432)] });
    const objs = synthValid(chart);
    const pa = objs.filter(o => o.kind === 'PeerAuthentication');
    expect(Engine.of(ztn).name).toBe(name);
    expect(pa.map(o => o.spec)).toEqual(mesh ? [{ mtls: { mode: 'STRICT' } }] : []);
    const names = objs.map(o => o.metadata.name);
    for (const part of ['zero-trust-default-deny', 'zero-trust-allow-dns', 'zero-trust-frontend-to-backend', 'zero-trust-rds']) {
      expect([part, names.some(n => n.startsWith(part))]).toEqual([part, true]);
    }
    // The requirement exists on every engine; CNI engines render nothing for it once acknowledged.
    expect(ztn.mutualTls).toBeDefined();
  });

  test.each(ENGINES.filter(e => !e[2]))('fails on the CNI-only engine %s until the missing encryption is acknowledged', (name, engine) => {
    const chart = bare();
    new ZeroTrustNamespace(chart, 'zero-trust', { engine: engine() });
    expect(errorOf(() => Testing.synth(chart))).toContain(`[test/zero-trust/mtls] the ${name} engine cannot express STRICT mutual TLS (only mesh connections accepted) `
      + '(a CNI network policy filters connections but cannot require or verify mutual TLS; node-level encryption (WireGuard, IPsec) is a cluster setting and proves no workload identity); '
      + 'in: require STRICT mTLS into production/(all). Fix: set acknowledgeNoEncryption: true on the MutualTls or ZeroTrustNamespace to accept that this engine does not encrypt traffic '
      + `(the requirement then renders nothing here, and is still enforced on Istio); for mutual TLS, layer Istio on this CNI: Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.${name}() }).`);
  });

  test('accepts acknowledgeNoEncryption on an engine with mTLS, where there is nothing to acknowledge, and still enforces the mode', () => {
    for (const mtlsMode of [undefined, MtlsMode.PERMISSIVE]) {
      const chart = bare();
      new ZeroTrustNamespace(chart, 'zero-trust', { engine: testEngine.istio({ mode: IstioMode.SIDECAR, cni: testEngine.kubernetes() }), acknowledgeNoEncryption: true, mtlsMode });
      expect(synthValid(chart).filter(o => o.kind === 'PeerAuthentication').map(o => o.spec)).toEqual([{ mtls: { mode: mtlsMode ?? 'STRICT' } }]);
    }
  });

  test('inherits the chart\'s engine when none is passed', () => {
    const chart = bare();
    Engine.attach(chart, testEngine.istio({ mode: IstioMode.AMBIENT, cni: testEngine.kubernetes() }));
    const ztn = new ZeroTrustNamespace(chart, 'zt', { mtlsMode: MtlsMode.PERMISSIVE });
    expect(Engine.of(ztn).name).toBe('istio-ambient-kubernetes');
    expect(synthValid(chart).find(o => o.kind === 'PeerAuthentication').spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  });

  test('the monitoring allowance: the scraper by service account (principal) on the metrics port of every pod', () => {
    const chart = bare();
    new ZeroTrustNamespace(chart, 'zt', {
      engine: testEngine.istio({ mode: IstioMode.SIDECAR, cni: testEngine.cilium() }),
      monitoring: { namespace: 'monitoring', serviceAccount: 'prometheus', ports: [Port.tcp(9090)] },
    });
    const objs = synthValid(chart);
    const ap = objs.find(o => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'zt-monitoring-ingress');
    expect(ap.spec).toEqual({
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/monitoring/sa/prometheus'] } }], to: [{ operation: { ports: ['9090'] } }] }],
    });
  });

  test('helpers create the allowances inside it, in its stage, and return them', () => {
    const chart = bare();
    const ztn = new ZeroTrustNamespace(chart, 'zt', { engine: testEngine.calico(), acknowledgeNoEncryption: true, stage: PolicyStage.AUDIT });
    const allow = ztn.allowFrom('in', { to: Workload.select({ app: 'api' }), peers: [Peer.namespace('web')], ports: [Port.tcp(80)] });
    expect(allow.node.path).toBe('test/zt/in');
    const objs = synthValid(chart);
    expect(objs.map(o => o.kind)).toEqual(objs.map(() => expect.stringMatching(/^Staged/)));
  });

  test('refuses an allowance for another namespace', () => {
    const ztn = new ZeroTrustNamespace(bare(), 'zt', { engine: testEngine.kubernetes(), acknowledgeNoEncryption: true });
    expect(errorOf(() => ztn.allowFrom('in', { to: Workload.select({ app: 'x' }, { namespace: 'other' }), peers: [Peer.anyone()], ports: [Port.tcp(80)] })))
      .toBe('[test/zt/in] invalid namespace given to allowFrom(): got "other"; expected the namespace of the ZeroTrustNamespace (production). Fix: create the allowance in the ZeroTrustNamespace of other, or use AllowFrom directly');
  });

  test('denyEgress: false isolates ingress only, without a DNS allowance', () => {
    const chart = bare();
    const ztn = new ZeroTrustNamespace(chart, 'zt', { engine: testEngine.kubernetes(), acknowledgeNoEncryption: true, denyEgress: false });
    expect(ztn.allowDns).toBeUndefined();
    expect(synthValid(chart).map(o => o.spec.policyTypes)).toEqual([['Ingress']]);
  });

  test('the monitoring allowance selects the scraper\'s namespace by labels, as the seed\'s allow-monitoring-access does', () => {
    const chart = bare();
    new ZeroTrustNamespace(chart, 'zt', {
      engine: testEngine.kubernetes(),
      acknowledgeNoEncryption: true,
      monitoring: { namespaceLabels: { team: 'monitoring' }, podLabels: { app: 'prometheus' }, ports: [Port.tcp(9090)], pods: Workload.select({ app: 'backend-api' }) },
    });
    const np = synthValid(chart).find(o => o.metadata.name === 'zt-monitoring-ingress');
    expect(np.spec).toEqual({
      podSelector: { matchLabels: { app: 'backend-api' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { team: 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } }],
        ports: [{ protocol: 'TCP', port: 9090 }],
      }],
    });
  });

  test('fails on Istio for a scraper namespace chosen by labels, naming the fix and the engines that can', () => {
    const chart = bare();
    new ZeroTrustNamespace(chart, 'zt', {
      engine: testEngine.istio({ mode: IstioMode.SIDECAR, cni: testEngine.calico() }),
      monitoring: { namespaceLabels: { team: 'monitoring' }, serviceAccount: 'prometheus', ports: [Port.tcp(9090)] },
    });
    expect(errorOf(() => Testing.synth(chart))).toContain('Fix: allow each namespace by name: Peer.namespace(\'<name>\') or Peer.serviceAccount(\'<account>\', \'<namespace>\'); '
      + 'the CNI engines (Engine.kubernetes(), Engine.cilium(), Engine.calico()) select namespaces by labels exactly.');
  });

  test('throws unless exactly one of the monitoring namespace and namespace labels is given', () => {
    for (const monitoring of [{ ports: [Port.tcp(9090)] }, { namespace: 'monitoring', namespaceLabels: { team: 'm' }, ports: [Port.tcp(9090)] }]) {
      expect(errorOf(() => new ZeroTrustNamespace(bare(), 'zt', { engine: testEngine.kubernetes(), monitoring })))
        .toContain('invalid namespace of monitoring');
    }
  });

  test('validates its props with the construct path', () => {
    expect(errorOf(() => new ZeroTrustNamespace(bare(), 'zt', { engine: testEngine.kubernetes(), monitoring: { namespace: 'Mon', ports: [] } })))
      .toContain('[test/zt] 2 problems:');
  });

  test('HTTP allowances work on ambient through the waypoint', () => {
    const chart = bare();
    const ztn = new ZeroTrustNamespace(chart, 'zt', { engine: testEngine.istio({ mode: IstioMode.AMBIENT, cni: testEngine.calico() }) });
    ztn.allowFrom('api', { to: backend, peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)], http: [HttpRule.get('/api/v1/*')] });
    expect(synthValid(chart).filter(o => o.kind === 'Gateway')).toHaveLength(1);
  });
});
