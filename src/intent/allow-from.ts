import { Construct } from 'constructs';
import { HttpRule } from './http-rule';
import { Peer } from './peer';
import { PolicyStage } from './policy-stage';
import { Port } from './port';
import { resolveNamespace, resolveStage } from './private/intent-scope';
import { podAllowance, uniqueBy, uniquePeers } from './private/pod-allowance';
import { checkPropsObject } from './private/props';
import { httpProp, peersProp, portsProp, workloadProp } from './private/typed-props';
import { Workload } from './workload';
import { PolicyCompiler } from '../engine/compiler';
import { httpRuleToString, portToString } from '../model';
import { InputProblem, throwIfProblems } from '../validation/input-error';

/** Properties of `AllowFrom`. */
export interface AllowFromProps {
  /** The pods that accept the connections. */
  readonly to: Workload;
  /**
   * Who may connect. Never empty: to allow everyone, say `[Peer.anyone()]`.
   */
  readonly peers: Peer[];
  /**
   * The destination pods' ports. Never empty: to allow every port, say
   * `[Port.allTcp()]` or `[Port.allTraffic()]`.
   */
  readonly ports: Port[];
  /**
   * The namespace of `to` when the workload does not name one.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * L7: allow only these HTTP requests (any of them) on the ports. Only
   * engines with an L7 proxy can enforce it; the others fail synthesis
   * rather than fall back to L4, which would allow more.
   * @default - no L7 restriction: any traffic on the ports
   */
  readonly http?: HttpRule[];
  /**
   * Enforce the policy, or only observe it (engines that cannot observe fail synthesis).
   * @default PolicyStage.ENFORCE
   */
  readonly stage?: PolicyStage;
}

const PROPS = ['to', 'peers', 'ports', 'namespace', 'http', 'stage'];

/**
 * Allows connections from peers to a workload on ports.
 *
 * The workload becomes ingress-isolated (as in every engine, a policy that
 * selects pods denies them what no policy allows). When a peer is a set of
 * pods in a named namespace whose egress is denied by intents of the same app
 * (e.g. `DefaultDeny`), the matching egress allowance is added on the peer's
 * side too, so that the flow really works; it never isolates pods that were
 * not isolated already. Peers selected by namespace labels, all namespaces,
 * CIDRs or `anyone` get only the ingress side. `AllowTo` says the same from
 * the other end.
 *
 * Creating the same allowance twice is harmless: allowances are a union.
 */
export class AllowFrom extends Construct {
  /** The namespace of the destination workload. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: AllowFromProps) {
    super(scope, id);
    const problems: InputProblem[] = [];
    const p = checkPropsObject(props, PROPS, problems, true);
    const to = workloadProp('to', p.to, problems);
    this.namespace = resolveNamespace(this, to?._namespace ?? p.namespace, problems);
    const peers = peersProp('peers', p.peers, problems);
    const ports = portsProp('ports', p.ports, problems);
    const http = httpProp('http', p.http, problems);
    const stage = resolveStage(p.stage, problems);
    throwIfProblems(this.node.path, problems);

    PolicyCompiler.of(this).register(this, podAllowance({
      origin: PolicyCompiler.origin(this, 'AllowFrom'),
      stage,
      direction: 'ingress',
      subject: to!._toPodSet(this.namespace),
      peers: uniquePeers(peers.map(x => x._resolve(this.namespace))),
      ports: uniqueBy(ports.map(x => x._model), portToString),
      ...(http ? { http: uniqueBy(http.map(h => h._model), httpRuleToString) } : {}),
    }));
  }
}

/** Checks that a list prop is a non-empty array. */
export function checkNonEmpty(what: string, v: unknown, expected: string, fix: string): InputProblem[] {
  return Array.isArray(v) && v.length > 0 ? [] : [{ what, value: v, expected, fix }];
}
