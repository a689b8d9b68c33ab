import { Testing } from 'cdk8s';
import { AllowDns, EgressToFqdn, Engine, Port, Workload } from '../../src';
import { PolicyCompiler } from '../../src/engine/compiler';
import { checkFqdnPattern } from '../../src/intent/egress-to-fqdn';
import { byName, chartWith, errorOf, synthValid } from '../helpers/synth';

const backend = Workload.select({ app: 'backend-api' });

describe('EgressToFqdn', () => {
  test('records an isolating egress allowance with one FQDN peer per name, sorted and de-duplicated', () => {
    const chart = chartWith(Engine.cilium());
    new AllowDns(chart, 'dns');
    new EgressToFqdn(chart, 'apis', { workload: backend, names: ['b.example.com', '*.example.org', 'b.example.com'], ports: [Port.tcp(443), Port.tcp(443)] });
    const s = PolicyCompiler.of(chart).statements().find(x => x.origin.intent === 'EgressToFqdn')!;
    expect(s).toMatchObject({
      kind: 'allow',
      direction: 'egress',
      isolating: true,
      purpose: 'fqdn',
      stage: 'enforce',
      subject: { namespace: 'production' },
      peers: [{ kind: 'fqdn', pattern: '*.example.org' }, { kind: 'fqdn', pattern: 'b.example.com' }],
      ports: [{ protocol: 'TCP', port: 443 }],
    });
    expect(byName(synthValid(chart), 'apis-egress').spec.egress[0].toFQDNs).toEqual([{ matchPattern: '*.example.org' }, { matchName: 'b.example.com' }]);
  });

  test('isolates the workload\'s egress, so the DNS guardrail applies', () => {
    const chart = chartWith(Engine.cilium());
    new EgressToFqdn(chart, 'apis', { workload: backend, names: ['api.example.com'], ports: [Port.tcp(443)] });
    expect(errorOf(() => Testing.synth(chart))).toContain('[test/apis] egress of production/app=backend-api is default-deny');
  });

  test.each([
    ['api.example.com'],
    ['*.example.com'],
    ['a-1.b2.example.co'],
  ])('accepts %s', name => {
    expect(checkFqdnPattern(name)).toEqual([]);
  });

  test.each<[string, unknown, RegExp]>([
    ['an upper-case name', 'API.example.com', /lower-case.*write "api\.example\.com"/],
    ['a trailing dot', 'api.example.com.', /without the trailing dot/],
    ['an infix wildcard', 'api.*.example.com', /"\*" only as the whole leftmost label/],
    ['a partial-label wildcard', 'api*.example.com', /"\*" only as the whole leftmost label/],
    ['a multi-level wildcard', '**.example.com', /"\*" only as the whole leftmost label/],
    ['a single-label name', 'localhost', /at least two labels/],
    ['a whole top-level domain', '*.com', /at least two labels after "\*\."/],
    ['an underscore', 'my_host.example.com', /labels of 1-63 characters/],
    ['a label starting with "-"', '-a.example.com', /labels of 1-63 characters/],
    ['a cluster-internal name', 'db.shop.svc.cluster.local', /outside the cluster.*AllowFrom/],
    ['an empty name', '', /a DNS name such as/],
    ['a non-string', 42, /a DNS name such as/],
  ])('throws on %s', (_what, name, message) => {
    const chart = chartWith(Engine.cilium());
    const msg = errorOf(() => new EgressToFqdn(chart, 'bad', { workload: backend, names: [name as string], ports: [Port.tcp(443)] }));
    expect(msg).toMatch(/^\[test\/bad\] invalid DNS name in names: got /);
    expect(msg).toMatch(message);
  });

  test('throws on an empty name list and on named ports, with fixes', () => {
    const chart = chartWith(Engine.cilium());
    expect(errorOf(() => new EgressToFqdn(chart, 'none', { workload: backend, names: [], ports: [Port.tcp(443)] }))).toContain('invalid names: got []; expected a list with at least one DNS name');
    expect(errorOf(() => new EgressToFqdn(chart, 'named', { workload: backend, names: ['a.example.com'], ports: [Port.named('https')] })))
      .toContain('no pod outside the cluster declares them');
  });
});
