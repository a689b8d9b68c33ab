import { Cidr, cidrContains, parseCidr } from '../ip/cidr';
import { FAMILY_BITS, IpAddress, IpFamily, ipFromValue } from '../ip/ip-address';

/**
 * Addresses outside the cluster model that no rule of the input tells apart: a CIDR of the input
 * (or a family's whole space), minus the input CIDRs inside it (`except`), minus the model's pod
 * addresses. Every address of a class is matched by exactly the same ipBlocks, so one address
 * decides for the whole class.
 */
export interface ExternalClass {
  readonly family: IpFamily;
  /** The CIDR the class is cut from. */
  readonly cidr: Cidr;
  /** The input CIDRs directly inside `cidr`, which are classes (or pods) of their own. */
  readonly except: readonly Cidr[];
  /** True if pod addresses of the model lie in `cidr` outside `except`: they are those pods, not this class. */
  readonly withoutPodAddresses: boolean;
  /** An address of the class (the lowest), to evaluate and explain flows with. */
  readonly representative: IpAddress;
  /** `0.0.0.0/0 except 10.0.0.0/8`, `10.0.0.0/8`, `0.0.0.0/0 except [10.0.0.0/8, 192.168.0.0/16]`. */
  readonly label: string;
}

interface Node {
  readonly cidr: Cidr;
  readonly start: bigint;
  readonly end: bigint;
  parent: number;
  children: number[];
  podIps: bigint[];
  /** Index of the last node of this node's subtree (preorder), inclusive. */
  last: number;
  classIndex: number;
}

const FAMILIES: readonly IpFamily[] = ['IPv4', 'IPv6'];
const ROOTS: Readonly<Record<IpFamily, string>> = { IPv4: '0.0.0.0/0', IPv6: '::/0' };

/**
 * The partition of the IPv4 and IPv6 spaces outside the cluster into `ExternalClass`es. Any two CIDRs
 * are nested or disjoint, so the input CIDRs form a tree (the family's /0 at the root) and each node
 * minus its children is one class: as many classes as distinct CIDRs (plus the two roots), whatever
 * the size of the address space. A node with nothing left (its children cover it, or only pod
 * addresses remain) has no class.
 */
export class ExternalAddressClasses {
  /** The partition for these CIDRs (every ipBlock CIDR and except of the input) and pod addresses. */
  public static build(cidrs: Iterable<Cidr>, podIps: Iterable<IpAddress>): ExternalAddressClasses {
    return new ExternalAddressClasses(cidrs, podIps);
  }

  /** The classes: IPv4 first, then IPv6, each in address order of their CIDRs (outer before inner). */
  public readonly classes: readonly ExternalClass[];
  private readonly nodes: Node[];
  private readonly byText = new Map<string, number>();
  private readonly podAddresses = new Set<string>();
  /** Per family, the range of node indices. */
  private readonly familyNodes: Record<IpFamily, [number, number]> = { IPv4: [0, 0], IPv6: [0, 0] };
  /** For each node index, the first class index at or after it (classes follow node order). */
  private readonly classAtOrAfter: Int32Array;

  private constructor(cidrs: Iterable<Cidr>, podIps: Iterable<IpAddress>) {
    const distinct = new Map<string, Cidr>();
    for (const family of FAMILIES) {
      distinct.set(ROOTS[family], parseCidr(ROOTS[family]));
    }
    for (const cidr of cidrs) {
      distinct.set(cidr.text, cidr);
    }
    const sorted = [...distinct.values()].sort((a, b) => (a.family !== b.family ? (a.family === 'IPv4' ? -1 : 1)
      : a.network !== b.network ? (a.network < b.network ? -1 : 1) : a.prefix - b.prefix));
    this.nodes = sorted.map((cidr) => {
      const size = 2n ** BigInt(FAMILY_BITS[cidr.family] - cidr.prefix);
      return { cidr, start: cidr.network, end: cidr.network + size - 1n, parent: -1, children: [], podIps: [], last: 0, classIndex: -1 };
    });
    // Preorder with a stack: CIDRs sorted by start, then outer first, nest or are disjoint.
    const stack: number[] = [];
    this.nodes.forEach((node, i) => {
      this.byText.set(node.cidr.text, i);
      while (stack.length > 0) {
        const top = this.nodes[stack[stack.length - 1]];
        if (top.cidr.family === node.cidr.family && top.start <= node.start && node.end <= top.end) {
          break;
        }
        stack.pop();
      }
      if (stack.length > 0) {
        node.parent = stack[stack.length - 1];
        this.nodes[node.parent].children.push(i);
      }
      stack.push(i);
    });
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      node.last = node.children.length === 0 ? i : this.nodes[node.children[node.children.length - 1]].last;
    }
    for (const family of FAMILIES) {
      const first = this.nodes.findIndex((node) => node.cidr.family === family);
      this.familyNodes[family] = [first, this.nodes[first].last + 1];
    }
    for (const ip of podIps) {
      if (!this.podAddresses.has(ip.text)) {
        this.podAddresses.add(ip.text);
        this.nodes[this.innermost(ip)].podIps.push(ip.value);
      }
    }
    const classes: ExternalClass[] = [];
    for (const node of this.nodes) {
      const representative = this.firstFreeAddress(node);
      if (representative === undefined) {
        continue;
      }
      node.classIndex = classes.length;
      const except = node.children.map((child) => this.nodes[child].cidr);
      classes.push({
        family: node.cidr.family,
        cidr: node.cidr,
        except,
        withoutPodAddresses: node.podIps.length > 0,
        representative: ipFromValue(node.cidr.family, representative),
        label: except.length === 0 ? node.cidr.text
          : except.length === 1 ? `${node.cidr.text} except ${except[0].text}`
            : `${node.cidr.text} except [${except.map((cidr) => cidr.text).join(', ')}]`,
      });
    }
    this.classes = classes;
    this.classAtOrAfter = new Int32Array(this.nodes.length + 1);
    let next = classes.length;
    for (let i = this.nodes.length; i >= 0; i--) {
      if (i < this.nodes.length && this.nodes[i].classIndex >= 0) {
        next = this.nodes[i].classIndex;
      }
      this.classAtOrAfter[i] = next;
    }
  }

  /**
   * The class of an address; undefined when the address belongs to no class (it is a pod address of
   * the model, which callers resolve to the pod first).
   */
  public classOf(ip: IpAddress): number | undefined {
    if (this.podAddresses.has(ip.text)) {
      return undefined;
    }
    const node = this.nodes[this.innermost(ip)];
    return node.classIndex >= 0 ? node.classIndex : undefined;
  }

  /** Class indices [start, end) of a family. */
  public familyRange(family: IpFamily): [number, number] {
    const [first, end] = this.familyNodes[family];
    return [this.classAtOrAfter[first], this.classAtOrAfter[end]];
  }

  /**
   * The classes inside `cidr` and outside every `except`, as ranges of class indices [start, end).
   * Every CIDR must be one the partition was built from.
   */
  public rangesWithin(cidr: Cidr, except: readonly Cidr[]): [number, number][] {
    let ranges: [number, number][] = [this.classRange(cidr)];
    for (const cut of except) {
      const [cutStart, cutEnd] = this.classRange(cut);
      ranges = ranges.flatMap(([start, end]): [number, number][] => {
        if (cutEnd <= start || cutStart >= end) {
          return [[start, end]];
        }
        return [[start, Math.max(start, cutStart)] as [number, number], [Math.min(end, cutEnd), end] as [number, number]]
          .filter(([a, b]) => b > a);
      });
    }
    return ranges.filter(([start, end]) => end > start);
  }

  /** The classes of a CIDR's subtree: [start, end). */
  private classRange(cidr: Cidr): [number, number] {
    const index = this.byText.get(cidr.text);
    if (index === undefined) {
      throw new Error(`CIDR ${cidr.text} is not part of this address partition (a bug: collect every ipBlock of the input)`);
    }
    return [this.classAtOrAfter[index], this.classAtOrAfter[this.nodes[index].last + 1]];
  }

  /** The innermost node containing the address. */
  private innermost(ip: IpAddress): number {
    const [first, end] = this.familyNodes[ip.family];
    // The last node of the family starting at or before the address, then up to one that contains it.
    let lo = first;
    let hi = end - 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi + 1) / 2);
      if (this.nodes[mid].start <= ip.value) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    let index = lo;
    while (!cidrContains(this.nodes[index].cidr, ip)) {
      index = this.nodes[index].parent;
    }
    return index;
  }

  /** The lowest address of the node outside its children and pod addresses, if any. */
  private firstFreeAddress(node: Node): bigint | undefined {
    const taken: [bigint, bigint][] = [
      ...node.children.map((child): [bigint, bigint] => [this.nodes[child].start, this.nodes[child].end]),
      ...node.podIps.map((ip): [bigint, bigint] => [ip, ip]),
    ].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let candidate = node.start;
    for (const [start, end] of taken) {
      if (start > candidate) {
        break;
      }
      if (end >= candidate) {
        candidate = end + 1n;
      }
    }
    return candidate <= node.end ? candidate : undefined;
  }
}
