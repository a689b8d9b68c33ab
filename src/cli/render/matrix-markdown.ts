import { matrixLabel, matrixSummary, MatrixView } from './matrix-view';

/** A Markdown table per port (GitHub-flavoured): rows are sources, columns destinations. */
export function renderMatrixMarkdown(view: MatrixView): string {
  const pods = view.pods;
  const blocks = view.matrices.map((matrix) => {
    const lines = [`### Reachability on ${matrixLabel(matrix)}`, '', `${matrixSummary(matrix, pods.length)}; rows are sources, columns destinations.`];
    if (pods.length > 0) {
      lines.push('');
      lines.push(`| from \\ to | ${pods.map(code).join(' | ')} |`);
      lines.push(`| --- | ${pods.map(() => ':-:').join(' | ')} |`);
      for (const source of pods) {
        const cells = pods.map((destination) => (matrix.isAllowed(source, destination) ? '✅' : '❌'));
        lines.push(`| ${code(source)} | ${cells.join(' | ')} |`);
      }
    }
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

/** A pod id as inline code (ids are DNS names: no backticks or pipes to escape). */
function code(text: string): string {
  return `\`${text}\``;
}
