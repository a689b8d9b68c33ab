import { Construct } from 'constructs';
import { PolicyDirection } from './policy-direction';
import { PolicyStage } from './policy-stage';
import { InputProblem, throwIfProblems } from '../validation/input-error';
import { resolveNamespace, resolveStage } from './private/intent-scope';
import { checkFlag, checkPropsObject } from './private/props';
import { workloadProp } from './private/typed-props';
import { Workload } from './workload';
import { PolicyCompiler } from '../engine/compiler';
import { allPodsIn, DirectionModel, IsolateStatement } from '../model';

/** Properties of `DefaultDeny`. */
export interface DefaultDenyProps {
  /**
   * The namespace to lock down.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * The directions to deny.
   * @default - both ingress and egress
   */
  readonly directions?: PolicyDirection[];
  /**
   * Only these pods of the namespace.
   * @default - every pod of the namespace
   */
  readonly pods?: Workload;
  /**
   * Acknowledge that denying egress without an `AllowDns` is intended, so
   * DNS lookups from these pods fail. Without it, synthesis fails when no
   * `AllowDns` covers the pods.
   * @default false
   */
  readonly acknowledgeDnsBlocked?: boolean;
  /**
   * Enforce the policy, or only observe it (engines that cannot observe fail synthesis).
   * @default PolicyStage.ENFORCE
   */
  readonly stage?: PolicyStage;
}

const PROPS = ['namespace', 'directions', 'pods', 'acknowledgeDnsBlocked', 'stage'];

/**
 * Denies all traffic of a namespace (or some of its pods) in the chosen
 * directions, so that only what other intents allow gets through.
 *
 * With egress denied, DNS is denied too: add `AllowDns`, or synthesis fails.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies
 */
export class DefaultDeny extends Construct {
  /** The namespace the policy applies to. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: DefaultDenyProps = {}) {
    super(scope, id);
    const problems: InputProblem[] = [];
    const p = checkPropsObject(props, PROPS, problems, false) as DefaultDenyProps;
    const pods = p.pods === undefined ? undefined : workloadProp('pods', p.pods, problems);
    this.namespace = resolveNamespace(this, pods?._namespace ?? p.namespace, problems);
    const acknowledged = checkFlag(p, 'acknowledgeDnsBlocked', problems);
    const directions = p.directions ?? [PolicyDirection.INGRESS, PolicyDirection.EGRESS];
    if (!Array.isArray(directions) || directions.length === 0) {
      problems.push({ what: 'directions', value: directions, expected: 'at least one of PolicyDirection.INGRESS, PolicyDirection.EGRESS', fix: 'leave `directions` out to deny both' });
    }
    for (const d of Array.isArray(directions) ? directions : []) {
      if (d !== PolicyDirection.INGRESS && d !== PolicyDirection.EGRESS) {
        problems.push({ what: 'entry of directions', value: d, expected: 'PolicyDirection.INGRESS or PolicyDirection.EGRESS', fix: 'use the PolicyDirection enum' });
      }
    }
    const stage = resolveStage(p.stage, problems);
    throwIfProblems(this.node.path, problems);

    const statement: IsolateStatement = {
      kind: 'isolate',
      origin: PolicyCompiler.origin(this, 'DefaultDeny'),
      stage,
      subject: pods ? pods._toPodSet(this.namespace) : allPodsIn(this.namespace),
      directions: [...new Set(directions as string[] as DirectionModel[])].sort(),
    };
    PolicyCompiler.of(this).register(this, [statement], { dnsBlockedAcknowledged: acknowledged });
  }
}
