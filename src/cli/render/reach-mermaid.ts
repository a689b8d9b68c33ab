import { mermaidLabel } from './mermaid-escape';
import { escapeText } from './text-escape';
import { ClusterPod, compareStrings } from '../../analysis';
import { ReachReport, externalLabel } from '../reach-report';

/**
 * `reach` as a Mermaid `flowchart LR` GitHub renders: a subgraph per namespace with its pods, one
 * for the external address classes, and one edge per pair of endpoints with connections, labelled
 * with them (`TCP 8080, UDP 53`). Pairs of a pod with itself are left out. Every label is quoted and
 * escaped (`mermaidLabel`); node ids are generated, never names.
 */
export function renderReachMermaid(report: ReachReport): string {
  const universe = report.connectivity.universe;
  const pods = universe.grouping.pods;
  const podNode = new Map<ClusterPod, string>(pods.map((pod, i) => [pod, `p${i}`]));
  const lines = ['flowchart LR'];
  for (const note of [report.selfNote, ...report.notes]) {
    // A comment runs to the end of its line; no newline, brace or percent sign can reach it (`%%{` is a directive).
    lines.push(`  %% ${escapeText(note).replace(/[^\x20-\x7e]|[{}%]/g, '?')}`);
  }
  const byNamespace = new Map<string, ClusterPod[]>();
  for (const pod of pods) {
    byNamespace.set(pod.namespace, [...byNamespace.get(pod.namespace) ?? [], pod]);
  }
  [...byNamespace.keys()].sort(compareStrings).forEach((namespace, i) => {
    lines.push(`  subgraph ns${i} [${mermaidLabel(namespace)}]`);
    for (const pod of byNamespace.get(namespace) ?? []) {
      lines.push(`    ${podNode.get(pod)}[${mermaidLabel(pod.name)}]`);
    }
    lines.push('  end');
  });
  const externalNode = (index: number) => `x${index - universe.groupCount}`;
  const external = universe.external.classes;
  if (external.length > 0) {
    lines.push(`  subgraph outside [${mermaidLabel('outside the cluster')}]`);
    external.forEach((entry, i) => lines.push(`    x${i}[${mermaidLabel(externalLabel(entry))}]`));
    lines.push('  end');
  }
  const nodesOf = (index: number): { node: string; pod?: ClusterPod }[] => {
    const endpoint = universe.classAt(index);
    return endpoint.kind === 'pods' ? endpoint.group.pods.map((pod) => ({ node: podNode.get(pod) as string, pod })) : [{ node: externalNode(index) }];
  };
  const edges: { from: string; to: string; order: [number, number]; label: string }[] = [];
  const order = (node: string) => (node.startsWith('p') ? Number(node.slice(1)) : pods.length + Number(node.slice(1)));
  for (const row of report.rows) {
    for (const source of row.sources.flatMap(nodesOf)) {
      for (const entry of row.entries) {
        for (const destination of entry.destinations.toArray().flatMap(nodesOf)) {
          if (source.pod !== undefined && source.pod === destination.pod) {
            continue;
          }
          const label = entry.connections.format();
          edges.push({ from: source.node, to: destination.node, order: [order(source.node), order(destination.node)], label });
        }
      }
    }
  }
  edges.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]);
  for (const edge of edges) {
    lines.push(`  ${edge.from} -->|${mermaidLabel(edge.label)}| ${edge.to}`);
  }
  return `${lines.join('\n')}\n`;
}
