import * as ipaddr from 'ipaddr.js';

/** A CIDR as an inclusive address interval of one family. */
interface Interval {
  readonly family: 'ipv4' | 'ipv6';
  readonly first: bigint;
  readonly last: bigint;
}

/** Intervals per CIDR text: an estate repeats a few CIDRs in thousands of intents. Emptied when full. */
const INTERVALS = new Map<string, Interval>();
const MAX_INTERVALS = 10_000;

function interval(cidr: string): Interval {
  let found = INTERVALS.get(cidr);
  if (!found) {
    if (INTERVALS.size >= MAX_INTERVALS) INTERVALS.clear();
    INTERVALS.set(cidr, found = parseInterval(cidr));
  }
  return found;
}

function parseInterval(cidr: string): Interval {
  const [addr, prefix] = ipaddr.parseCIDR(cidr);
  const family = addr.kind() as 'ipv4' | 'ipv6';
  const bits = family === 'ipv4' ? 32 : 128;
  let value = 0n;
  for (const b of addr.toByteArray()) value = value * 256n + BigInt(b);
  const size = 2n ** BigInt(bits - prefix);
  const first = value - (value % size);
  return { family, first, last: first + size - 1n };
}

/**
 * The declared ranges (pod or Service CIDRs) that share an address with
 * `cidr` minus `except`: exact interval arithmetic, no sampling. All inputs
 * are valid CIDR texts (checked where they were given).
 */
export function overlappingRanges(cidr: string, except: readonly string[], ranges: readonly string[]): string[] {
  const c = interval(cidr);
  const holes = except.map(interval).filter(e => e.family === c.family).sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  return ranges.filter(r => {
    const x = interval(r);
    if (x.family !== c.family) return false;
    let from = x.first > c.first ? x.first : c.first;
    const to = x.last < c.last ? x.last : c.last;
    // Walk the sorted holes: any address in [from, to] outside every hole is shared.
    for (const h of holes) {
      if (from > to) return false;
      if (h.last < from) continue;
      if (h.first > from) return true;
      from = h.last + 1n;
    }
    return from <= to;
  });
}
