import { cidrContains, cidrContainsCidr, parseCidr, parseIpAddress, tryParseCidr, tryParseIpAddress } from '../../../src/analysis';

describe('IP addresses', () => {
  test.each([
    ['10.0.0.1', 'IPv4', '10.0.0.1'],
    ['010.000.000.001', 'IPv4', '10.0.0.1'],
    ['fd00:0:0:0:0:0:0:1', 'IPv6', 'fd00::1'],
    ['FD00::A', 'IPv6', 'fd00::a'],
    ['::ffff:10.0.0.1', 'IPv6', '::ffff:a00:1'],
  ])('reads %s as %s %s', (text, family, canonical) => {
    expect(parseIpAddress(text)).toMatchObject({ family, text: canonical });
  });

  test.each([
    ['256.0.0.1', 'expected an IPv4 address with four parts from 0 to 255, got "256.0.0.1"'],
    ['10.1', 'expected an IP address such as 10.0.0.1 or fd00::1, got "10.1"'],
    ['0x0a.0.0.1', 'expected an IP address such as 10.0.0.1 or fd00::1, got "0x0a.0.0.1"'],
    ['fe80::1%eth0', 'expected an IPv6 address without a zone, got "fe80::1%eth0"'],
    ['fd00::1::2', 'expected an IPv6 address such as fd00::1, got "fd00::1::2"'],
    [' 10.0.0.1', 'expected an IP address such as 10.0.0.1 or fd00::1, got " 10.0.0.1"'],
  ])('rejects %s', (text, message) => {
    expect(tryParseIpAddress(text)).toBe(message);
    expect(() => parseIpAddress(text)).toThrow(message);
  });
});

describe('CIDRs', () => {
  test.each([
    ['10.0.0.0/8', '10.0.0.0/8', false],
    ['10.1.2.3/16', '10.1.0.0/16', true],
    ['10.1.2.3/32', '10.1.2.3/32', false],
    ['0.0.0.0/0', '0.0.0.0/0', false],
    ['192.168.1.77/0', '0.0.0.0/0', true],
    ['2001:db8::1/64', '2001:db8::/64', true],
    ['2001:DB8:0:0:1::/80', '2001:db8:0:0:1::/80', false],
    ['::/0', '::/0', false],
  ])('reads %s as the network %s (host bits set: %s)', (text, canonical, hostBitsSet) => {
    expect(parseCidr(text)).toMatchObject({ text: canonical, original: text, hostBitsSet });
  });

  test.each([
    ['10.0.0.0', 'expected a CIDR such as 10.0.0.0/16 or fd00::/64, got "10.0.0.0" (the prefix length is missing; did you mean 10.0.0.0/32?)'],
    ['fd00::', 'expected a CIDR such as 10.0.0.0/16 or fd00::/64, got "fd00::" (the prefix length is missing; did you mean fd00::/128?)'],
    ['10.0.0.0/', 'expected a prefix length from 0 to 32 after "/", got "10.0.0.0/"'],
    ['fd00::/129', 'expected a prefix length from 0 to 128 after "/", got "fd00::/129"'],
    ['10.0.0.0/-1', 'expected a prefix length from 0 to 32 after "/", got "10.0.0.0/-1"'],
    ['10.0.0/8', 'expected a CIDR such as 10.0.0.0/16 or fd00::/64, got "10.0.0/8" (expected an IP address such as 10.0.0.1 or fd00::1, got "10.0.0")'],
  ])('rejects %s', (text, message) => {
    expect(tryParseCidr(text)).toBe(message);
  });

  test('contains addresses of its own family only, from the first to the last address', () => {
    const v4 = parseCidr('10.1.0.0/16');
    expect(['10.1.0.0', '10.1.255.255', '10.1.128.7'].map((ip) => cidrContains(v4, parseIpAddress(ip)))).toEqual([true, true, true]);
    expect(['10.0.255.255', '10.2.0.0', '::ffff:10.1.0.1'].map((ip) => cidrContains(v4, parseIpAddress(ip)))).toEqual([false, false, false]);
    const v6 = parseCidr('fd00:1::/32');
    expect(cidrContains(v6, parseIpAddress('fd00:1:ffff::1'))).toBe(true);
    expect(cidrContains(v6, parseIpAddress('fd00:2::1'))).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0'), parseIpAddress('fd00::1'))).toBe(false);
  });

  test('knows when one network lies inside another', () => {
    expect(cidrContainsCidr(parseCidr('10.0.0.0/8'), parseCidr('10.1.0.0/16'))).toBe(true);
    expect(cidrContainsCidr(parseCidr('10.0.0.0/8'), parseCidr('10.0.0.0/8'))).toBe(true);
    expect(cidrContainsCidr(parseCidr('10.1.0.0/16'), parseCidr('10.0.0.0/8'))).toBe(false);
    expect(cidrContainsCidr(parseCidr('10.0.0.0/8'), parseCidr('11.0.0.0/16'))).toBe(false);
    expect(cidrContainsCidr(parseCidr('::/0'), parseCidr('10.0.0.0/8'))).toBe(false);
  });
});
