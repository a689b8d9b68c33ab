import { ObservedFlow } from './observed-flow';
import { AnalysisInputError } from '../ir/analysis-input-error';

/** The default bound on distinct flows: about 1 GiB of aggregates. A million records over 20,000 pods are 100,000. */
export const DEFAULT_MAX_DISTINCT_FLOWS = 2_000_000;

/** One distinct flow: the first record of it, how often it was seen, and the line it was first read from. */
export interface DistinctFlow {
  readonly flow: ObservedFlow;
  count: number;
  readonly line: number;
}

/**
 * The records of a flow file, aggregated as they arrive (what `audit` and `recommend` read): identical
 * records count together, so memory grows with distinct flows, not with records, up to a bound that
 * is an error naming the line; records that carry no connection are counted per reason with the line
 * of the first.
 */
export class DistinctFlows {
  private readonly byKey = new Map<string, DistinctFlow>();
  private readonly skippedByReason = new Map<string, { count: number; line: number }>();
  private lost = 0;

  /**
   * @param maxDistinct the most distinct flows held
   * @param command what the user runs, for the error's fix ("audit", "recommend")
   */
  constructor(private readonly maxDistinct: number, private readonly command: string) {}

  /**
   * Adds a record seen `count` times, first on `line`.
   * @throws AnalysisInputError past the bound on distinct flows
   */
  public add(flow: ObservedFlow, count: number, line: number): void {
    const key = JSON.stringify([flow.source, flow.destination, flow.protocol, flow.port, flow.http?.method, flow.http?.path, flow.observation]);
    const known = this.byKey.get(key);
    if (known) {
      known.count += count;
      return;
    }
    if (this.byKey.size >= this.maxDistinct) {
      throw new AnalysisInputError(`line ${line}: more than ${this.maxDistinct} distinct flows (each is held until the end); `
        + `${this.command} a shorter capture, or raise the bound (--max-distinct-flows) if the memory is there`);
    }
    this.byKey.set(key, { flow, count, line });
  }

  /** Counts a record that carries no connection, with why (and the events the source says it lost). */
  public skip(reason: string, line: number, lostEvents?: number): void {
    const known = this.skippedByReason.get(reason);
    if (known) known.count++;
    else this.skippedByReason.set(reason, { count: 1, line });
    this.lost += lostEvents ?? 0;
  }

  /** The distinct flows, in the order first read. */
  public flows(): IterableIterator<DistinctFlow> {
    return this.byKey.values();
  }

  /** The records skipped, per reason, in the order of their first line. */
  public skipped(): { reason: string; count: number; line: number }[] {
    return [...this.skippedByReason].map(([reason, v]) => ({ reason, ...v })).sort((a, b) => a.line - b.line);
  }

  /** The events the sources say they lost (Hubble's `lost_events`). */
  public get lostEvents(): number {
    return this.lost;
  }
}
