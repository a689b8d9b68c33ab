import { Construct } from 'constructs';
import { checkNonEmpty } from './allow-from';
import { checkCidrBlock } from './peer';
import { PolicyStage } from './policy-stage';
import { Port } from './port';
import { InputProblem, throwIfProblems } from '../validation/input-error';
import { resolveNamespace, resolveStage } from './private/intent-scope';
import { Workload } from './workload';
import { PolicyCompiler } from '../engine/compiler';
import { AllowStatement, portToString } from '../model';

/** Properties of `EgressToCidr`. */
export interface EgressToCidrProps {
  /** The pods that open the connections. */
  readonly workload: Workload;
  /** The destination block, IPv4 or IPv6, as its network address (e.g. `10.100.0.0/16`). */
  readonly cidr: string;
  /**
   * Blocks inside `cidr` to leave out (same IP family, strictly inside).
   * @default - none
   */
  readonly exceptCidrs?: string[];
  /** Destination ports. Never empty: say `[Port.allTcp()]` to allow every TCP port. */
  readonly ports: Port[];
  /**
   * The namespace of the workload when it does not name one.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Acknowledge that the workload's egress is isolated by this policy without
   * an `AllowDns` covering it.
   * @default false
   */
  readonly acknowledgeDnsBlocked?: boolean;
  /**
   * Enforce the policy, or only observe it (engines that cannot observe fail synthesis).
   * @default PolicyStage.ENFORCE
   */
  readonly stage?: PolicyStage;
}

/**
 * Allows a workload to open connections to a CIDR block (minus excepts) on
 * ports. Meant for addresses outside the cluster (databases, APIs): engines
 * disagree on whether a CIDR also matches pod IPs, so use `AllowFrom` for
 * in-cluster peers. The workload becomes egress-isolated.
 */
export class EgressToCidr extends Construct {
  /** The namespace of the workload. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: EgressToCidrProps) {
    super(scope, id);
    const problems: InputProblem[] = [];
    this.namespace = resolveNamespace(this, props.workload?._namespace ?? props.namespace, problems);
    if (!props.workload) {
      problems.push({ what: 'workload', value: props.workload, expected: 'a Workload', fix: 'pass e.g. Workload.select({ app: "backend" })' });
    } else {
      problems.push(...props.workload._problems);
    }
    const { canonical, excepts } = checkCidrBlock('EgressToCidr', props.cidr, props.exceptCidrs ?? [], problems, undefined);
    problems.push(...checkNonEmpty('ports', props.ports, 'a list with at least one Port', 'say [Port.allTcp()] to allow every TCP port'));
    (props.ports ?? []).forEach(p => problems.push(...p._problems));
    const stage = resolveStage(props.stage, problems);
    throwIfProblems(this.node.path, problems);

    const ports = [...new Map(props.ports.map(p => [portToString(p._model), p._model])).values()];
    const statement: AllowStatement = {
      kind: 'allow',
      origin: PolicyCompiler.origin(this, 'EgressToCidr'),
      stage,
      direction: 'egress',
      subject: props.workload._toPodSet(this.namespace),
      peers: [{ kind: 'cidr', cidr: canonical, except: excepts }],
      ports,
      isolating: true,
      purpose: 'cidr',
    };
    PolicyCompiler.of(this).register(this, [statement], { dnsBlockedAcknowledged: props.acknowledgeDnsBlocked === true });
  }
}
