/**
 * One problem with a value the user gave: what it was, what was expected and
 * how to fix it. Collected by value objects and thrown by the intent construct
 * that receives them, so that the message carries the construct path.
 */
export interface InputProblem {
  /** What the value is, e.g. `port of Port.tcp()`. */
  readonly what: string;
  /** The value as given. */
  readonly value: unknown;
  /** What a valid value looks like. */
  readonly expected: string;
  /** How to fix it. */
  readonly fix: string;
}

/** Formats a problem as one readable sentence. */
export function formatProblem(p: InputProblem): string {
  return `invalid ${p.what}: got ${show(p.value)}; expected ${p.expected}. Fix: ${p.fix}`;
}

/** The error thrown for invalid user input; its message starts with the construct path. */
export class PolicyInputError extends Error {
  public readonly problems: readonly InputProblem[];
  constructor(path: string, problems: readonly InputProblem[]) {
    const lines = problems.map(formatProblem);
    super(lines.length === 1 ? `[${path}] ${lines[0]}` : `[${path}] ${lines.length} problems:\n  - ${lines.join('\n  - ')}`);
    this.name = 'PolicyInputError';
    this.problems = problems;
  }
}

/** Throws a PolicyInputError for the construct path when there is any problem. */
export function throwIfProblems(path: string, problems: readonly InputProblem[]): void {
  if (problems.length > 0) throw new PolicyInputError(path, problems);
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing';
  if (typeof v === 'function') return `a function${v.name ? ` (${v.name})` : ''}`;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    // A value object (Port, Peer, Workload...) reads as its class and readable form, not as its fields.
    const ctor = Object.getPrototypeOf(v)?.constructor;
    if (ctor && ctor !== Object && typeof ctor.name === 'string' && ctor.name) {
      const text = typeof (v as { toString?: unknown }).toString === 'function' && (v as object).toString !== Object.prototype.toString ? ` ${String(v)}` : '';
      return `a ${ctor.name}${text}`;
    }
  }
  if (Array.isArray(v) && v.some(x => x === undefined || (typeof x === 'object' && x !== null && Object.getPrototypeOf(x) !== Object.prototype))) {
    return `[${v.map(show).join(', ')}]`;
  }
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
