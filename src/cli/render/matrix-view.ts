import { ReachabilityMatrix } from '../../analysis';

/** The matrices a `reach` run computed: one per port, over the same pods. */
export interface MatrixView {
  /** Pod ids (`ns/name`), sorted by namespace then name: the rows and columns of every matrix. */
  readonly pods: readonly string[];
  readonly matrices: readonly ReachabilityMatrix[];
}

/** `8080/TCP` of a matrix. */
export function matrixLabel(matrix: ReachabilityMatrix): string {
  return `${matrix.port}/${matrix.protocol}`;
}

/** `3 of 25 pod pairs allowed`. */
export function matrixSummary(matrix: ReachabilityMatrix, podCount: number): string {
  return `${matrix.allowedPairCount()} of ${podCount * podCount} pod pairs allowed`;
}
