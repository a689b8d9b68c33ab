import { ambientHostTrafficNote, ClusterModel, NAMESPACE_NAME_LABEL, podId, TERMINATED_PHASES } from '../analysis';

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

function list(items: readonly string[]): string {
  return items.length <= 10 ? items.join(', ') : `${items.slice(0, 10).join(', ')} and ${items.length - 10} more`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
