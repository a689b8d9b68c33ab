/* eslint-disable no-bitwise -- a connection set is a bit set over the atoms of its space. */
import { Protocol, PROTOCOLS } from '../ir/analysis-policy';

/** The request class of an atom that stands for connections carrying no HTTP request. */
export const NO_REQUEST = -1;

/**
 * An atom: a port range of one protocol and, where an HTTP condition applies, one request class
 * (an index into the space's `RequestClasses`, or `NO_REQUEST`); undefined = every request and
 * connections without one alike.
 */
export interface ConnectionAtom extends PortRange {
  readonly request?: number;
}

/** The request classes as a set needs them for printing. */
export interface RequestClassNames {
  readonly classes: readonly { readonly index: number; readonly description: string }[];
}

/** What a connection set needs of its space (`ConnectionSpace`, which creates and interns the sets). */
export interface ConnectionAtoms {
  /** Every atom: protocol, first and last port, request class. */
  readonly atoms: readonly ConnectionAtom[];
  /** The port atoms (protocol × port range). */
  readonly portAtoms: readonly PortRange[];
  readonly requests: RequestClassNames | undefined;
  /** The atoms a port atom is split into. */
  atomsOfPortAtom(portAtom: number): { first: number; count: number };
  /** One flow an atom stands for: its first port, and its class's example request (if any). */
  exampleOf(atom: number): { protocol: Protocol; port: number; http?: { readonly method: string; readonly path: string; readonly host?: string } };
  /** The atom holding a destination port of a protocol (and request, on ports split by request class). */
  atomAt(port: number, protocol: Protocol, request?: { readonly method: string; readonly path: string; readonly host?: string }): number;
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

/**
 * Connections as JSON: protocol → inclusive `[from, to]` port ranges where every connection is
 * allowed (protocols without any are left out), and under `requests` the ports where only some
 * HTTP requests are (left out when there are none).
 */
export type ConnectionsJson = Partial<Record<Protocol, [number, number][]>> & { requests?: RequestConnectionsJson[] };

/** Ports where some requests are allowed and others not: the allowed ones. */
export interface RequestConnectionsJson {
  readonly protocol: Protocol;
  readonly ports: [number, number][];
  /** Whether connections that carry no HTTP request are allowed. */
  readonly withoutRequest: boolean;
  /** The allowed request classes, in words (`GET /api/v1/*`). */
  readonly requests: string[];
}

/** Port ranges where the same proper, non-empty part of the requests is allowed. */
export interface PartialRange extends PortRange {
  /** The allowed request classes (`NO_REQUEST` for connections without a request), ascending. */
  readonly requests: readonly number[];
}

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

  /**
   * True if a connection on this destination port and protocol, carrying this HTTP request (none:
   * a connection without a request), is in the set.
   */
  public contains(port: number, protocol: Protocol, request?: { readonly method: string; readonly path: string; readonly host?: string }): boolean {
    return this.hasAtom(this.space.atomAt(port, protocol, request));
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

  /**
   * The maximal port ranges on which every connection is in the set (every request, and
   * connections without one), by protocol (TCP, UDP, SCTP) then port.
   */
  public ranges(): PortRange[] {
    return this.portRanges().full;
  }

  /** The port ranges on which only some requests are in the set, with those requests (see `PartialRange`). */
  public partialRanges(): PartialRange[] {
    return this.portRanges().partial;
  }

  private portRanges(): { full: PortRange[]; partial: PartialRange[] } {
    const full: PortRange[] = [];
    const partial: PartialRange[] = [];
    const space = this.space;
    space.portAtoms.forEach((range, p) => {
      const { first, count } = space.atomsOfPortAtom(p);
      const present: number[] = [];
      for (let atom = first; atom < first + count; atom++) {
        if (this.hasAtom(atom)) {
          present.push(space.atoms[atom].request ?? NO_REQUEST);
        }
      }
      if (present.length === count) {
        const last = full[full.length - 1];
        if (last && last.protocol === range.protocol && last.to + 1 === range.from) {
          full[full.length - 1] = { protocol: last.protocol, from: last.from, to: range.to };
        } else {
          full.push({ protocol: range.protocol, from: range.from, to: range.to });
        }
      } else if (present.length > 0) {
        const last = partial[partial.length - 1];
        if (last && last.protocol === range.protocol && last.to + 1 === range.from && last.requests.join() === present.join()) {
          partial[partial.length - 1] = { ...last, to: range.to };
        } else {
          partial.push({ protocol: range.protocol, from: range.from, to: range.to, requests: present });
        }
      }
    });
    return { full, partial };
  }

  /** The requests of a partial range in words: `GET /api/v1/*; POST /orders`, or `everything except …` when shorter. */
  private describeRequests(requests: readonly number[]): string {
    const classes = this.space.requests?.classes ?? [];
    const name = (index: number) => (index === NO_REQUEST ? 'connections without an HTTP request' : classes[index].description);
    const all = [NO_REQUEST, ...classes.map((c) => c.index)];
    const missing = all.filter((index) => !requests.includes(index));
    return missing.length < requests.length ? `every request except ${missing.map(name).join('; ')}` : requests.map(name).join('; ');
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
    const { full, partial } = this.portRanges();
    for (const range of full) {
      byProtocol.set(range.protocol, [...byProtocol.get(range.protocol) ?? [], range]);
    }
    const parts: string[] = [];
    for (const protocol of PROTOCOLS) {
      const ranges = byProtocol.get(protocol);
      if (ranges) {
        const missing = gaps(ranges);
        if (missing.length === 0) {
          parts.push(`all ${protocol}`);
        } else if (missing.length < ranges.length) {
          parts.push(`all ${protocol} except ${missing.map(formatRange).join(',')}`);
        } else {
          parts.push(`${protocol} ${ranges.map(formatRange).join(',')}`);
        }
      }
      // Ports where only some requests are allowed: `TCP 8080 (GET /api/v1/*)`.
      for (const range of partial.filter((r) => r.protocol === protocol)) {
        parts.push(`${protocol} ${formatRange(range)} (${this.describeRequests(range.requests)})`);
      }
    }
    return parts.join(', ');
  }

  /** protocol → `[[from, to], …]`, inclusive, protocols without connections left out. */
  public toJSON(): ConnectionsJson {
    const json: ConnectionsJson = {};
    const { full, partial } = this.portRanges();
    for (const range of full) {
      (json[range.protocol] ??= []).push([range.from, range.to]);
    }
    const classes = this.space.requests?.classes ?? [];
    const requests: RequestConnectionsJson[] = [];
    for (const range of partial) {
      const last = requests[requests.length - 1];
      const entry = {
        protocol: range.protocol,
        withoutRequest: range.requests.includes(NO_REQUEST),
        requests: range.requests.filter((r) => r !== NO_REQUEST).map((r) => classes[r].description),
      };
      if (last && last.protocol === entry.protocol && last.withoutRequest === entry.withoutRequest && last.requests.join('\u0000') === entry.requests.join('\u0000')) {
        last.ports.push([range.from, range.to]);
      } else {
        requests.push({ ...entry, ports: [[range.from, range.to]] });
      }
    }
    if (requests.length > 0) {
      json.requests = requests;
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
