import { Port, Protocol } from '../../src';

describe('Port', () => {
  test.each([
    [Port.tcp(8080), { protocol: 'TCP', port: 8080 }, 'TCP 8080'],
    [Port.udp(53), { protocol: 'UDP', port: 53 }, 'UDP 53'],
    [Port.sctp(3868), { protocol: 'SCTP', port: 3868 }, 'SCTP 3868'],
    [Port.tcpRange(30000, 32767), { protocol: 'TCP', port: 30000, endPort: 32767 }, 'TCP 30000-32767'],
    [Port.udpRange(1000, 2000), { protocol: 'UDP', port: 1000, endPort: 2000 }, 'UDP 1000-2000'],
    [Port.sctpRange(1, 2), { protocol: 'SCTP', port: 1, endPort: 2 }, 'SCTP 1-2'],
    [Port.named('metrics'), { protocol: 'TCP', port: 'metrics' }, 'TCP metrics'],
    [Port.named('dns', Protocol.UDP), { protocol: 'UDP', port: 'dns' }, 'UDP dns'],
    [Port.allTcp(), { protocol: 'TCP' }, 'all TCP ports'],
    [Port.allUdp(), { protocol: 'UDP' }, 'all UDP ports'],
    [Port.allSctp(), { protocol: 'SCTP' }, 'all SCTP ports'],
    [Port.allTraffic(), { protocol: 'ANY' }, 'all traffic'],
  ])('models %s exactly and prints it readably', (port, model, text) => {
    expect(port._model).toEqual(model);
    expect(port._problems).toEqual([]);
    expect(port.toString()).toBe(text);
  });

  test('a range of one port is a single port', () => {
    expect(Port.tcpRange(443, 443)._model).toEqual({ protocol: 'TCP', port: 443 });
  });

  test.each([
    ['port 0', Port.tcp(0), 'an integer from 1 to 65535'],
    ['port 65536', Port.udp(65536), 'an integer from 1 to 65535'],
    ['a fractional port', Port.tcp(80.5), 'an integer from 1 to 65535'],
    ['a range that ends before it starts', Port.tcpRange(2000, 1000), 'an end port greater than or equal to the start port'],
    ['a range past 65535', Port.udpRange(1, 70000), 'an integer from 1 to 65535'],
    ['a named port with upper case', Port.named('Metrics'), 'an IANA service name'],
    ['a named port longer than 15 characters', Port.named('a-very-long-port-name'), 'an IANA service name'],
    ['a named port of digits only', Port.named('8080'), 'an IANA service name'],
    ['a named port with a double hyphen', Port.named('my--port'), 'an IANA service name'],
    ['a protocol other than TCP/UDP/SCTP', Port.named('ping', 'ICMP' as Protocol), 'one of TCP, UDP, SCTP'],
  ])('records a problem for %s', (_, port, expected) => {
    expect(port._problems.map(p => p.expected).join(' | ')).toContain(expected);
  });

  test('suggests the swapped range as the fix', () => {
    expect(Port.tcpRange(2000, 1000)._problems[0].fix).toBe('write Port.tcpRange(1000, 2000)');
  });
});
