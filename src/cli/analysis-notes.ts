import { ambientHostTrafficNote, AnalysisUniverse, ClusterModel, NAMESPACE_NAME_LABEL, podId, TERMINATED_PHASES } from '../analysis';

/**
 * What an answer assumed or left out, said in every output format of reach, diff and explain (one
 * line each): namespaces that had no Namespace object (their labels were assumed), pods that are
 * not running (`Succeeded` or `Failed`: read without their last IPs), and other pods without an
 * address. The last two have no network: no connection from or to them.
 */
export function analysisNotes(cluster: ClusterModel): string[] {
  const notes: string[] = [];
  const implicit = cluster.implicitNamespaces;
  if (implicit.length > 0) {
    notes.push(`assumed: ${plural(implicit.length, 'namespace')} without a Namespace object in the cluster file (${list(implicit)}) `
      + `carry only the label ${NAMESPACE_NAME_LABEL}; a namespaceSelector on other labels matches none of their pods`);
  }
  const unaddressed = cluster.pods.filter((pod) => pod.ips.length === 0);
  const stopped = unaddressed.filter((pod) => pod.phase !== undefined && TERMINATED_PHASES.includes(pod.phase));
  const other = unaddressed.filter((pod) => !stopped.includes(pod));
  if (stopped.length > 0) {
    notes.push(`${plural(stopped.length, 'pod')} not running (phase Succeeded or Failed: ${list(stopped.map(podId))}), read without `
      + 'their last IP addresses, have no network: no connection from or to them');
  }
  if (other.length > 0) {
    notes.push(`${plural(other.length, 'pod')} without an IP address (${list(other.map(podId))}) `
      + 'have no network: no connection from or to them (not running, or not scheduled yet)');
  }
  const ambientHosts = ambientHostTrafficNote(cluster);
  if (ambientHosts !== undefined) notes.push(ambientHosts);
  return notes;
}

/**
 * What a DNS-name row means and what it cannot say, when the policies have DNS-name peers (Cilium
 * toFQDNs): said in every output that can have name rows (docs/ANALYSIS.md "DNS names").
 */
export function dnsNameNotes(universe: AnalysisUniverse): string[] {
  if (universe.names.classes.length === 0) {
    return [];
  }
  return [DNS_NAME_NOTE];
}

/** The limits of a DNS-name row (see `dnsNameNotes`). */
export const DNS_NAME_NOTE = 'DNS names: a "dns <names>" destination is an address the source looked the name up by (toFQDNs). '
  + 'Cilium allows it only once its DNS proxy saw the address in an answer, to any pod on the node: a pod whose own lookups are not proxied '
  + '(no toPorts[].rules.dns towards its resolver) reaches only what others looked up, so a name row is the most a pod can reach by that name. '
  + 'An address is shared by every name behind it (a CDN address allowed for one name is allowed for all), and an address that a CIDR or entity rule '
  + 'allows is allowed whatever the name: the address rows are what is reachable without a name the policies match. Names compare lower-case, '
  + 'with a trailing dot; toFQDNs never applies to in-cluster addresses';

function list(items: readonly string[]): string {
  return items.length <= 10 ? items.join(', ') : `${items.slice(0, 10).join(', ')} and ${items.length - 10} more`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
