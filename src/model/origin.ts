/** Where a statement came from: for object names, messages and "which rule decided". */
export interface OriginModel {
  /** Full construct path of the intent construct. */
  readonly path: string;
  /** Short, readable base for object names: derived from the construct path below the chart. */
  readonly baseName: string;
  /** The intent construct type, e.g. `AllowFrom`. */
  readonly intent: string;
  /**
   * Set on statements whose objects serve several intents at once (Istio's mesh plumbing): what
   * they are for, e.g. `mesh-hbone`. `path` and `intent` are then those of the intent holding them.
   */
  readonly shared?: string;
  /**
   * The construct path where the user declared the intent, when a pattern builds it in internal
   * charts (`PolicyCompiler.declaredOn`): what every annotation, rule label and rule name names.
   * Unset: `path`.
   */
  readonly declaredPath?: string;
}

/**
 * Whether a statement is enforced, or only observed (Calico staged policies,
 * Istio dry-run): an `audit` statement allows and denies nothing.
 */
export type StageModel = 'enforce' | 'audit';
