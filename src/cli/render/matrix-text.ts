import { matrixLabel, matrixSummary, MatrixView } from './matrix-view';

/**
 * A readable grid per port: rows are sources, numbered; columns are destinations, by the same
 * numbers; `+` allowed, `.` denied.
 */
export function renderMatrixText(view: MatrixView): string {
  const pods = view.pods;
  const numberWidth = String(pods.length).length;
  const nameWidth = Math.max(0, ...pods.map((pod) => pod.length));
  const cellWidth = numberWidth + 1;
  const blocks = view.matrices.map((matrix) => {
    const lines = [`${matrixLabel(matrix)}: ${matrixSummary(matrix, pods.length)} (rows: source, columns: destination; "+" allowed, "." denied)`];
    if (pods.length === 0) {
      return lines.join('\n');
    }
    const rowLabel = (i: number) => `${String(i + 1).padStart(numberWidth)}  ${pods[i].padEnd(nameWidth)} `;
    const header = ' '.repeat(numberWidth + 3 + nameWidth) + pods.map((_, i) => String(i + 1).padStart(cellWidth)).join('');
    lines.push('', header);
    pods.forEach((source, s) => {
      const cells = pods.map((destination) => (matrix.isAllowed(source, destination) ? '+' : '.').padStart(cellWidth));
      lines.push(`${rowLabel(s)}${cells.join('')}`);
    });
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}
