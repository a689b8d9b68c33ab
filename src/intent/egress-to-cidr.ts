import { Construct } from 'constructs';
import { checkCidrBlock } from './peer';
import { PolicyStage } from './policy-stage';
import { Port } from './port';
import { InputProblem, throwIfProblems } from '../validation/input-error';
import { resolveNamespace, resolveStage } from './private/intent-scope';
import { checkFlag, checkPropsObject } from './private/props';
import { portsProp, workloadProp } from './private/typed-props';
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

const PROPS = ['workload', 'cidr', 'exceptCidrs', 'ports', 'namespace', 'acknowledgeDnsBlocked', 'stage'];

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
    const p = checkPropsObject(props, PROPS, problems, true) as EgressToCidrProps;
    const workload = workloadProp('workload', p.workload, problems);
    this.namespace = resolveNamespace(this, workload?._namespace ?? p.namespace, problems);
    const { canonical, excepts } = checkCidrBlock('EgressToCidr', p.cidr, p.exceptCidrs ?? [], problems, undefined);
    const portList = portsProp('ports', p.ports, problems, 'say [Port.allTcp()] to allow every TCP port');
    const acknowledged = checkFlag(p, 'acknowledgeDnsBlocked', problems);
    const stage = resolveStage(p.stage, problems);
    throwIfProblems(this.node.path, problems);

    const ports = [...new Map(portList.map(x => [portToString(x._model), x._model])).values()];
    const statement: AllowStatement = {
      kind: 'allow',
      origin: PolicyCompiler.origin(this, 'EgressToCidr'),
      stage,
      direction: 'egress',
      subject: workload!._toPodSet(this.namespace),
      peers: [{ kind: 'cidr', cidr: canonical, except: excepts }],
      ports,
      isolating: true,
      purpose: 'cidr',
    };
    PolicyCompiler.of(this).register(this, [statement], { dnsBlockedAcknowledged: acknowledged });
  }
}
