import { matrixLabel, MatrixView } from './matrix-view';
import { compareStrings } from '../../analysis';

/**
 * A Mermaid `flowchart LR` GitHub renders: one subgraph per namespace holding its pods, one edge per
 * allowed (source, destination) pair labelled with the ports it is allowed on (`8080/TCP, 9090/TCP`:
 * digits, letters, `/`, `,` and spaces, which need no quoting). Self pairs are left
 * out (a pod can always reach itself unless `--self-traffic evaluate` says otherwise; they add
 * nothing to a picture).
 */
export function renderMatrixMermaid(view: MatrixView): string {
  const nodeId = new Map(view.pods.map((pod, i) => [pod, `p${i}`]));
  const byNamespace = new Map<string, string[]>();
  for (const pod of view.pods) {
    const namespace = pod.slice(0, pod.indexOf('/'));
    byNamespace.set(namespace, [...byNamespace.get(namespace) ?? [], pod]);
  }
  const lines = ['flowchart LR'];
  [...byNamespace.keys()].sort(compareStrings).forEach((namespace, i) => {
    lines.push(`  subgraph ns${i} [${quote(namespace)}]`);
    for (const pod of byNamespace.get(namespace) ?? []) {
      lines.push(`    ${nodeId.get(pod)}[${quote(pod.slice(namespace.length + 1))}]`);
    }
    lines.push('  end');
  });
  // One edge per pair, listing every port it is allowed on, in the matrices' order.
  const edges = new Map<string, { source: string; destination: string; ports: string[] }>();
  for (const matrix of view.matrices) {
    matrix.forEachAllowedPair((source, destination) => {
      const from = `${source.namespace}/${source.name}`;
      const to = `${destination.namespace}/${destination.name}`;
      if (from === to) {
        return;
      }
      const key = `${from}>${to}`;
      const edge = edges.get(key) ?? { source: from, destination: to, ports: [] };
      edge.ports.push(matrixLabel(matrix));
      edges.set(key, edge);
    });
  }
  const sorted = [...edges.values()].sort((a, b) => compareStrings(a.source, b.source) || compareStrings(a.destination, b.destination));
  for (const edge of sorted) {
    lines.push(`  ${nodeId.get(edge.source)} -->|${edge.ports.join(', ')}| ${nodeId.get(edge.destination)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A Mermaid string label: quoted, with quotes escaped as an entity. */
function quote(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}
