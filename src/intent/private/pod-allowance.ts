import {
  AllowStatement, DirectionModel, HttpRuleModel, OriginModel, PeerModel, peerToString, PodSetModel, podSetToString, PortModel,
  serviceAccountFields, StageModel, Statement,
} from '../../model';

/** What `AllowFrom` and `AllowTo` say: the subject's allowance towards (or from) the peers. */
export interface PodAllowance {
  readonly origin: OriginModel;
  readonly stage: StageModel;
  /** `ingress` for AllowFrom (the subject accepts), `egress` for AllowTo (the subject connects). */
  readonly direction: DirectionModel;
  readonly subject: PodSetModel;
  readonly peers: readonly PeerModel[];
  readonly ports: readonly PortModel[];
  readonly http?: readonly HttpRuleModel[];
}

/**
 * The statements of a pod-to-pod allowance: the subject's side (isolating),
 * and the other end's side for every peer that is a set of pods in a named
 * namespace — non-isolating, so it only applies where something else already
 * isolates those pods in that direction (the egress of AllowFrom's sources,
 * the ingress of AllowTo's destinations). Without it the flow the intent
 * allows would still be blocked at the other end; with an isolating one, pods
 * that were open would be isolated, which the intent does not say. Peers
 * selected by namespace labels, in all namespaces, CIDRs and `anyone` get no
 * other side (there is no pod set to select). The other sides are sorted, so
 * their numbering never follows the order of the peers.
 */
export function podAllowance(a: PodAllowance): Statement[] {
  const own: AllowStatement = {
    kind: 'allow',
    origin: a.origin,
    stage: a.stage,
    direction: a.direction,
    subject: a.subject,
    peers: a.peers,
    ports: a.ports,
    isolating: true,
    purpose: 'traffic',
    ...(a.http ? { http: a.http } : {}),
  };
  const subjectAsPeer: PeerModel = {
    kind: 'pods',
    namespaces: { kind: 'name', name: a.subject.namespace },
    pods: a.subject.pods,
    ...serviceAccountFields(a.subject),
  };
  const other: DirectionModel = a.direction === 'ingress' ? 'egress' : 'ingress';
  const halves = new Map<string, AllowStatement>();
  for (const p of a.peers) {
    if (p.kind !== 'pods' || p.namespaces.kind !== 'name') continue;
    const subject: PodSetModel = {
      namespace: p.namespaces.name,
      pods: p.pods,
      ...serviceAccountFields(p),
    };
    halves.set(podSetToString(subject), {
      kind: 'allow',
      origin: a.origin,
      stage: a.stage,
      direction: other,
      subject,
      peers: [subjectAsPeer],
      ports: a.ports,
      isolating: false,
      purpose: 'traffic',
    });
  }
  return [own, ...[...halves.entries()].sort(([x], [y]) => compare(x, y)).map(([, s]) => s)];
}

/** The values without repeats (by key, the last one kept), in order of first appearance. */
export function uniqueBy<T>(xs: readonly T[], key: (x: T) => string): T[] {
  const m = new Map<string, T>();
  xs.forEach(x => m.set(key(x), x));
  return [...m.values()];
}

/** Peers without repeats. */
export function uniquePeers(peers: readonly PeerModel[]): PeerModel[] {
  return uniqueBy(peers, peerToString);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
