import { ClusterModel, ConnectionSpace } from '../../../src/analysis';
import { irPolicy, podsIn, rule, rules } from '../support/ir-builders';

// Connection sets print as merged ranges and serialize as protocol -> [[from, to], ...]. The
// expected texts are written from the definition in docs/ANALYSIS.md, not from a run.

const space = ConnectionSpace.forPolicies(ClusterModel.create({}), [[irPolicy({
  name: 'p',
  subject: podsIn('x'),
  ingress: rules([rule('allow', {
    ports: [
      { protocol: 'TCP', port: 22 }, { protocol: 'TCP', port: 1000, endPort: 2999 }, { protocol: 'UDP', port: 53 },
      { protocol: 'ANY', port: 8000, endPort: 8999 },
    ],
  })]),
})]]);

describe('connection sets', () => {
  test('print as merged ranges per protocol, joined with commas', () => {
    expect(space.ports('TCP', 1000, 2999).union(space.ports('UDP', 53, 53)).format()).toBe('TCP 1000-2999, UDP 53');
    expect(space.ports('TCP', 22, 22).union(space.ports('TCP', 1000, 2999)).format()).toBe('TCP 22,1000-2999');
    expect(space.ports('ANY', 8000, 8999).format()).toBe('TCP 8000-8999, UDP 8000-8999, SCTP 8000-8999');
  });

  test('say all, all but and nothing in words', () => {
    expect(space.full.format()).toBe('all traffic');
    expect(space.empty.format()).toBe('nothing');
    expect(space.ports('TCP').format()).toBe('all TCP');
    expect(space.ports('TCP').subtract(space.ports('TCP', 22, 22)).format()).toBe('all TCP except 22');
    expect(space.full.subtract(space.ports('UDP', 53, 53)).format()).toBe('all TCP, all UDP except 53, all SCTP');
  });

  test('serialize as protocol to inclusive ranges, leaving out protocols without connections', () => {
    expect(JSON.parse(JSON.stringify(space.ports('TCP', 1000, 2999).union(space.ports('UDP', 53, 53)))))
      .toEqual({ TCP: [[1000, 2999]], UDP: [[53, 53]] });
    expect(space.full.toJSON()).toEqual({ TCP: [[1, 65535]], UDP: [[1, 65535]], SCTP: [[1, 65535]] });
    expect(space.empty.toJSON()).toEqual({});
  });

  test('are interned: equal sets are the same object, and operations give equal sets', () => {
    const a = space.ports('TCP', 1000, 2999);
    expect(a.union(space.ports('UDP', 53, 53)).subtract(space.ports('UDP'))).toBe(a);
    expect(a.intersect(space.ports('TCP'))).toBe(a);
    expect(a.contains(2999, 'TCP')).toBe(true);
    expect(a.contains(3000, 'TCP')).toBe(false);
    expect(a.contains(1000, 'UDP')).toBe(false);
  });

  test('throws on a port outside 1-65535 and a range that does not fall on atom boundaries', () => {
    expect(() => space.atomAt(0, 'TCP')).toThrow('port: expected an integer from 1 to 65535, got 0');
    expect(() => space.ports('TCP', 1001, 2999)).toThrow(/does not fall on atom boundaries/);
  });
});
