import { Feature } from './feature';

/** How a dialect supports a model feature. */
export type SupportLevel = 'exact' | 'approximate' | 'unsupported';

/** One row of a dialect's capability table. */
export interface Capability {
  readonly level: SupportLevel;
  /** Why (for approximate and unsupported rows: what the engine cannot do). */
  readonly reason: string;
  /** For approximate rows: the engine option that opts into the approximation, and whether it is set. */
  readonly optIn?: { readonly option: string; readonly enabled: boolean; readonly widening: string };
  /** For unsupported rows: what to do instead. */
  readonly fix?: string;
  /**
   * For approximate rows: how to say the same exactly on this engine, or
   * which engines can — the first fix suggested, before the opt-in.
   */
  readonly exactly?: string;
}

/** A complete capability table: every feature has a row. */
export type CapabilityTable = Readonly<Record<Feature, Capability>>;

/** An exact row. */
export function exact(reason: string): Capability {
  return { level: 'exact', reason };
}
