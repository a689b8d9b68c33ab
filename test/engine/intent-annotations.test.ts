import { App, Chart, Testing } from 'cdk8s';
import {
  AllowDns, AllowFrom, ClusterAllowDns, ClusterDefaultDeny, DefaultDeny, EgressToCidr, Engine, HttpRule, IstioMode, IstioPathNormalization, Peer,
  Port, Workload,
  ZeroTrustNamespace,
} from '../../src';
import { calicoRuleMetadata, ciliumIntentLabels, intentAnnotations } from '../helpers/intent-metadata';
import { expectValidManifests } from '../helpers/schema';
import { byName } from '../helpers/synth';

const web = Workload.select({ app: 'web' });
const api = Workload.select({ app: 'api' });
// Declared to run as its own account, so that Istio can name it too.
const cart = Workload.select({ app: 'cart' }, { namespace: 'shop', serviceAccount: 'cart', exclusiveServiceAccount: true });

/** An app with a chart per namespace and several intents, every object of which is returned. */
function synthesize(engine: () => Engine): any[] {
  const app = Testing.app();
  const prod = new Chart(app, 'prod', { namespace: 'prod' });
  const shop = new Chart(app, 'shop', { namespace: 'shop' });
  for (const chart of [prod, shop]) {
    Engine.attach(chart, engine());
    new DefaultDeny(chart, 'deny');
    new AllowDns(chart, 'dns');
  }
  new AllowFrom(prod, 'web-to-api', { to: api, peers: [Peer.workload(cart)], ports: [Port.tcp(8080)] });
  new EgressToCidr(prod, 'to-bank', { workload: web, cidr: '203.0.113.0/24', ports: [Port.tcp(443)] });
  const objs = Testing.synth(prod).concat(Testing.synth(shop));
  expectValidManifests(objs);
  return objs;
}

// The CIDR peer needs the cluster's own ranges declared (target profiles).
const target = { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] };
const ENGINES: [string, () => Engine][] = [
  ['kubernetes', () => Engine.kubernetes({ target })],
  ['cilium', () => Engine.cilium({ target })],
  ['calico', () => Engine.calico({ target })],
  ['istio (sidecar) on Kubernetes', () => Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes({ target }), target })],
  ['istio (ambient) on Calico', () => Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.calico({ target }), target })],
];

describe('every rendered object names the intent behind it', () => {
  test.each(ENGINES)('on %s, every object carries the intent and its construct path', (_name, engine) => {
    const objs = synthesize(engine);
    expect(objs.length).toBeGreaterThan(4);
    const paths = new Set(['prod/deny', 'prod/dns', 'shop/deny', 'shop/dns', 'prod/web-to-api', 'prod/to-bank']);
    for (const o of objs) {
      const annotations = o.metadata.annotations ?? {};
      expect(paths.has(annotations['zero-trust.cdk8s.io/construct-path'])).toBe(true);
      const intent = annotations['zero-trust.cdk8s.io/intent'];
      const byPath: Record<string, string> = {
        'prod/deny': 'DefaultDeny', 'shop/deny': 'DefaultDeny', 'prod/dns': 'AllowDns', 'shop/dns': 'AllowDns', 'prod/web-to-api': 'AllowFrom', 'prod/to-bank': 'EgressToCidr',
      };
      expect(intent).toBe(byPath[annotations['zero-trust.cdk8s.io/construct-path']]);
    }
  });

  test('the other side of an allowance, filed in the chart of its namespace, names the intent that needs it', () => {
    const objs = synthesize(() => Engine.kubernetes({ target }));
    const half = byName(objs, 'web-to-api-egress-shop');
    expect(half.metadata.namespace).toBe('shop');
    expect(half.metadata.annotations).toEqual(intentAnnotations('prod/web-to-api', 'AllowFrom'));
  });

  test('intents inside a pattern carry their own path below the pattern', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'app', { namespace: 'prod' });
    Engine.attach(chart, Engine.kubernetes());
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'prod', acknowledgeNoEncryption: true });
    const paths = Testing.synth(chart).map(o => `${o.metadata.annotations['zero-trust.cdk8s.io/intent']} ${o.metadata.annotations['zero-trust.cdk8s.io/construct-path']}`);
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) expect(p).toMatch(/^\w+ app\/zt\//);
  });

  test('Cilium rule labels carry the intent too, so Hubble names it in egress_allowed_by and ingress_denied_by', () => {
    const objs = synthesize(() => Engine.cilium({ target }));
    expect(byName(objs, 'web-to-api-ingress').spec.labels).toEqual(ciliumIntentLabels('prod/web-to-api', 'AllowFrom'));
    expect(byName(objs, 'deny').spec.labels).toEqual(ciliumIntentLabels('prod/deny', 'DefaultDeny'));
    for (const o of objs) expect(o.spec.labels).toEqual(ciliumIntentLabels(o.metadata.annotations['zero-trust.cdk8s.io/construct-path'], o.metadata.annotations['zero-trust.cdk8s.io/intent']));
  });

  test('Calico rules carry the intent in their metadata, cluster-wide rules included', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'platform');
    Engine.attach(chart, Engine.calico());
    new ClusterDefaultDeny(chart, 'baseline');
    new ClusterAllowDns(chart, 'baseline-dns');
    const objs = Testing.synth(chart);
    expectValidManifests(objs);
    const gnp = byName(objs, 'baseline-dns', 'GlobalNetworkPolicy');
    expect(gnp.spec.egress.length).toBeGreaterThan(0);
    for (const rule of gnp.spec.egress) expect(rule.metadata).toEqual(calicoRuleMetadata('platform/baseline-dns', 'ClusterAllowDns'));
  });

  test('Istio mesh plumbing that serves several intents says so, and names the intent holding it', () => {
    const app = new App();
    const chart = new Chart(app, 'prod', { namespace: 'prod' });
    // An HTTP rule needs the mesh's path normalization declared (target profiles).
    Engine.attach(chart, Engine.istio({
      mode: IstioMode.AMBIENT, cni: Engine.kubernetes(), target: { istioPathNormalization: IstioPathNormalization.DECODE_AND_MERGE_SLASHES },
    }));
    new DefaultDeny(chart, 'deny');
    new AllowDns(chart, 'dns');
    new AllowFrom(chart, 'web-to-api', { to: Workload.select({ app: 'api' }, { service: 'api', servicePorts: [{ port: 8080 }] }), peers: [Peer.serviceAccount('web')], ports: [Port.tcp(8080)], http: [HttpRule.get('/')] });
    const objs = Testing.synth(chart);
    const shared = objs.filter(o => o.metadata.annotations['zero-trust.cdk8s.io/shared'] !== undefined);
    expect(shared.map(o => o.metadata.annotations['zero-trust.cdk8s.io/shared'])).toEqual(expect.arrayContaining(['mesh-hbone', 'waypoint']));
    const gateway = objs.find(o => o.kind === 'Gateway');
    expect(gateway.metadata.annotations).toEqual(intentAnnotations('prod/web-to-api', 'AllowFrom', 'waypoint'));
    // Objects that belong to one intent only carry no such mark.
    expect(byName(objs, 'web-to-api-waypoint', 'AuthorizationPolicy').metadata.annotations).toEqual(intentAnnotations('prod/web-to-api', 'AllowFrom'));
  });

  test('the annotations are the same in every synthesis', () => {
    const a = synthesize(() => Engine.calico({ target })).map(o => o.metadata.annotations);
    const b = synthesize(() => Engine.calico({ target })).map(o => o.metadata.annotations);
    expect(a).toEqual(b);
  });
});
