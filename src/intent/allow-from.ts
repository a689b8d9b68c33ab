import { Construct } from 'constructs';
import { HttpRule } from './http-rule';
import { Peer } from './peer';
import { PolicyStage } from './policy-stage';
import { Port } from './port';
import { InputProblem, throwIfProblems } from '../validation/input-error';
import { resolveNamespace, resolveStage } from './private/intent-scope';
import { Workload } from './workload';
import { PolicyCompiler } from '../engine/compiler';
import { AllowStatement, httpRuleToString, PeerModel, peerToString, portToString, serviceAccountFields, Statement } from '../model';

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

/**
 * Allows connections from peers to a workload on ports.
 *
 * The workload becomes ingress-isolated (as in every engine, a policy that
 * selects pods denies them what no policy allows). When a peer is a set of
 * pods in a named namespace whose egress is denied by intents of the same app
 * (e.g. `DefaultDeny`), the matching egress allowance is added on the peer's
 * side too, so that the flow really works; it never isolates pods that were
 * not isolated already. Peers selected by namespace labels, all namespaces,
 * CIDRs or `anyone` get only the ingress side.
 *
 * Creating the same allowance twice is harmless: allowances are a union.
 */
export class AllowFrom extends Construct {
  /** The namespace of the destination workload. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: AllowFromProps) {
    super(scope, id);
    const problems: InputProblem[] = [];
    this.namespace = resolveNamespace(this, props.to?._namespace ?? props.namespace, problems);
    if (!props.to) {
      problems.push({ what: 'to', value: props.to, expected: 'a Workload', fix: 'pass e.g. Workload.select({ app: "backend" })' });
    } else {
      problems.push(...props.to._problems);
    }
    problems.push(...checkNonEmpty('peers', props.peers, 'a list with at least one Peer', 'an empty list would mean "everyone" in Kubernetes; say [Peer.anyone()] if that is what you mean'));
    problems.push(...checkNonEmpty('ports', props.ports, 'a list with at least one Port', 'say [Port.allTcp()] or [Port.allTraffic()] to allow every port'));
    (props.peers ?? []).forEach(p => problems.push(...p._problems));
    (props.ports ?? []).forEach(p => problems.push(...p._problems));
    if (props.http !== undefined) {
      problems.push(...checkNonEmpty('http', props.http, 'a list with at least one HttpRule, or no `http` at all', 'leave `http` out to allow any request on the ports'));
      (props.http ?? []).forEach(h => problems.push(...h._problems));
    }
    const stage = resolveStage(props.stage, problems);
    throwIfProblems(this.node.path, problems);

    const origin = PolicyCompiler.origin(this, 'AllowFrom');
    const subject = props.to._toPodSet(this.namespace);
    const peers = uniqueBy(props.peers.map(p => p._resolve(this.namespace)), peerToString);
    const ports = uniqueBy(props.ports.map(p => p._model), portToString);
    const http = props.http ? uniqueBy(props.http.map(h => h._model), httpRuleToString) : undefined;
    const statements: Statement[] = [{ kind: 'allow', origin, stage, direction: 'ingress', subject, peers, ports, isolating: true, purpose: 'traffic', ...(http ? { http } : {}) }];
    // The source half: egress of peer pods in a named namespace, towards the workload.
    const target: PeerModel = { kind: 'pods', namespaces: { kind: 'name', name: subject.namespace }, pods: subject.pods, ...serviceAccountFields(subject) };
    for (const p of peers) {
      if (p.kind !== 'pods' || p.namespaces.kind !== 'name') continue;
      const half: AllowStatement = {
        kind: 'allow',
        origin,
        stage,
        direction: 'egress',
        subject: { namespace: p.namespaces.name, pods: p.pods, ...serviceAccountFields(p) },
        peers: [target],
        ports,
        isolating: false,
        purpose: 'traffic',
      };
      statements.push(half);
    }
    PolicyCompiler.of(this).register(this, statements);
  }
}

/** Checks that a list prop is a non-empty array. */
export function checkNonEmpty(what: string, v: unknown, expected: string, fix: string): InputProblem[] {
  return Array.isArray(v) && v.length > 0 ? [] : [{ what, value: v, expected, fix }];
}

function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  const m = new Map<string, T>();
  xs.forEach(x => m.set(key(x), x));
  return [...m.values()];
}

