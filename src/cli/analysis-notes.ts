import { ClusterModel, ClusterPod, NAMESPACE_NAME_LABEL, podId } from '../analysis';

/**
 * What an answer assumed or left out, said in every output format of reach, diff and explain (one
 * line each): namespaces that had no Namespace object (their labels were assumed), and pods without
 * an address (no connection from or to them).
 */
export function analysisNotes(cluster: ClusterModel, podsWithoutAddress: readonly ClusterPod[]): string[] {
  const notes: string[] = [];
  const implicit = cluster.implicitNamespaces;
  if (implicit.length > 0) {
    notes.push(`assumed: ${plural(implicit.length, 'namespace')} without a Namespace object in the cluster file (${list(implicit)}) `
      + `carry only the label ${NAMESPACE_NAME_LABEL}; a namespaceSelector on other labels matches none of their pods`);
  }
  if (podsWithoutAddress.length > 0) {
    notes.push(`${plural(podsWithoutAddress.length, 'pod')} without an IP address (${list(podsWithoutAddress.map(podId))}) `
      + 'have no network: no connection from or to them (not running, or not scheduled yet)');
  }
  return notes;
}

function list(items: readonly string[]): string {
  return items.length <= 10 ? items.join(', ') : `${items.slice(0, 10).join(', ')} and ${items.length - 10} more`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
