import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { AllowDns, AllowFrom, DefaultDeny, Engine, Peer, PolicyDirection, Port, Workload } from '../../src';
import { objectName } from '../../src/engine/object-name';
import { byName, chartWith, errorOf, synthValid } from '../helpers/synth';

describe('engine selection and compilation', () => {
  test('fails synthesis with a fix when no engine is chosen', () => {
    const chart = new Chart(Testing.app(), 'bare', { namespace: 'production' });
    new DefaultDeny(chart, 'deny', { directions: [PolicyDirection.INGRESS] });
    expect(errorOf(() => Testing.synth(chart))).toContain('[bare/deny] no policy engine is chosen for this intent. Fix: call Engine.attach(chart, Engine.kubernetes())');
  });

  test('an engine can be attached after the intents are created', () => {
    const chart = new Chart(Testing.app(), 'late', { namespace: 'production' });
    new DefaultDeny(chart, 'deny', { directions: [PolicyDirection.INGRESS] });
    Engine.attach(chart, Engine.kubernetes());
    expect(synthValid(chart)).toHaveLength(1);
  });

  test('refuses a second engine on the same scope', () => {
    const chart = chartWith();
    expect(errorOf(() => Engine.attach(chart, Engine.kubernetes()))).toContain('[test] an engine is already attached here (kubernetes)');
  });

  test('an engine attached below the chart overrides the chart\'s for that subtree', () => {
    const chart = chartWith(Engine.kubernetes());
    const team = new Construct(chart, 'team');
    Engine.attach(team, Engine.kubernetes({ serviceAccountLabel: 'sa' }));
    new AllowFrom(team, 'sa', { to: Workload.select({ app: 'a' }), peers: [Peer.serviceAccount('b')], ports: [Port.tcp(80)] });
    expect(Engine.of(team.node.findChild('sa')).name).toBe('kubernetes');
    expect(synthValid(chart)[0].spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: { sa: 'b' } } }]);
  });

  test('Engine.of names the construct when nothing is attached', () => {
    const chart = new Chart(Testing.app(), 'none');
    expect(errorOf(() => Engine.of(chart))).toContain('[none] no policy engine is chosen');
  });

  test('the same app gives byte-identical output', () => {
    const build = () => {
      const app = Testing.app();
      const chart = chartWith(Engine.kubernetes(), 'production', app);
      new DefaultDeny(chart, 'default-deny');
      new AllowDns(chart, 'dns');
      new AllowFrom(chart, 'web', { to: Workload.select({ app: 'web' }), peers: [Peer.workload(Workload.select({ app: 'lb' })), Peer.namespace('ingress')], ports: [Port.tcp(80), Port.tcp(443)] });
      return JSON.stringify(Testing.synth(chart));
    };
    expect(build()).toBe(build());
  });

  test('object names derive from the construct path below the chart', () => {
    const chart = chartWith();
    const group = new Construct(chart, 'team-a');
    new DefaultDeny(group, 'Deny_All', { directions: [PolicyDirection.INGRESS] });
    expect(synthValid(chart).map(o => o.metadata.name)).toEqual(['team-a-deny-all']);
  });

  test('long names are cut to a DNS label with a stable suffix derived from the path', () => {
    const long = 'x'.repeat(80);
    const name = objectName(long, 'ingress');
    expect(name).toHaveLength(63);
    expect(name).toMatch(/^x+-[0-9a-f]{8}$/);
    expect(objectName(long, 'ingress')).toBe(name);
    expect(objectName(long, 'egress')).not.toBe(name);
  });

  test('fails when two intents would render objects with the same name', () => {
    const app = Testing.app();
    const a = chartWith(Engine.kubernetes(), 'production', app);
    const b = new Chart(app, 'other', { namespace: 'production' });
    Engine.attach(b, Engine.kubernetes());
    // Both render "deny" in namespace production.
    new DefaultDeny(a, 'deny', { directions: [PolicyDirection.INGRESS] });
    new DefaultDeny(b, 'deny', { directions: [PolicyDirection.INGRESS] });
    expect(errorOf(() => Testing.synth(a))).toContain('[other/deny] NetworkPolicy production/deny would also be rendered by test/deny');
  });

  test('refuses intents added after synthesis', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const chart = chartWith(Engine.kubernetes(), 'production', app);
    new DefaultDeny(chart, 'deny', { directions: [PolicyDirection.INGRESS] });
    Testing.synth(chart);
    expect(errorOf(() => new DefaultDeny(chart, 'late', { directions: [PolicyDirection.INGRESS] }))).toContain('intents cannot be added after the app was synthesized');
  });

  test('rendered objects appear in the chart in construction order', () => {
    const chart = chartWith();
    new AllowDns(chart, 'dns');
    new DefaultDeny(chart, 'deny');
    expect(synthValid(chart).map(o => o.metadata.name)).toEqual(['dns', 'deny']);
    expect(byName(synthValid(chart), 'deny').spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  test('rendered objects sit below their intent with short ids: the object name without the intent\'s part', () => {
    const chart = chartWith(Engine.kubernetes(), 'shop');
    const zone = new Construct(chart, 'zone');
    new DefaultDeny(zone, 'deny');
    new AllowDns(zone, 'dns');
    new AllowFrom(zone, 'web', { to: Workload.select({ app: 'web' }), peers: [Peer.workload(Workload.select({ app: 'fe' }))], ports: [Port.tcp(80)] });
    const objects = synthValid(chart);
    expect(objects.map(o => o.metadata.name)).toEqual(['zone-deny', 'zone-dns', 'zone-web-ingress', 'zone-web-egress-shop']);
    const paths = chart.node.findAll().filter(c => c.node.scope && ['deny', 'dns', 'web'].includes(c.node.scope.node.id)).map(c => c.node.path);
    expect(paths).toEqual(['test/zone/deny/policy', 'test/zone/dns/policy', 'test/zone/web/ingress', 'test/zone/web/egress-shop']);
  });
});
