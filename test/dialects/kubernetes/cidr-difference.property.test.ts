import * as fc from 'fast-check';
import * as ipaddr from 'ipaddr.js';
import { cidrDifference } from '../../../src/dialects/kubernetes/cidr-difference';

const RUNS = Number(process.env.EQUIVALENCE_RUNS ?? 300);

/** A block inside 10.0.0.0/24 (256 addresses), so every address can be checked one by one. */
const block = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 32 }))
  .map(([host, prefix]) => `10.0.0.${host - (host % 2 ** (32 - prefix))}/${prefix}`);

const inside = (address: string, cidr: string) => ipaddr.parse(address).match(ipaddr.parseCIDR(cidr));

describe('cidrDifference', () => {
  test('covers exactly the addresses of the block that no exception covers, with disjoint blocks (brute force over every address)', () => {
    fc.assert(fc.property(block, fc.array(block, { maxLength: 4 }), (cidr, excepts) => {
      const blocks = cidrDifference(cidr, excepts);
      for (let host = 0; host < 256; host++) {
        const address = `10.0.0.${host}`;
        const expected = inside(address, cidr) && !excepts.some(e => inside(address, e));
        const covering = blocks.filter(b => inside(address, b)).length;
        expect([address, covering]).toEqual([address, expected ? 1 : 0]);
      }
    }), { numRuns: RUNS });
  });

  test('keeps a block without exceptions as it is, and IPv6 blocks in IPv6 notation', () => {
    expect(cidrDifference('192.0.2.0/24', [])).toEqual(['192.0.2.0/24']);
    expect(cidrDifference('fd00::/120', ['fd00::80/121'])).toEqual(['fd00::/121']);
    expect(cidrDifference('10.0.0.0/8', ['10.0.0.0/8'])).toEqual([]);
  });
});
