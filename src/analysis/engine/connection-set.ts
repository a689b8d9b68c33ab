/* eslint-disable no-bitwise -- a connection set is a bit set over the atoms of its space. */
import { Protocol, PROTOCOLS } from '../ir/analysis-policy';

/** What a connection set needs of its space (`ConnectionSpace`, which creates and interns the sets). */
export interface ConnectionAtoms {
  /** Every atom: protocol, first and last port. */
  readonly atoms: readonly PortRange[];
  /** The atom holding a destination port of a protocol. */
  atomAt(port: number, protocol: Protocol): number;
  /** The set of these atoms (indices into `atoms`). */
  fromAtoms(atoms: Iterable<number>): ConnectionSet;
  /** @internal union (`u`), intersection (`i`) or difference (`s`) of two sets of this space. */
  combine(op: 'u' | 'i' | 's', a: ConnectionSet, b: ConnectionSet): ConnectionSet;
}

/** A range of destination ports of one protocol, inclusive. */
export interface PortRange {
  readonly protocol: Protocol;
  readonly from: number;
  readonly to: number;
}

/** Connections as JSON: protocol → inclusive `[from, to]` port ranges (protocols without any are left out). */
export type ConnectionsJson = Partial<Record<Protocol, [number, number][]>>;

/**
 * A set of connections (protocol × destination port, today; see `ConnectionSpace` for the dimensions)
 * as a union of the atoms of its `ConnectionSpace`. Interned: equal sets of one space are the same
 * object, so `equals` is identity and `id` can key caches.
 */
export class ConnectionSet {
  /** @internal */
  constructor(
    public readonly space: ConnectionAtoms,
    public readonly id: number,
    /** @internal one bit per atom */
    public readonly words: Uint32Array,
    private readonly atomCount: number,
  ) {}

  public isEmpty(): boolean {
    return this.atomCount === 0;
  }

  /** True if the set holds every connection (all three protocols, every port). */
  public isFull(): boolean {
    return this.atomCount === this.space.atoms.length;
  }

  public equals(other: ConnectionSet): boolean {
    return this === other;
  }

  public union(other: ConnectionSet): ConnectionSet {
    return this.space.combine('u', this, other);
  }

  public intersect(other: ConnectionSet): ConnectionSet {
    return this.space.combine('i', this, other);
  }

  public subtract(other: ConnectionSet): ConnectionSet {
    return this.space.combine('s', this, other);
  }

  /** True if every connection of `other` is in this set. */
  public includes(other: ConnectionSet): boolean {
    return other.subtract(this).isEmpty();
  }

  /** True if a connection on this destination port and protocol is in the set. */
  public contains(port: number, protocol: Protocol): boolean {
    return this.hasAtom(this.space.atomAt(port, protocol));
  }

  /** True if the atom (an index into `space.atoms`) is in the set. */
  public hasAtom(atom: number): boolean {
    return (this.words[atom >>> 5] & (1 << (atom & 31))) !== 0;
  }

  /** The atoms in the set, ascending. */
  public atoms(): number[] {
    const atoms: number[] = [];
    for (let w = 0; w < this.words.length; w++) {
      let word = this.words[w];
      while (word !== 0) {
        atoms.push(w * 32 + (31 - Math.clz32(word & -word)));
        word &= word - 1;
      }
    }
    return atoms;
  }

  /** The set as maximal port ranges, by protocol (TCP, UDP, SCTP) then port. */
  public ranges(): PortRange[] {
    const ranges: PortRange[] = [];
    for (const atom of this.atoms()) {
      const range = this.space.atoms[atom];
      const last = ranges[ranges.length - 1];
      if (last && last.protocol === range.protocol && last.to + 1 === range.from) {
        ranges[ranges.length - 1] = { protocol: last.protocol, from: last.from, to: range.to };
      } else {
        ranges.push(range);
      }
    }
    return ranges;
  }

  /**
   * Readable and exact: `nothing`, `all traffic` (every port of TCP, UDP and SCTP), or per protocol
   * `all TCP`, `TCP 80,443,1000-2999`, or `all TCP except 22,8000-8999` when that is shorter,
   * protocols joined by `, ` — e.g. `TCP 1000-2999, UDP 53`.
   */
  public format(): string {
    if (this.isEmpty()) {
      return 'nothing';
    }
    if (this.isFull()) {
      return 'all traffic';
    }
    const byProtocol = new Map<Protocol, PortRange[]>();
    for (const range of this.ranges()) {
      byProtocol.set(range.protocol, [...byProtocol.get(range.protocol) ?? [], range]);
    }
    const parts: string[] = [];
    for (const protocol of PROTOCOLS) {
      const ranges = byProtocol.get(protocol);
      if (!ranges) {
        continue;
      }
      const missing = gaps(ranges);
      if (missing.length === 0) {
        parts.push(`all ${protocol}`);
      } else if (missing.length < ranges.length) {
        parts.push(`all ${protocol} except ${missing.map(formatRange).join(',')}`);
      } else {
        parts.push(`${protocol} ${ranges.map(formatRange).join(',')}`);
      }
    }
    return parts.join(', ');
  }

  /** protocol → `[[from, to], …]`, inclusive, protocols without connections left out. */
  public toJSON(): ConnectionsJson {
    const json: ConnectionsJson = {};
    for (const range of this.ranges()) {
      (json[range.protocol] ??= []).push([range.from, range.to]);
    }
    return json;
  }

  public toString(): string {
    return this.format();
  }
}

function formatRange(range: { from: number; to: number }): string {
  return range.from === range.to ? String(range.from) : `${range.from}-${range.to}`;
}

/** The ports of [1, 65535] that sorted, disjoint ranges of one protocol leave out. */
function gaps(ranges: readonly PortRange[]): { from: number; to: number }[] {
  const missing: { from: number; to: number }[] = [];
  let next = 1;
  for (const range of ranges) {
    if (range.from > next) {
      missing.push({ from: next, to: range.from - 1 });
    }
    next = range.to + 1;
  }
  if (next <= 65535) {
    missing.push({ from: next, to: 65535 });
  }
  return missing;
}
