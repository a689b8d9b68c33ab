/** Where a statement came from: for object names, messages and "which rule decided". */
export interface OriginModel {
  /** Full construct path of the intent construct. */
  readonly path: string;
  /** Short, readable base for object names: derived from the construct path below the chart. */
  readonly baseName: string;
  /** The intent construct type, e.g. `AllowFrom`. */
  readonly intent: string;
}

/**
 * Whether a statement is enforced, or only observed (Calico staged policies,
 * Istio dry-run): an `audit` statement allows and denies nothing.
 */
export type StageModel = 'enforce' | 'audit';
