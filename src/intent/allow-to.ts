import { Construct } from 'constructs';
import { Peer } from './peer';
import { PolicyStage } from './policy-stage';
import { Port } from './port';
import { resolveNamespace, resolveStage } from './private/intent-scope';
import { podAllowance, uniqueBy, uniquePeers } from './private/pod-allowance';
import { checkBoolean, checkPropsObject } from './private/props';
import { peersProp, portsProp, workloadProp } from './private/typed-props';
import { Workload } from './workload';
import { PolicyCompiler } from '../engine/compiler';
import { portToString } from '../model';
import { InputProblem, throwIfProblems } from '../validation/input-error';

/** Properties of `AllowTo`. */
export interface AllowToProps {
  /** The pods that open the connections. */
  readonly workload: Workload;
  /**
   * Where they may connect to: pods, workloads, namespaces, identities, CIDR
   * blocks or `Peer.anyone()`. Never empty.
   */
  readonly peers: Peer[];
  /**
   * The destination ports (for pods: their container ports). Never empty: to
   * allow every port, say `[Port.allTcp()]` or `[Port.allTraffic()]`.
   */
  readonly ports: Port[];
  /**
   * The namespace of `workload` when the workload does not name one.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Acknowledge that the workload's egress is denied without a DNS allowance
   * (this intent isolates its egress, like a default deny).
   * @default false - synthesis fails unless an AllowDns covers the workload
   */
  readonly acknowledgeDnsBlocked?: boolean;
  /**
   * Enforce the policy, or only observe it (engines that cannot observe fail synthesis).
   * @default PolicyStage.ENFORCE
   */
  readonly stage?: PolicyStage;
}

const PROPS = ['workload', 'peers', 'ports', 'namespace', 'acknowledgeDnsBlocked', 'stage'];

/**
 * Allows a workload to connect to peers on ports: the egress-side mirror of
 * `AllowFrom`, for policies written from the client's side (the seed's
 * `backend-egress-policy`: backend-api → redis on TCP 6379).
 *
 * The workload becomes egress-isolated (as in every engine, a policy that
 * selects pods denies them what no policy allows), so, as for a default deny,
 * an `AllowDns` must cover it or `acknowledgeDnsBlocked` be set. When a peer
 * is a set of pods in a named namespace whose ingress is denied by intents of
 * the same app, the matching ingress allowance is added on the peer's side
 * too, so that the flow really works; it never isolates pods that were not
 * isolated already. Peers selected by namespace labels, all namespaces, CIDRs
 * or `anyone` get only the egress side.
 *
 * @example
 * new AllowTo(chart, 'backend-to-redis', { workload: backend, peers: [Peer.workload(redis)], ports: [Port.tcp(6379)] });
 */
export class AllowTo extends Construct {
  /** The namespace of the workload that connects. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: AllowToProps) {
    super(scope, id);
    const problems: InputProblem[] = [];
    const p = checkPropsObject(props, PROPS, problems, true);
    const workload = workloadProp('workload', p.workload, problems);
    this.namespace = resolveNamespace(this, workload?._namespace ?? p.namespace, problems);
    const peers = peersProp('peers', p.peers, problems);
    const ports = portsProp('ports', p.ports, problems);
    const acknowledged = p.acknowledgeDnsBlocked === undefined ? false : checkBoolean('acknowledgeDnsBlocked', p.acknowledgeDnsBlocked, problems);
    const stage = resolveStage(p.stage, problems);
    throwIfProblems(this.node.path, problems);

    PolicyCompiler.of(this).register(this, podAllowance({
      origin: PolicyCompiler.origin(this, 'AllowTo'),
      stage,
      direction: 'egress',
      subject: workload!._toPodSet(this.namespace),
      peers: uniquePeers(peers.map(x => x._resolve(this.namespace))),
      ports: uniqueBy(ports.map(x => x._model), portToString),
    }), { dnsBlockedAcknowledged: acknowledged === true });
  }
}
