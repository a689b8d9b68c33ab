import { AllowDns, EgressToCidr, Port, Workload } from '../../src';
import { byName, chartWith, errorOf, synthValid } from '../helpers/synth';
import { testEngine } from '../helpers/target';

const backend = Workload.select({ app: 'backend-api' });

describe('EgressToCidr', () => {
  test('allows a workload to a CIDR minus private ranges on a port', () => {
    const chart = chartWith();
    new AllowDns(chart, 'dns');
    new EgressToCidr(chart, 'https', { workload: backend, cidr: '0.0.0.0/0', exceptCidrs: ['192.168.0.0/16', '10.0.0.0/8', '172.16.0.0/12'], ports: [Port.tcp(443)] });
    expect(byName(synthValid(chart), 'https-egress').spec).toEqual({
      podSelector: { matchLabels: { app: 'backend-api' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 443 }] }],
    });
  });

  test('supports IPv6 blocks', () => {
    const chart = chartWith();
    new AllowDns(chart, 'dns');
    new EgressToCidr(chart, 'v6', { workload: backend, cidr: '2001:db8::/32', exceptCidrs: ['2001:db8:ff::/48'], ports: [Port.udp(443)] });
    expect(byName(synthValid(chart), 'v6-egress').spec.egress[0].to).toEqual([{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:ff::/48'] } }]);
  });

  test('isolates the workload\'s egress, so it needs DNS or an acknowledgement', () => {
    const chart = chartWith();
    new EgressToCidr(chart, 'rds', { workload: backend, cidr: '10.100.0.0/16', ports: [Port.tcp(5432)] });
    expect(errorOf(() => synthValid(chart))).toContain('[test/rds] egress of production/app=backend-api is default-deny');
    const ack = chartWith();
    new EgressToCidr(ack, 'rds', { workload: backend, cidr: '10.100.0.0/16', ports: [Port.tcp(5432)], acknowledgeDnsBlocked: true });
    expect(synthValid(ack)).toHaveLength(1);
  });

  test('an AllowDns for exactly the same pods satisfies the guardrail', () => {
    const chart = chartWith();
    new AllowDns(chart, 'dns', { pods: backend });
    new EgressToCidr(chart, 'rds', { workload: backend, cidr: '10.100.0.0/16', ports: [Port.tcp(5432)] });
    expect(synthValid(chart)).toHaveLength(2);
  });

  test.each([
    ['a malformed CIDR', { cidr: 'not-a-cidr' }, 'invalid CIDR of EgressToCidr: got "not-a-cidr"', 'write the network address and the prefix length'],
    ['a CIDR with host bits set', { cidr: '10.100.1.0/16' }, 'expected the network address of the block', 'write "10.100.0.0/16"'],
    ['an except outside the CIDR', { exceptCidrs: ['192.168.0.0/16'] }, 'expected a block strictly inside 10.100.0.0/16', 'widen the CIDR'],
    ['an IPv6 except in an IPv4 block', { exceptCidrs: ['2001:db8::/32'] }, 'cannot mix IPv4 and IPv6', 'separate Peer.ipv6()'],
    ['an except that is not a list', { exceptCidrs: '10.100.1.0/24' }, 'invalid exceptCidrs of EgressToCidr', 'pass an array'],
    ['no ports', { ports: [] }, 'invalid ports: got []', 'Port.allTcp()'],
    ['a port out of range', { ports: [Port.tcp(-1)] }, 'got -1; expected an integer from 1 to 65535', 'Fix:'],
  ])('throws at construction for %s', (_, override, message, fix) => {
    const msg = errorOf(() => new EgressToCidr(chartWith(), 'bad', { workload: backend, cidr: '10.100.0.0/16', ports: [Port.tcp(5432)], ...override } as any));
    expect(msg).toMatch(/^\[test\/bad\] /);
    expect(msg).toContain(message);
    expect(msg).toContain(fix);
  });
});
