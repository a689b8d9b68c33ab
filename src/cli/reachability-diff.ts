import { PortProtocol } from './port-selection';
import { podEndpoint, ReachabilityAnalyzer, Verdict } from '../analysis';

/** One flow whose verdict differs between two policy sets. */
export interface FlowChange {
  readonly source: string;
  readonly destination: string;
  readonly port: number;
  readonly protocol: PortProtocol['protocol'];
  /** Why the `after` set decides as it does: the rules that allow a gained flow, the step that denies a lost one. */
  readonly because: readonly string[];
}

/** Flows gained and lost from `before` to `after`, per port, in port order then pod order. */
export interface ReachabilityDiff {
  readonly ports: readonly PortProtocol[];
  readonly gained: readonly FlowChange[];
  readonly lost: readonly FlowChange[];
}

/**
 * Compares the matrices of two analyzers over the same cluster, port by port, and explains every
 * changed flow with the `after` analyzer's verdict.
 */
export function diffReachability(before: ReachabilityAnalyzer, after: ReachabilityAnalyzer, ports: readonly PortProtocol[]): ReachabilityDiff {
  const gained: FlowChange[] = [];
  const lost: FlowChange[] = [];
  for (const { port, protocol } of ports) {
    const was = before.matrix(port, protocol);
    const now = after.matrix(port, protocol);
    const pods = now.pods;
    for (const source of pods) {
      for (const destination of pods) {
        const allowedBefore = was.isAllowed(source, destination);
        const allowedAfter = now.isAllowed(source, destination);
        if (allowedBefore === allowedAfter) {
          continue;
        }
        const verdict = after.evaluate({
          source: podEndpoint(source.namespace, source.name),
          destination: podEndpoint(destination.namespace, destination.name),
          port,
          protocol,
        });
        const change: FlowChange = {
          source: `${source.namespace}/${source.name}`,
          destination: `${destination.namespace}/${destination.name}`,
          port,
          protocol,
          because: allowedAfter ? allowReasons(verdict) : denyReasons(verdict),
        };
        (allowedAfter ? gained : lost).push(change);
      }
    }
  }
  return { ports, gained, lost };
}

/** The rules that allow the flow, or why no rule was needed. */
function allowReasons(verdict: Verdict): string[] {
  if (verdict.exemption !== undefined) {
    return [verdict.exemption === 'self' ? 'a pod can always reach itself' : 'traffic between a pod and its own node is always allowed'];
  }
  const reasons: string[] = [];
  for (const step of verdict.steps) {
    if (!step.isolated) {
      continue;
    }
    const rules = step.allowedBy.length > 0 ? step.allowedBy : step.decidedBy ? [step.decidedBy] : [];
    reasons.push(...rules.filter((rule) => !reasons.includes(rule)));
  }
  return reasons.length > 0 ? reasons : ['no policy isolates either end'];
}

/** The steps that deny the flow: the deny rules, or the isolating policies no rule of which allows it. */
function denyReasons(verdict: Verdict): string[] {
  return verdict.steps.filter((step) => !step.allowed).map((step) => {
    const where = `${step.direction} at ${step.endpoint}`;
    if (step.deniedBy.length > 0) {
      return `${where}: denied by ${step.deniedBy.join(', ')}`;
    }
    return `${where}: isolated by ${step.isolatedBy.join(', ')}; no rule allows it`;
  });
}
