import { IpFamily } from '../ip/ip-address';
import { Direction, EnforcementLayer, Protocol, RuleAction } from '../ir/analysis-policy';

/** The decision on a flow, with the reasons for it. */
export interface Verdict {
  readonly allowed: boolean;
  /** `pod ns/name` or the IP address. */
  readonly source: string;
  readonly destination: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** The address family the verdict was reached with (undefined when no pod address was involved). */
  readonly ipFamily?: IpFamily;
  /**
   * Set when the flow cannot happen whatever the policies say: an end has no address (of the flow's
   * family). The flow is denied, `steps` is empty and the reason is also the last note.
   */
  readonly noNetwork?: string;
  /** Set when the flow is allowed whatever the policies say. */
  readonly exemption?: 'self' | 'node-local';
  /** Egress at the source, then ingress at the destination, for each layer that has policies. */
  readonly steps: readonly DirectionVerdict[];
  /** Facts about how the flow was read, e.g. an IP that belongs to a pod of the model. */
  readonly notes: readonly string[];
  /** Multi-line, human-readable account of the verdict. */
  readonly explanation: string;
}

/** What one direction at one end decided. */
export interface DirectionVerdict {
  readonly layer: EnforcementLayer;
  readonly direction: Direction;
  /** The end whose policies were applied: `pod ns/name` or an IP. */
  readonly endpoint: string;
  /** False when no policy can apply at this end (an external address, a host-network pod). */
  readonly applies: boolean;
  /** Policies whose subject selects the endpoint for this direction, in evaluation order. */
  readonly selectedBy: readonly string[];
  /** The selecting policies that isolate it (default deny unless a rule allows). */
  readonly isolatedBy: readonly string[];
  readonly isolated: boolean;
  readonly allowed: boolean;
  /** The rule that decided, or undefined when a default decided. */
  readonly decidedBy?: string;
  /** Every rule that allows the flow here (all of them, for Kubernetes' union of allows). */
  readonly allowedBy: readonly string[];
  /** Every deny rule that matched in the deciding tier. */
  readonly deniedBy: readonly string[];
  /** Every rule considered, and which of its conditions matched. */
  readonly rules: readonly RuleTrace[];
  /** One sentence: why. */
  readonly reason: string;
}

/** One rule checked against the flow. */
export interface RuleTrace {
  /** `<kind> <ns>/<name> <rule label>`. */
  readonly rule: string;
  readonly action: RuleAction;
  readonly peerMatched: boolean;
  readonly portMatched: boolean;
  readonly httpMatched: boolean;
  readonly matched: boolean;
}

/** Renders a verdict as indented text (the `explain` output). */
export function formatVerdict(verdict: Omit<Verdict, 'explanation'>): string {
  const family = verdict.ipFamily ? ` over ${verdict.ipFamily}` : '';
  const lines = [
    `${verdict.allowed ? 'ALLOWED' : 'DENIED'}: ${verdict.source} -> ${verdict.destination} on ${verdict.port}/${verdict.protocol}${family}`,
  ];
  for (const note of verdict.notes) {
    lines.push(`  note: ${note}`);
  }
  if (verdict.exemption === 'self') {
    lines.push('  always allowed: a pod can always reach itself');
  } else if (verdict.exemption === 'node-local') {
    lines.push('  always allowed: traffic between a pod and its own node');
  }
  const layers = new Set(verdict.steps.map((step) => step.layer));
  for (const step of verdict.steps) {
    const layer = layers.size > 1 ? `[${step.layer}] ` : '';
    lines.push(`  ${layer}${step.direction} at ${step.endpoint}: ${step.reason}`);
  }
  return lines.join('\n');
}
