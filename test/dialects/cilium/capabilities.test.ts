import { App, Chart, Testing } from 'cdk8s';
import {
  AllowDns, AllowFrom, DefaultDeny, EgressToCidr, EgressToFqdn, Engine, HttpRule, Peer, PolicyDirection, PolicyStage, Port, Workload,
} from '../../../src';
import { SupportLevel } from '../../../src/dialects/capability';
import { FEATURE_DESCRIPTIONS, Feature, featuresOf } from '../../../src/dialects/feature';
import { PolicyCompiler } from '../../../src/engine/compiler';
import { expectValidManifests } from '../../helpers/schema';
import { testEngine } from '../../helpers/target';

const a = Workload.select({ app: 'a' });
const b = Workload.select({ app: 'b' });

/** One capability row: intents that use the feature (plus what they need to synthesize). */
interface Row {
  readonly feature: Feature;
  readonly kubernetes: SupportLevel;
  readonly cilium: SupportLevel;
  readonly build: (chart: Chart) => void;
}

const from = (chart: Chart, peers: Peer[], ports: Port[] = [Port.tcp(80)], to: Workload = a) => new AllowFrom(chart, 'allow', { to, peers, ports });

const ROWS: Row[] = [
  { feature: 'isolate.ingress', kubernetes: 'exact', cilium: 'exact', build: c => new DefaultDeny(c, 'deny', { directions: [PolicyDirection.INGRESS] }) },
  { feature: 'isolate.egress', kubernetes: 'exact', cilium: 'exact', build: c => { new DefaultDeny(c, 'deny', { directions: [PolicyDirection.EGRESS] }); new AllowDns(c, 'dns'); } },
  { feature: 'allow.ingress', kubernetes: 'exact', cilium: 'exact', build: c => from(c, [Peer.workload(b)]) },
  { feature: 'allow.egress', kubernetes: 'exact', cilium: 'exact', build: c => { new AllowDns(c, 'dns'); new EgressToCidr(c, 'out', { workload: a, cidr: '192.0.2.0/24', ports: [Port.tcp(443)] }); } },
  { feature: 'allow.source-half', kubernetes: 'exact', cilium: 'exact', build: c => { new DefaultDeny(c, 'deny'); new AllowDns(c, 'dns'); from(c, [Peer.workload(b)]); } },
  { feature: 'subject.service-account', kubernetes: 'approximate', cilium: 'exact', build: c => from(c, [Peer.workload(b)], [Port.tcp(80)], Workload.select({ app: 'a' }, { serviceAccount: 'a' })) },
  { feature: 'peer.pods-same-namespace', kubernetes: 'exact', cilium: 'exact', build: c => from(c, [Peer.workload(b)]) },
  { feature: 'peer.pods-other-namespace', kubernetes: 'exact', cilium: 'exact', build: c => from(c, [Peer.pods({ namespace: 'shop', podLabels: { app: 'cart' } })]) },
  { feature: 'peer.namespace-labels', kubernetes: 'exact', cilium: 'exact', build: c => from(c, [Peer.namespacesWithLabels({ team: 'ops' })]) },
  { feature: 'peer.all-namespaces', kubernetes: 'exact', cilium: 'exact', build: c => from(c, [Peer.pods({ allNamespaces: true, podLabels: { app: 'probe' } })]) },
  { feature: 'peer.service-account', kubernetes: 'approximate', cilium: 'exact', build: c => from(c, [Peer.serviceAccount('robot')]) },
  { feature: 'peer.cidr', kubernetes: 'exact', cilium: 'exact', build: c => from(c, [Peer.cidr('198.51.100.0/24', ['198.51.100.0/28'])]) },
  { feature: 'peer.anyone', kubernetes: 'exact', cilium: 'exact', build: c => from(c, [Peer.anyone()]) },
  { feature: 'port.number', kubernetes: 'exact', cilium: 'exact', build: c => from(c, [Peer.workload(b)], [Port.udp(53)]) },
  { feature: 'port.range', kubernetes: 'exact', cilium: 'exact', build: c => from(c, [Peer.workload(b)], [Port.tcpRange(8000, 8100)]) },
  { feature: 'port.named', kubernetes: 'exact', cilium: 'exact', build: c => from(c, [Peer.workload(b)], [Port.named('http')]) },
  { feature: 'port.named-egress', kubernetes: 'exact', cilium: 'unsupported', build: c => { new DefaultDeny(c, 'deny'); new AllowDns(c, 'dns'); from(c, [Peer.workload(b)], [Port.named('http')]); } },
  { feature: 'port.all-of-protocol', kubernetes: 'exact', cilium: 'exact', build: c => from(c, [Peer.workload(b)], [Port.allUdp()]) },
  { feature: 'port.all-traffic', kubernetes: 'exact', cilium: 'exact', build: c => from(c, [Peer.workload(b)], [Port.allTraffic()]) },
  { feature: 'protocol.sctp', kubernetes: 'exact', cilium: 'exact', build: c => from(c, [Peer.workload(b)], [Port.sctp(3868)]) },
  { feature: 'allow.http', kubernetes: 'unsupported', cilium: 'exact', build: c => new AllowFrom(c, 'allow', { to: a, peers: [Peer.workload(b)], ports: [Port.tcp(8080)], http: [HttpRule.get('/api/*')] }) },
  { feature: 'peer.fqdn', kubernetes: 'unsupported', cilium: 'exact', build: c => { new AllowDns(c, 'dns'); new EgressToFqdn(c, 'out', { workload: a, names: ['api.example.com'], ports: [Port.tcp(443)] }); } },
  { feature: 'peer.kube-apiserver', kubernetes: 'unsupported', cilium: 'exact', build: c => from(c, [Peer.kubeApiServer()]) },
  { feature: 'peer.kube-apiserver-cidrs', kubernetes: 'exact', cilium: 'exact', build: c => from(c, [Peer.kubeApiServer(['172.20.0.1/32'])]) },
  { feature: 'peer.node-local-dns', kubernetes: 'exact', cilium: 'approximate', build: c => new AllowDns(c, 'dns', { nodeLocalDns: true }) },
  { feature: 'stage.audit', kubernetes: 'unsupported', cilium: 'unsupported', build: c => new DefaultDeny(c, 'deny', { directions: [PolicyDirection.INGRESS], stage: PolicyStage.AUDIT }) },
];

/** The same engine with every approximation opted into. */
const OPTED_IN: Record<string, () => Engine> = {
  kubernetes: () => testEngine.kubernetes({ serviceAccountLabel: 'sa' }),
  cilium: () => testEngine.cilium({ nodeLocalDnsViaHost: true }),
};
const PLAIN: Record<string, () => Engine> = { kubernetes: () => testEngine.kubernetes(), cilium: () => testEngine.cilium() };

interface Outcome {
  readonly objects?: any[];
  readonly error?: string;
  readonly features: Feature[];
}

function synth(engine: Engine, build: (chart: Chart) => void): Outcome {
  const app: App = Testing.app();
  const chart = new Chart(app, 'test', { namespace: 'production' });
  Engine.attach(chart, engine);
  build(chart);
  const features = [...new Set(PolicyCompiler.of(chart).statements().flatMap(featuresOf))];
  try {
    return { objects: Testing.synth(chart), features };
  } catch (e) {
    return { error: (e as Error).message, features };
  }
}

/** Every (protocol, port) an object set allows, in one neutral notation, per direction. */
function portsOf(objects: any[]): string[] {
  const out = new Set<string>();
  for (const o of objects) {
    for (const dir of ['ingress', 'egress']) {
      for (const rule of o.spec?.[dir] ?? []) {
        if (o.kind === 'NetworkPolicy') {
          if (!rule.ports) out.add(`${dir} any`);
          for (const p of rule.ports ?? []) out.add(`${dir} ${p.protocol ?? 'TCP'} ${p.port ?? '*'}${p.endPort ? `-${p.endPort}` : ''}`);
        } else if (Object.keys(rule).length) {
          if (!rule.toPorts) out.add(`${dir} any`);
          for (const r of rule.toPorts ?? []) for (const p of r.ports) out.add(`${dir} ${p.protocol} ${p.port === '0' ? '*' : p.port}${p.endPort ? `-${p.endPort}` : ''}`);
        }
      }
    }
  }
  return [...out].sort();
}

describe('capability rows, Kubernetes and Cilium side by side', () => {
  test('every model feature has a row here and in both tables', () => {
    // Cluster-wide, admin and mutual-TLS features come from other intents; their rows are checked in test/dialects/calico/capabilities.test.ts.
    const features = Object.keys(FEATURE_DESCRIPTIONS).filter(f => f !== 'subject.all-namespaces' && !f.startsWith('mtls.') && !f.startsWith('admin.')).sort();
    expect(ROWS.map(r => r.feature).sort()).toEqual(features);
    for (const engine of Object.values(PLAIN)) {
      expect(Object.keys(engine()._dialect.capabilities).sort()).toEqual(Object.keys(FEATURE_DESCRIPTIONS).sort());
    }
  });

  describe.each(ROWS)('$feature', row => {
    test.each(['kubernetes', 'cilium'] as const)('on %s: the declared level is what synthesis does', engineName => {
      const level = row[engineName];
      expect(PLAIN[engineName]()._dialect.capabilities[row.feature].level).toBe(level);
      const plain = synth(PLAIN[engineName](), row.build);
      expect(plain.features).toContain(row.feature);
      if (level === 'exact') {
        expect(plain.error).toBeUndefined();
        expectValidManifests(plain.objects!);
      } else {
        // Fails, and the message names the engine, the feature and a fix.
        expect(plain.error).toContain(`the ${engineName} engine cannot express ${FEATURE_DESCRIPTIONS[row.feature]}`);
        expect(plain.error).toContain('Fix:');
        const opted = synth(OPTED_IN[engineName](), row.build);
        if (level === 'approximate') {
          expect(opted.error).toBeUndefined();
          expectValidManifests(opted.objects!);
        } else {
          expect(opted.error).toContain(FEATURE_DESCRIPTIONS[row.feature]);
        }
      }
    });

    test('where both engines render it, both allow the same ports in the same directions', () => {
      const k8s = synth(OPTED_IN.kubernetes(), row.build);
      const cil = synth(OPTED_IN.cilium(), row.build);
      if (k8s.error || cil.error) return; // compared only where both render (levels pinned above)
      expect(portsOf(cil.objects!)).toEqual(portsOf(k8s.objects!));
    });
  });
});
