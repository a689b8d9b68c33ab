import { checkInstance, checkInstances } from './props';
import { InputProblem } from '../../validation/input-error';
import { HttpRule } from '../http-rule';
import { Peer } from '../peer';
import { Port } from '../port';
import { Workload } from '../workload';

/** A Workload prop, with the workload's own problems. */
export function workloadProp(what: string, v: unknown, problems: InputProblem[]): Workload | undefined {
  const w = checkInstance(what, v, Workload, 'Workload', 'Workload.select({ app: "backend" })', problems);
  if (w) problems.push(...w._problems);
  return w;
}

/** A non-empty list of Peers, with each peer's own problems. */
export function peersProp(what: string, v: unknown, problems: InputProblem[]): Peer[] {
  const peers = checkInstances(what, v, Peer, 'Peer', 'Peer.workload(Workload.select({ app: "frontend" }))', problems, {
    expected: 'a list with at least one Peer',
    fix: 'an empty list would mean "everyone" in Kubernetes; say [Peer.anyone()] if that is what you mean',
  });
  peers.forEach(p => problems.push(...p._problems));
  return peers;
}

/** A non-empty list of Ports, with each port's own problems. */
export function portsProp(what: string, v: unknown, problems: InputProblem[], emptyFix = 'say [Port.allTcp()] or [Port.allTraffic()] to allow every port'): Port[] {
  const ports = checkInstances(what, v, Port, 'Port', 'Port.tcp(8080)', problems, { expected: 'a list with at least one Port', fix: emptyFix });
  ports.forEach(p => problems.push(...p._problems));
  return ports;
}

/** An optional, non-empty list of HttpRules, with each rule's own problems. */
export function httpProp(what: string, v: unknown, problems: InputProblem[]): HttpRule[] | undefined {
  if (v === undefined) return undefined;
  const rules = checkInstances(what, v, HttpRule, 'HttpRule', 'HttpRule.get("/api/*")', problems, {
    expected: 'a list with at least one HttpRule, or no `http` at all',
    fix: 'leave `http` out to allow any request on the ports',
  });
  rules.forEach(h => problems.push(...h._problems));
  return rules;
}
