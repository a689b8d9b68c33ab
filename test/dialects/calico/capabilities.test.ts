import { App, Chart, Testing } from 'cdk8s';
import {
  AllowDns, AllowFrom, ClusterAllowDns, ClusterAlwaysAllow, ClusterDefaultDeny, ClusterDelegateToNamespaces, ClusterDeny, DefaultDeny, EgressToCidr,
  EgressToFqdn, Engine, HttpRule, Peer, PolicyDirection, PolicyStage, Port, Workload,
} from '../../../src';
import { SupportLevel } from '../../../src/dialects/capability';
import { FEATURE_DESCRIPTIONS, Feature, featuresOf } from '../../../src/dialects/feature';
import { PolicyCompiler } from '../../../src/engine/compiler';
import { expectValidManifests } from '../../helpers/schema';
import { testEngine } from '../../helpers/target';

const a = Workload.select({ app: 'a' });
const b = Workload.select({ app: 'b' });

type EngineName = 'kubernetes' | 'cilium' | 'calico';

/** One capability row: intents that use the feature, and the level each engine declares for it. */
interface Row {
  readonly feature: Feature;
  readonly levels: Readonly<Record<EngineName, SupportLevel>>;
  readonly build: (chart: Chart) => void;
}

const from = (chart: Chart, peers: Peer[], ports: Port[] = [Port.tcp(80)], to: Workload = a) => new AllowFrom(chart, 'allow', { to, peers, ports });
const lv = (kubernetes: SupportLevel, cilium: SupportLevel, calico: SupportLevel) => ({ kubernetes, cilium, calico });
const E = 'exact' as const;

const ROWS: Row[] = [
  { feature: 'isolate.ingress', levels: lv(E, E, E), build: c => new DefaultDeny(c, 'deny', { directions: [PolicyDirection.INGRESS] }) },
  { feature: 'isolate.egress', levels: lv(E, E, E), build: c => { new DefaultDeny(c, 'deny', { directions: [PolicyDirection.EGRESS] }); new AllowDns(c, 'dns'); } },
  { feature: 'allow.ingress', levels: lv(E, E, E), build: c => from(c, [Peer.workload(b)]) },
  { feature: 'allow.egress', levels: lv(E, E, E), build: c => { new AllowDns(c, 'dns'); new EgressToCidr(c, 'out', { workload: a, cidr: '192.0.2.0/24', ports: [Port.tcp(443)] }); } },
  { feature: 'allow.source-half', levels: lv(E, E, E), build: c => { new DefaultDeny(c, 'deny'); new AllowDns(c, 'dns'); from(c, [Peer.workload(b)]); } },
  { feature: 'subject.service-account', levels: lv('approximate', E, E), build: c => from(c, [Peer.workload(b)], [Port.tcp(80)], Workload.select({ app: 'a' }, { serviceAccount: 'a' })) },
  { feature: 'peer.pods-same-namespace', levels: lv(E, E, E), build: c => from(c, [Peer.workload(b)]) },
  { feature: 'peer.pods-other-namespace', levels: lv(E, E, E), build: c => from(c, [Peer.pods({ namespace: 'shop', podLabels: { app: 'cart' } })]) },
  { feature: 'peer.namespace-labels', levels: lv(E, E, E), build: c => from(c, [Peer.namespacesWithLabels({ team: 'ops' })]) },
  { feature: 'peer.all-namespaces', levels: lv(E, E, E), build: c => from(c, [Peer.pods({ allNamespaces: true, podLabels: { app: 'probe' } })]) },
  { feature: 'peer.service-account', levels: lv('approximate', E, E), build: c => from(c, [Peer.serviceAccount('robot')]) },
  { feature: 'peer.cidr', levels: lv(E, E, E), build: c => from(c, [Peer.cidr('198.51.100.0/24', ['198.51.100.0/28'])]) },
  { feature: 'peer.anyone', levels: lv(E, E, E), build: c => from(c, [Peer.anyone()]) },
  { feature: 'port.number', levels: lv(E, E, E), build: c => from(c, [Peer.workload(b)], [Port.udp(53)]) },
  { feature: 'port.range', levels: lv(E, E, E), build: c => from(c, [Peer.workload(b)], [Port.tcpRange(8000, 8100)]) },
  { feature: 'port.named', levels: lv(E, E, E), build: c => from(c, [Peer.workload(b)], [Port.named('http')]) },
  { feature: 'port.named-egress', levels: lv(E, 'unsupported', E), build: c => { new DefaultDeny(c, 'deny'); new AllowDns(c, 'dns'); from(c, [Peer.workload(b)], [Port.named('http')]); } },
  { feature: 'port.all-of-protocol', levels: lv(E, E, E), build: c => from(c, [Peer.workload(b)], [Port.allUdp()]) },
  { feature: 'port.all-traffic', levels: lv(E, E, E), build: c => from(c, [Peer.workload(b)], [Port.allTraffic()]) },
  { feature: 'protocol.sctp', levels: lv(E, E, E), build: c => from(c, [Peer.workload(b)], [Port.sctp(3868)]) },
  {
    feature: 'allow.http',
    levels: lv('unsupported', E, 'unsupported'),
    build: c => new AllowFrom(c, 'allow', { to: a, peers: [Peer.workload(b)], ports: [Port.tcp(8080)], http: [HttpRule.get('/api/*')] }),
  },
  {
    feature: 'peer.fqdn',
    levels: lv('unsupported', E, 'unsupported'),
    build: c => { new AllowDns(c, 'dns'); new EgressToFqdn(c, 'out', { workload: a, names: ['api.example.com'], ports: [Port.tcp(443)] }); },
  },
  { feature: 'peer.kube-apiserver', levels: lv('unsupported', E, 'unsupported'), build: c => from(c, [Peer.kubeApiServer()]) },
  { feature: 'peer.kube-apiserver-cidrs', levels: lv(E, E, E), build: c => from(c, [Peer.kubeApiServer(['172.20.0.1/32'])]) },
  { feature: 'peer.node-local-dns', levels: lv(E, 'approximate', E), build: c => new AllowDns(c, 'dns', { nodeLocalDns: true }) },
  { feature: 'stage.audit', levels: lv('unsupported', 'unsupported', E), build: c => new DefaultDeny(c, 'deny', { directions: [PolicyDirection.INGRESS], stage: PolicyStage.AUDIT }) },
  {
    feature: 'subject.all-namespaces',
    levels: lv('unsupported', E, E),
    build: c => { new ClusterDefaultDeny(c, 'baseline', { exceptNamespaces: ['monitoring'] }); new ClusterAllowDns(c, 'baseline-dns'); },
  },
  {
    feature: 'admin.deny',
    levels: lv('unsupported', E, E),
    build: c => new ClusterDeny(c, 'no-metadata', { priority: 10, direction: PolicyDirection.EGRESS, peers: [Peer.cidr('169.254.169.254/32')], ports: [Port.allTraffic()] }),
  },
  {
    feature: 'admin.allow',
    levels: lv('unsupported', E, E),
    build: c => new ClusterAlwaysAllow(c, 'monitoring', { priority: 20, direction: PolicyDirection.INGRESS, peers: [Peer.pods({ namespace: 'monitoring', podLabels: { app: 'prometheus' } })], ports: [Port.tcp(9090)] }),
  },
  {
    feature: 'admin.delegate',
    levels: lv('unsupported', 'unsupported', E),
    build: c => new ClusterDelegateToNamespaces(c, 'own-namespace', { priority: 30, direction: PolicyDirection.EGRESS, peers: [Peer.namespacesWithLabels({ tenant: 'a' })], ports: [Port.allTraffic()], namespaceLabels: { tenant: 'a' } }),
  },
];

/** Each engine as declared by default, and with every opt-in it offers. */
const PLAIN: Record<EngineName, () => Engine> = {
  kubernetes: () => testEngine.kubernetes(),
  cilium: () => testEngine.cilium(),
  calico: () => testEngine.calico(),
};
const OPTED_IN: Record<EngineName, () => Engine> = {
  kubernetes: () => testEngine.kubernetes({ serviceAccountLabel: 'sa' }),
  cilium: () => testEngine.cilium({ nodeLocalDnsViaHost: true }),
  calico: () => testEngine.calico({ applicationLayerPolicy: true, enterprise: true }),
};

/** Unsupported rows an engine option turns on (the option declares what the cluster runs). */
const ENABLED_BY_OPT_IN = new Set(['calico allow.http', 'calico peer.fqdn']);

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

/** Every (direction, protocol, port) the rules of Kubernetes or Calico objects allow, in one neutral notation. */
function portsOf(objects: any[]): string[] {
  const out = new Set<string>();
  for (const o of objects) {
    for (const dir of ['ingress', 'egress']) {
      for (const rule of o.spec?.[dir] ?? []) {
        if (o.apiVersion === 'networking.k8s.io/v1') {
          if (!rule.ports) out.add(`${dir} any`);
          for (const p of rule.ports ?? []) out.add(`${dir} ${p.protocol ?? 'TCP'} ${p.port ?? '*'}${p.endPort ? `-${p.endPort}` : ''}`);
        } else {
          if (!rule.protocol) out.add(`${dir} any`);
          else if (!rule.destination?.ports) out.add(`${dir} ${rule.protocol} *`);
          for (const p of rule.destination?.ports ?? []) out.add(`${dir} ${rule.protocol} ${String(p).replace(':', '-')}`);
        }
      }
    }
  }
  return [...out].sort();
}

describe('capability rows: Kubernetes, Cilium and Calico side by side', () => {
  test('every model feature but mutual TLS has a row here, and every table has every feature', () => {
    const features = Object.keys(FEATURE_DESCRIPTIONS).filter(f => !f.startsWith('mtls.')).sort();
    expect(ROWS.map(r => r.feature).sort()).toEqual(features);
    for (const engine of Object.values(PLAIN)) {
      expect(Object.keys(engine()._dialect.capabilities).sort()).toEqual(Object.keys(FEATURE_DESCRIPTIONS).sort());
    }
  });

  test('Calico refuses mutual TLS with a fix, like every CNI engine', () => {
    const table = testEngine.calico()._dialect.capabilities;
    for (const f of ['mtls.strict', 'mtls.permissive', 'mtls.port-exception'] as const) {
      expect(table[f].level).toBe('unsupported');
      expect(table[f].fix).toContain('Engine.calico()');
    }
  });

  test('the Calico opt-ins turn exactly the HTTP and DNS-name rows on, and nothing else', () => {
    const plain = testEngine.calico()._dialect.capabilities;
    const alp = testEngine.calico({ applicationLayerPolicy: true })._dialect.capabilities;
    const ent = testEngine.calico({ enterprise: true })._dialect.capabilities;
    const changed = (t: typeof plain) => (Object.keys(plain) as Feature[]).filter(f => t[f].level !== plain[f].level);
    expect(changed(alp)).toEqual(['allow.http']);
    expect(changed(ent)).toEqual(['peer.fqdn']);
  });

  describe.each(ROWS)('$feature', row => {
    test.each(['kubernetes', 'cilium', 'calico'] as const)('on %s: the declared level is what synthesis does', engineName => {
      const level = row.levels[engineName];
      expect(PLAIN[engineName]()._dialect.capabilities[row.feature].level).toBe(level);
      const plain = synth(PLAIN[engineName](), row.build);
      expect(plain.features).toContain(row.feature);
      if (level === 'exact') {
        expect(plain.error).toBeUndefined();
        expectValidManifests(plain.objects!);
        return;
      }
      // Fails, and the message names the engine, the feature and a fix.
      expect(plain.error).toContain(`the ${engineName} engine cannot express ${FEATURE_DESCRIPTIONS[row.feature]}`);
      expect(plain.error).toContain('Fix:');
      const opted = synth(OPTED_IN[engineName](), row.build);
      if (level === 'unsupported' && !ENABLED_BY_OPT_IN.has(`${engineName} ${row.feature}`)) {
        expect(opted.error).toContain(FEATURE_DESCRIPTIONS[row.feature]);
      } else {
        expect(opted.error).toBeUndefined();
        // Calico Enterprise's destination.domains is the one field the Open Source schema lacks.
        const objects = row.feature === 'peer.fqdn' && engineName === 'calico'
          ? opted.objects!.filter(o => !JSON.stringify(o).includes('"domains"'))
          : opted.objects!;
        expectValidManifests(objects);
      }
    });

    test('where Kubernetes and Calico both render it, both allow the same ports in the same directions', () => {
      const k8s = synth(OPTED_IN.kubernetes(), row.build);
      const cal = synth(OPTED_IN.calico(), row.build);
      if (k8s.error || cal.error) return; // compared only where both render (levels pinned above)
      expect(portsOf(cal.objects!)).toEqual(portsOf(k8s.objects!));
    });
  });
});
