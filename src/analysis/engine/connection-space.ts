/* eslint-disable no-bitwise -- connection sets are bit sets over atoms. */
import { ConnectionAtom, ConnectionAtoms, ConnectionSet, NO_REQUEST, PortRange } from './connection-set';
import { RequestClasses } from './request-classes';
import { clusterNamedPort } from './rule-matching';
import { ClusterModel } from '../cluster/cluster-model';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { AnalysisPolicy, HttpMatch, PolicyRule, PortMatch, Protocol, PROTOCOLS } from '../ir/analysis-policy';
import { HttpRequest } from '../ir/flow';

/** The lowest and highest destination port. */
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/**
 * The connection space {TCP, UDP, SCTP} × [1, 65535], cut into *atoms*: the maximal port ranges of
 * one protocol that no rule of the input tells apart. Boundaries come from every numeric `port` and
 * `endPort` of every rule (`ANY` for all three protocols) and from every number a named port can
 * resolve to (the container ports of that name and protocol on any pod, and the cluster-wide
 * resolution of Cilium egress names). Within an atom every port condition of every rule has the same
 * outcome, so evaluating one port of an atom decides the whole atom (docs/ANALYSIS.md, "Exact sets").
 *
 * The atoms are the one place that knows what a connection is: a rule's conditions become a set of
 * atoms (`rule-connections.ts`), and everything downstream only unions, intersects and subtracts
 * sets. Further dimensions (HTTP request classes, mTLS; issue 13) refine atoms into products without
 * changing the engine that combines them.
 */
export class ConnectionSpace implements ConnectionAtoms {
  /**
   * The space for a cluster and one or more policy sets (several for `diff`, so that both sides'
   * results are sets over the same atoms).
   */
  public static forPolicies(cluster: ClusterModel, policySets: readonly (readonly AnalysisPolicy[])[]): ConnectionSpace {
    return ConnectionSpace.forRules(cluster, policySets.flatMap((policies) => policies.flatMap((policy) => [
      ...policy.ingress?.rules ?? [], ...policy.egress?.rules ?? [],
    ])));
  }

  /**
   * The space for a cluster and these rules (see `forPolicies`), keeping `extra` ranges whole too;
   * the TCP ranges of `l7Extra` are also kept whole and, when some rule has an HTTP condition, split
   * by request class like the ports HTTP conditions apply on (so a set over them can say which
   * requests; the Service ports of `service-paths.ts`).
   */
  public static forRules(
    cluster: ClusterModel, rules: Iterable<PolicyRule>, extra: readonly PortRange[] = [], l7Extra: readonly PortRange[] = [],
  ): ConnectionSpace {
    const starts: Record<Protocol, Set<number>> = { TCP: new Set([MIN_PORT]), UDP: new Set([MIN_PORT]), SCTP: new Set([MIN_PORT]) };
    const cut = (protocol: Protocol, first: number, last: number) => {
      // A range may reach outside [1, 65535] (Calico's "0:65535"): only its ports a flow can use count.
      const from = Math.max(MIN_PORT, first);
      const to = Math.min(MAX_PORT, last);
      if (from > to) {
        return;
      }
      starts[protocol].add(from);
      if (to < MAX_PORT) {
        starts[protocol].add(to + 1);
      }
    };
    const namedNumbers = namedPortNumbers(cluster);
    // TCP ports some HTTP condition applies on: their atoms are split by request class.
    const l7: [number, number][] = [];
    const addPort = (match: PortMatch, http: boolean) => {
      const protocols = match.protocol === 'ANY' ? PROTOCOLS : [match.protocol];
      const cover = (protocol: Protocol, from: number, to: number) => {
        cut(protocol, from, to);
        if (http && protocol === 'TCP') {
          l7.push([from, to]);
        }
      };
      for (const protocol of protocols) {
        if (match.port === undefined) {
          cover(protocol, MIN_PORT, MAX_PORT);
        } else if (typeof match.port === 'number') {
          cover(protocol, match.port, match.endPort ?? match.port);
        } else if (match.namedPortResolution === 'cluster') {
          const number = clusterNamedPort(cluster, match.port, protocol);
          if (number !== undefined) {
            cover(protocol, number, number);
          }
        } else {
          for (const number of namedNumbers.get(`${protocol}/${match.port}`) ?? []) {
            cover(protocol, number, number);
          }
        }
      }
    };
    const httpMatches: HttpMatch[] = [];
    for (const rule of rules) {
      const http = rule.http !== undefined;
      if (http) {
        httpMatches.push(...rule.http ?? []);
        if (rule.ports === undefined) {
          l7.push([MIN_PORT, MAX_PORT]);
        }
      }
      rule.ports?.forEach((match) => addPort(match, http));
    }
    for (const range of extra) {
      cut(range.protocol, range.from, range.to);
    }
    const requests = l7.length > 0 ? RequestClasses.derive(httpMatches) : undefined;
    for (const range of l7Extra) {
      cut(range.protocol, range.from, range.to);
      if (range.protocol === 'TCP') l7.push([range.from, range.to]);
    }
    return new ConnectionSpace(starts, requests, l7);
  }

  /**
   * Every atom: protocol, first and last port, and — on TCP ports where an HTTP condition applies —
   * the request class (`NO_REQUEST` for connections that carry no HTTP request); TCP atoms first,
   * then UDP, then SCTP, by port, the request classes of a port range together.
   */
  public readonly atoms: readonly ConnectionAtom[];
  /** The port atoms (protocol × port range), whatever the request classes. */
  public readonly portAtoms: readonly PortRange[];
  /**
   * The HTTP request classes of the input (`request-classes.ts`); undefined when no rule has an
   * HTTP condition (then no atom is split by requests).
   */
  public readonly requests: RequestClasses | undefined;
  /** Every connection. */
  public readonly full: ConnectionSet;
  /** No connection. */
  public readonly empty: ConnectionSet;
  private readonly starts: Record<Protocol, Int32Array>;
  private readonly firstAtom: Record<Protocol, number>;
  /** Per port atom: its first atom and how many atoms it is split into (1, or 1 + the request classes). */
  private readonly portAtomFirst: Int32Array;
  private readonly portAtomCount: Int32Array;
  /** Per atom: its port atom. */
  private readonly portAtomOf: Int32Array;
  private readonly wordCount: number;
  private readonly interned = new Map<string, ConnectionSet>();
  private readonly memo = new Map<string, ConnectionSet>();

  private constructor(starts: Record<Protocol, Set<number>>, requests: RequestClasses | undefined, l7: readonly [number, number][]) {
    const portAtoms: PortRange[] = [];
    const sorted = {} as Record<Protocol, Int32Array>;
    const first = {} as Record<Protocol, number>;
    for (const protocol of PROTOCOLS) {
      const list = Int32Array.from(starts[protocol]).sort();
      sorted[protocol] = list;
      first[protocol] = portAtoms.length;
      list.forEach((from, i) => portAtoms.push({ protocol, from, to: i + 1 < list.length ? list[i + 1] - 1 : MAX_PORT }));
    }
    // A port atom lies wholly inside or outside every covered range (their ends are boundaries).
    const atoms: ConnectionAtom[] = [];
    const portAtomOf: number[] = [];
    this.portAtomFirst = new Int32Array(portAtoms.length);
    this.portAtomCount = new Int32Array(portAtoms.length);
    portAtoms.forEach((range, p) => {
      this.portAtomFirst[p] = atoms.length;
      const split = requests !== undefined && range.protocol === 'TCP' && l7.some(([from, to]) => from <= range.from && range.to <= to);
      if (split) {
        atoms.push({ ...range, request: NO_REQUEST });
        requests.classes.forEach((c) => atoms.push({ ...range, request: c.index }));
      } else {
        atoms.push(range);
      }
      while (portAtomOf.length < atoms.length) {
        portAtomOf.push(p);
      }
      this.portAtomCount[p] = atoms.length - this.portAtomFirst[p];
    });
    this.portAtomOf = Int32Array.from(portAtomOf);
    this.portAtoms = portAtoms;
    this.requests = requests;
    this.atoms = atoms;
    this.starts = sorted;
    this.firstAtom = first;
    this.wordCount = (atoms.length + 31) >>> 5;
    this.empty = this.fromWords(new Uint32Array(this.wordCount));
    this.full = this.fromAtoms(atoms.map((_, i) => i));
  }

  /**
   * The atom holding a destination port of a protocol and, on ports split by request class, a
   * request (none: a connection that carries no HTTP request — what flows without `http` are).
   * @throws AnalysisInputError for an invalid port or protocol, or a request outside the request space
   */
  public atomAt(port: number, protocol: Protocol, request?: HttpRequest): number {
    const portAtom = this.portAtomAt(port, protocol);
    const first = this.portAtomFirst[portAtom];
    if (this.portAtomCount[portAtom] === 1 || request === undefined) {
      return first;
    }
    return first + 1 + (this.requests as RequestClasses).classOf(request);
  }

  /** The port atom (index into `portAtoms`) of an atom. */
  public portAtomIndex(atom: number): number {
    return this.portAtomOf[atom];
  }

  /** The atoms a port atom is split into (one when no HTTP condition applies there). */
  public atomsOfPortAtom(portAtom: number): { first: number; count: number } {
    return { first: this.portAtomFirst[portAtom], count: this.portAtomCount[portAtom] };
  }

  /**
   * An example of an atom's connections: its first port, and the example request of its class
   * (none for `NO_REQUEST` and for atoms not split by request).
   */
  public exampleOf(atom: number): { protocol: Protocol; port: number; http?: HttpRequest } {
    const { protocol, from, request } = this.atoms[atom];
    const http = request === undefined || request === NO_REQUEST ? undefined : (this.requests as RequestClasses).classes[request].example;
    return { protocol, port: from, ...(http ? { http } : {}) };
  }

  /**
   * The atoms (every port) whose request a predicate accepts: it is asked once per request class
   * with the class's example, and with `undefined` for connections without an HTTP request (atoms
   * not split by request included: no HTTP condition applies on their ports, or they are not TCP).
   */
  public requestsWhere(accepts: (request: HttpRequest | undefined) => boolean): ConnectionSet {
    const none = accepts(undefined);
    const byClass = (this.requests?.classes ?? []).map((c) => accepts(c.example));
    const chosen: number[] = [];
    this.atoms.forEach((atom, index) => {
      if (atom.request === undefined || atom.request === NO_REQUEST ? none : byClass[atom.request]) {
        chosen.push(index);
      }
    });
    return this.fromAtoms(chosen);
  }

  private portAtomAt(port: number, protocol: Protocol): number {
    if (!Number.isInteger(port) || port < MIN_PORT || port > MAX_PORT) {
      throw new AnalysisInputError(`port: expected an integer from ${MIN_PORT} to ${MAX_PORT}, got ${JSON.stringify(port)}`);
    }
    const starts = this.starts[protocol];
    if (!starts) {
      throw new AnalysisInputError(`protocol: expected one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= port) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return this.firstAtom[protocol] + lo;
  }

  /**
   * The connections on ports `from`–`to` (default: every port) of a protocol, or of all three for
   * `ANY`. The ends must be atom boundaries of this space (they are for every port a rule names).
   */
  public ports(protocol: Protocol | 'ANY', from = MIN_PORT, to = MAX_PORT): ConnectionSet {
    const atoms: number[] = [];
    for (const each of protocol === 'ANY' ? PROTOCOLS : [protocol]) {
      const first = this.portAtomAt(from, each);
      const last = this.portAtomAt(to, each);
      if (this.portAtoms[first].from !== from || this.portAtoms[last].to !== to) {
        throw new Error(`${each} ${from}-${to} does not fall on atom boundaries of this connection space (a bug: the space misses a rule's port)`);
      }
      const end = this.portAtomFirst[last] + this.portAtomCount[last];
      for (let atom = this.portAtomFirst[first]; atom < end; atom++) {
        atoms.push(atom);
      }
    }
    return this.fromAtoms(atoms);
  }

  /** The connections of the atom holding this port, protocol and request (what one flow stands for). */
  public atomSet(port: number, protocol: Protocol, request?: HttpRequest): ConnectionSet {
    return this.fromAtoms([this.atomAt(port, protocol, request)]);
  }

  /** The set of these atoms (indices into `atoms`). */
  public fromAtoms(atoms: Iterable<number>): ConnectionSet {
    const words = new Uint32Array(this.wordCount);
    for (const atom of atoms) {
      words[atom >>> 5] |= 1 << (atom & 31);
    }
    return this.fromWords(words);
  }

  /** Only protocol narrowing: the atoms of these protocols. */
  public protocols(protocols: readonly Protocol[]): ConnectionSet {
    return protocols.reduce((set, protocol) => set.union(this.ports(protocol)), this.empty);
  }

  /** @internal union (`u`), intersection (`i`) or difference (`s`) of two sets of this space. */
  public combine(op: 'u' | 'i' | 's', a: ConnectionSet, b: ConnectionSet): ConnectionSet {
    if (a.space !== this || b.space !== this) {
      throw new Error('connection sets of different connection spaces cannot be combined (a bug: build one space for every side)');
    }
    switch (op) {
      case 'u':
        if (b.isEmpty() || a === b || a.isFull()) return a;
        if (a.isEmpty() || b.isFull()) return b;
        break;
      case 'i':
        if (a === b || b.isFull() || a.isEmpty()) return a;
        if (a.isFull() || b.isEmpty()) return b;
        break;
      case 's':
        if (a.isEmpty() || b.isEmpty()) return a;
        if (a === b || b.isFull()) return this.empty;
        break;
    }
    const key = `${op}${a.id},${b.id}`;
    let result = this.memo.get(key);
    if (!result) {
      const words = new Uint32Array(this.wordCount);
      for (let i = 0; i < words.length; i++) {
        words[i] = op === 'u' ? a.words[i] | b.words[i] : op === 'i' ? a.words[i] & b.words[i] : a.words[i] & ~b.words[i];
      }
      result = this.fromWords(words);
      if (this.memo.size > 1_000_000) {
        this.memo.clear(); // bounded: a cache, not a store
      }
      this.memo.set(key, result);
    }
    return result;
  }

  private fromWords(words: Uint32Array): ConnectionSet {
    const key = words.join(',');
    let set = this.interned.get(key);
    if (!set) {
      let count = 0;
      for (const word of words) {
        let v = word;
        while (v !== 0) {
          v &= v - 1;
          count++;
        }
      }
      set = new ConnectionSet(this, this.interned.size, words, count);
      this.interned.set(key, set);
    }
    return set;
  }
}

/** `<protocol>/<name>` → the container port numbers of that name and protocol on any pod. */
function namedPortNumbers(cluster: ClusterModel): Map<string, Set<number>> {
  const numbers = new Map<string, Set<number>>();
  for (const pod of cluster.pods) {
    for (const port of pod.ports) {
      if (port.name !== undefined) {
        const key = `${port.protocol}/${port.name}`;
        let set = numbers.get(key);
        if (!set) {
          set = new Set();
          numbers.set(key, set);
        }
        set.add(port.port);
      }
    }
  }
  return numbers;
}
