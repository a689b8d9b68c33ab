/* eslint-disable no-bitwise -- connection sets are bit sets over atoms. */
import { ConnectionAtoms, ConnectionSet, PortRange } from './connection-set';
import { clusterNamedPort } from './rule-matching';
import { ClusterModel } from '../cluster/cluster-model';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { AnalysisPolicy, PolicyRule, PortMatch, Protocol, PROTOCOLS } from '../ir/analysis-policy';

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

  /** The space for a cluster and these rules (see `forPolicies`), keeping `extra` ranges whole too. */
  public static forRules(cluster: ClusterModel, rules: Iterable<PolicyRule>, extra: readonly PortRange[] = []): ConnectionSpace {
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
    const addPort = (match: PortMatch) => {
      const protocols = match.protocol === 'ANY' ? PROTOCOLS : [match.protocol];
      for (const protocol of protocols) {
        if (typeof match.port === 'number') {
          cut(protocol, match.port, match.endPort ?? match.port);
        } else if (typeof match.port === 'string') {
          if (match.namedPortResolution === 'cluster') {
            const number = clusterNamedPort(cluster, match.port, protocol);
            if (number !== undefined) {
              cut(protocol, number, number);
            }
          } else {
            for (const number of namedNumbers.get(`${protocol}/${match.port}`) ?? []) {
              cut(protocol, number, number);
            }
          }
        }
      }
    };
    for (const rule of rules) {
      rule.ports?.forEach(addPort);
    }
    for (const range of extra) {
      cut(range.protocol, range.from, range.to);
    }
    return new ConnectionSpace(starts);
  }

  /** Every atom: protocol, first and last port; TCP atoms first, then UDP, then SCTP, by port. */
  public readonly atoms: readonly PortRange[];
  /** Every connection. */
  public readonly full: ConnectionSet;
  /** No connection. */
  public readonly empty: ConnectionSet;
  private readonly starts: Record<Protocol, Int32Array>;
  private readonly firstAtom: Record<Protocol, number>;
  private readonly wordCount: number;
  private readonly interned = new Map<string, ConnectionSet>();
  private readonly memo = new Map<string, ConnectionSet>();

  private constructor(starts: Record<Protocol, Set<number>>) {
    const atoms: PortRange[] = [];
    const sorted = {} as Record<Protocol, Int32Array>;
    const first = {} as Record<Protocol, number>;
    for (const protocol of PROTOCOLS) {
      const list = Int32Array.from(starts[protocol]).sort();
      sorted[protocol] = list;
      first[protocol] = atoms.length;
      list.forEach((from, i) => atoms.push({ protocol, from, to: i + 1 < list.length ? list[i + 1] - 1 : MAX_PORT }));
    }
    this.atoms = atoms;
    this.starts = sorted;
    this.firstAtom = first;
    this.wordCount = (atoms.length + 31) >>> 5;
    this.empty = this.fromWords(new Uint32Array(this.wordCount));
    this.full = this.fromAtoms(atoms.map((_, i) => i));
  }

  /** The atom holding a destination port of a protocol. */
  public atomAt(port: number, protocol: Protocol): number {
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
      const first = this.atomAt(from, each);
      const last = this.atomAt(to, each);
      if (this.atoms[first].from !== from || this.atoms[last].to !== to) {
        throw new Error(`${each} ${from}-${to} does not fall on atom boundaries of this connection space (a bug: the space misses a rule's port)`);
      }
      for (let atom = first; atom <= last; atom++) {
        atoms.push(atom);
      }
    }
    return this.fromAtoms(atoms);
  }

  /** The connections of the atom holding this port and protocol (what one flow stands for). */
  public atomSet(port: number, protocol: Protocol): ConnectionSet {
    return this.fromAtoms([this.atomAt(port, protocol)]);
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
