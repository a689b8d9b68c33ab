import { parseCidr, parseIpAddress } from '../../../src/analysis';
import { ExternalAddressClasses } from '../../../src/analysis/engine/external-classes';

// The outside of the cluster cut by the input's CIDRs: a class per CIDR minus the CIDRs inside it,
// minus the pods' addresses. Expected classes are read from the CIDR tree by hand.

const cidrs = (...texts: string[]) => texts.map(parseCidr);

describe('external address classes', () => {
  test('a class per CIDR of the tree, described as the CIDR except its children', () => {
    const classes = ExternalAddressClasses.build(cidrs('10.0.0.0/8', '10.1.0.0/16', '192.168.0.0/16', '2001:db8::/32'), []);
    expect(classes.classes.map((c) => c.label)).toEqual([
      '0.0.0.0/0 except [10.0.0.0/8, 192.168.0.0/16]',
      '10.0.0.0/8 except 10.1.0.0/16',
      '10.1.0.0/16',
      '192.168.0.0/16',
      '::/0 except 2001:db8::/32',
      '2001:db8::/32',
    ]);
    expect(classes.familyRange('IPv4')).toEqual([0, 4]);
    expect(classes.familyRange('IPv6')).toEqual([4, 6]);
  });

  test('finds the class of an address, and leaves pod addresses out of every class', () => {
    const classes = ExternalAddressClasses.build(cidrs('10.0.0.0/8', '10.1.0.0/16'), [parseIpAddress('10.1.0.5'), parseIpAddress('10.0.0.1')]);
    const label = (ip: string) => {
      const index = classes.classOf(parseIpAddress(ip));
      return index === undefined ? undefined : classes.classes[index].label;
    };
    expect(label('10.1.255.255')).toBe('10.1.0.0/16');
    expect(label('10.2.0.1')).toBe('10.0.0.0/8 except 10.1.0.0/16');
    expect(label('11.0.0.0')).toBe('0.0.0.0/0 except 10.0.0.0/8');
    expect(label('10.1.0.5')).toBeUndefined(); // a pod's address is that pod
    expect(classes.classes.map((c) => c.withoutPodAddresses)).toEqual([false, true, true, false]);
    // The representative is an address of the class, never a pod's.
    expect(classes.classes.map((c) => c.representative.text)).toEqual(['0.0.0.0', '10.0.0.0', '10.1.0.0', '::']);
  });

  test('a CIDR covered by its children or by pod addresses has no class', () => {
    const covered = ExternalAddressClasses.build(cidrs('10.0.0.0/8', '10.0.0.0/9', '10.128.0.0/9'), []);
    expect(covered.classes.map((c) => c.label)).toEqual(['0.0.0.0/0 except 10.0.0.0/8', '10.0.0.0/9', '10.128.0.0/9', '::/0']);
    const podOnly = ExternalAddressClasses.build(cidrs('10.0.0.7/32'), [parseIpAddress('10.0.0.7')]);
    expect(podOnly.classes.map((c) => c.label)).toEqual(['0.0.0.0/0 except 10.0.0.7/32', '::/0']);
  });

  test('an ipBlock holds the classes inside its CIDR and outside its excepts', () => {
    const classes = ExternalAddressClasses.build(cidrs('0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '192.168.0.0/16'), []);
    const inside = (cidr: string, except: string[]) => classes.rangesWithin(parseCidr(cidr), except.map(parseCidr))
      .flatMap(([start, end]) => classes.classes.slice(start, end).map((c) => c.label));
    expect(inside('0.0.0.0/0', ['10.0.0.0/8'])).toEqual(['0.0.0.0/0 except [10.0.0.0/8, 192.168.0.0/16]', '192.168.0.0/16']);
    expect(inside('10.0.0.0/8', [])).toEqual(['10.0.0.0/8 except 10.1.0.0/16', '10.1.0.0/16']);
    expect(inside('10.1.0.0/16', ['10.0.0.0/8'])).toEqual([]);
    expect(() => classes.rangesWithin(parseCidr('172.16.0.0/12'), [])).toThrow(/not part of this address partition/);
  });
});
