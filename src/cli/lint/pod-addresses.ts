import { Cidr, ClusterModel, ClusterPod, IpFamily } from '../../analysis';

/** One pod address. */
interface Entry {
  readonly value: bigint;
  readonly pod: ClusterPod;
}

/**
 * The cluster's pod addresses sorted per family, so that the pods inside a CIDR are found by binary
 * search (O(log n) plus the pods found) instead of a scan of every pod per ipBlock.
 */
export class PodAddresses {
  private readonly all: Readonly<Record<IpFamily, readonly Entry[]>>;
  private readonly hostNetwork: Readonly<Record<IpFamily, readonly Entry[]>>;

  constructor(cluster: ClusterModel) {
    this.all = sortedAddresses(cluster.pods);
    this.hostNetwork = sortedAddresses(cluster.pods.filter((pod) => pod.hostNetwork));
  }

  /**
   * The pods with an address in `cidr` and in none of `except`, each once, in address order. Only
   * the address ranges outside the excepts are searched, so `0.0.0.0/0 except 10.0.0.0/8` costs a
   * few binary searches when the pods are in 10.0.0.0/8.
   */
  public podsIn(cidr: Cidr, except: readonly Cidr[] = [], options: { readonly hostNetworkOnly?: boolean } = {}): ClusterPod[] {
    const list = (options.hostNetworkOnly ? this.hostNetwork : this.all)[cidr.family];
    const found = new Set<ClusterPod>();
    for (const [low, high] of outside(range(cidr), except.filter((hole) => hole.family === cidr.family).map(range))) {
      for (let i = lowerBound(list, low); i < list.length && list[i].value <= high; i++) {
        found.add(list[i].pod);
      }
    }
    return [...found];
  }
}

function sortedAddresses(pods: readonly ClusterPod[]): Record<IpFamily, Entry[]> {
  const entries: Record<IpFamily, Entry[]> = { IPv4: [], IPv6: [] };
  for (const pod of pods) {
    for (const ip of pod.ips) {
      entries[ip.family].push({ value: ip.value, pod });
    }
  }
  for (const list of Object.values(entries)) {
    list.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  }
  return entries;
}

/** First and last address of a CIDR. */
function range(cidr: Cidr): [bigint, bigint] {
  const bits = cidr.family === 'IPv4' ? 32 : 128;
  return [cidr.network, cidr.network + 2n ** BigInt(bits - cidr.prefix) - 1n];
}

/** The parts of `[low, high]` that no hole covers. */
function outside([low, high]: [bigint, bigint], holes: readonly [bigint, bigint][]): [bigint, bigint][] {
  const parts: [bigint, bigint][] = [];
  let next = low;
  for (const [start, end] of [...holes].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (end < next || start > high) {
      continue;
    }
    if (start > next) {
      parts.push([next, start - 1n]);
    }
    next = end + 1n > next ? end + 1n : next;
  }
  if (next <= high) {
    parts.push([next, high]);
  }
  return parts;
}

function lowerBound(list: readonly Entry[], value: bigint): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (list[mid].value < value) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low;
}
