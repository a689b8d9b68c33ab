import { Chart, Testing } from 'cdk8s';
import { AllowDns, DefaultDeny, Engine, PolicyDirection, Workload } from '../../src';
import { byName, chartWith, errorOf, synthValid } from '../helpers/synth';

describe('DefaultDeny', () => {
  test('denies both directions for every pod of the chart namespace by default', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'default-deny');
    new AllowDns(chart, 'dns');
    const np = byName(synthValid(chart), 'default-deny');
    expect(np.metadata.namespace).toBe('production');
    expect(np.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('denies ingress only, with policyTypes spelled out and no rules', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'deny-in', { directions: [PolicyDirection.INGRESS] });
    expect(byName(synthValid(chart), 'deny-in').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });

  test('denies egress only for a subset of pods in another namespace', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'deny-out', { namespace: 'batch', directions: [PolicyDirection.EGRESS], pods: Workload.select({ tier: 'jobs' }), acknowledgeDnsBlocked: true });
    const np = byName(synthValid(chart), 'deny-out');
    expect(np.metadata.namespace).toBe('batch');
    expect(np.spec).toEqual({ podSelector: { matchLabels: { tier: 'jobs' } }, policyTypes: ['Egress'] });
  });

  test('fails synthesis when egress is denied and no AllowDns covers the pods (seed failure case 1)', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'default-deny');
    const msg = errorOf(() => synthValid(chart));
    expect(msg).toContain('[test/default-deny]');
    expect(msg).toContain('no AllowDns covers these pods');
    expect(msg).toContain("Fix: add new AllowDns(scope, 'allow-dns', { namespace: 'production' })");
    expect(msg).toContain('acknowledgeDnsBlocked: true');
  });

  test('an AllowDns for other pods does not satisfy the DNS guardrail', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'default-deny');
    new AllowDns(chart, 'dns', { pods: Workload.select({ app: 'web' }) });
    expect(errorOf(() => synthValid(chart))).toContain('no AllowDns covers these pods');
  });

  test('an AllowDns in another namespace does not satisfy the DNS guardrail', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'default-deny');
    new AllowDns(chart, 'dns', { namespace: 'other' });
    expect(errorOf(() => synthValid(chart))).toContain('no AllowDns covers these pods');
  });

  test('ingress-only deny needs no DNS allowance', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'deny-in', { directions: [PolicyDirection.INGRESS] });
    expect(synthValid(chart)).toHaveLength(1);
  });

  test.each([
    ['no directions', { directions: [] }, 'invalid directions: got []', 'leave `directions` out'],
    ['an unknown direction', { directions: ['sideways' as PolicyDirection] }, 'invalid entry of directions: got "sideways"', 'PolicyDirection enum'],
    ['an invalid namespace', { namespace: 'Production' }, 'invalid namespace: got "Production"', 'e.g. "production"'],
  ])('throws at construction for %s, naming the construct path', (_, props, message, fix) => {
    const chart = chartWith();
    const msg = errorOf(() => new DefaultDeny(chart, 'deny', props as any));
    expect(msg).toMatch(/^\[test\/deny\] /);
    expect(msg).toContain(message);
    expect(msg).toContain(fix);
  });

  test('throws when neither the prop nor the chart names a namespace', () => {
    const chart = new Chart(Testing.app(), 'no-namespace');
    Engine.attach(chart, Engine.kubernetes());
    expect(errorOf(() => new DefaultDeny(chart, 'deny'))).toContain('pass `namespace` to this construct, or create its Chart with { namespace }');
  });

  test('throws on a duplicate construct id', () => {
    const chart = chartWith();
    new DefaultDeny(chart, 'deny', { directions: [PolicyDirection.INGRESS] });
    expect(errorOf(() => new DefaultDeny(chart, 'deny', { directions: [PolicyDirection.INGRESS] }))).toContain("There is already a Construct with name 'deny' in Chart [test]");
  });
});
