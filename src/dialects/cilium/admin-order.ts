import * as ipaddr from 'ipaddr.js';
import {
  ClusterAllowStatement, clusterActionToString, ClusterRuleStatement, ClusterSubjectModel, LabelSelectorModel, NamespaceScopeModel, PeerModel,
  PortModel, Statement, statementToString,
} from '../../model';
import { AppStatement } from '../dialect';

/**
 * Cilium has no priorities between its own policies: a deny rule wins over
 * every allow (CIL-DENY), whatever admin priority each came from. So the
 * first-match order of cluster-wide admin rules is kept exactly only when no
 * allowance that comes BEFORE a deny (a lower priority number) can match a
 * connection the deny matches too. Overlap is decided conservatively: rules
 * count as disjoint only when their subjects, peers or ports provably are.
 */
export function adminOrderProblems(s: Statement, all: readonly AppStatement[], engine: string): string[] {
  if (s.kind !== 'cluster-rule' || s.action !== 'deny') return [];
  const out: string[] = [];
  for (const { statement: a, engine: e } of all) {
    if (e !== engine || a === s) continue;
    if (a.kind !== 'allow-cluster' && !(a.kind === 'cluster-rule' && a.action === 'allow')) continue;
    if (a.stage !== s.stage || a.direction !== s.direction || a.priority >= s.priority) continue;
    if (!mayOverlap(a, s)) continue;
    out.push(`the cilium engine cannot keep the order of two cluster-wide rules: ${statementToString(a)} (${clusterActionToString('allow')} at priority ${a.priority}) comes first, but Cilium's deny rules win over every allow, so connections both match would be denied; in: ${statementToString(s)}. `
      + 'Fix: give the deny a lower priority number than the allowance if it should win, narrow one of them so they cannot match the same connections, or use Engine.calico() or the Kubernetes engine with ClusterNetworkPolicy, which keep the order.');
  }
  return out;
}

function subjectOf(s: ClusterRuleStatement | ClusterAllowStatement): ClusterSubjectModel {
  return s.kind === 'cluster-rule' ? s.subject : { exceptNamespaces: s.exceptNamespaces, pods: { matchLabels: {}, matchExpressions: [] } };
}

/** Whether two admin rules of one direction may match a common connection. */
export function mayOverlap(a: ClusterRuleStatement | ClusterAllowStatement, b: ClusterRuleStatement | ClusterAllowStatement): boolean {
  const sa = subjectOf(a);
  const sb = subjectOf(b);
  if (selectorsDisjoint(sa.pods, sb.pods)) return false;
  if (sa.namespaces && sb.namespaces && selectorsDisjoint(sa.namespaces, sb.namespaces)) return false;
  if (!a.peers.some(p => b.peers.some(q => peersMayOverlap(p, q)))) return false;
  return a.ports.some(p => b.ports.some(q => portsMayOverlap(p, q)));
}

/** True when no label set can match both selectors (decided per key; false when unsure). */
export function selectorsDisjoint(a: LabelSelectorModel, b: LabelSelectorModel): boolean {
  interface Req { allowed?: Set<string>; readonly excluded: Set<string>; exists: boolean; absent: boolean }
  const reqs = new Map<string, Req>();
  const req = (key: string): Req => {
    let r = reqs.get(key);
    if (!r) reqs.set(key, r = { excluded: new Set(), exists: false, absent: false });
    return r;
  };
  const only = (r: Req, values: readonly string[]) => {
    r.allowed = r.allowed ? new Set([...r.allowed].filter(v => values.includes(v))) : new Set(values);
  };
  for (const s of [a, b]) {
    for (const [k, v] of Object.entries(s.matchLabels)) only(req(k), [v]);
    for (const e of s.matchExpressions) {
      const r = req(e.key);
      if (e.operator === 'In') only(r, e.values);
      else if (e.operator === 'NotIn') e.values.forEach(v => r.excluded.add(v));
      else if (e.operator === 'Exists') r.exists = true;
      else r.absent = true;
    }
  }
  for (const r of reqs.values()) {
    if (r.absent && (r.exists || r.allowed)) return true;
    if (r.allowed && [...r.allowed].every(v => r.excluded.has(v))) return true;
  }
  return false;
}

function namespacesMayOverlap(a: NamespaceScopeModel, b: NamespaceScopeModel): boolean {
  if (a.kind === 'name' && b.kind === 'name') return a.name === b.name;
  if (a.kind === 'labels' && b.kind === 'labels') return !selectorsDisjoint(a.selector, b.selector);
  return true;
}

/**
 * Whether two peers may name a common endpoint, as Cilium matches them: CIDR rules never match
 * pods (pods are matched by identity), so pods and address peers are disjoint.
 */
function peersMayOverlap(a: PeerModel, b: PeerModel): boolean {
  if (a.kind === 'anyone' || b.kind === 'anyone') return true;
  if (a.kind === 'pods' || b.kind === 'pods') {
    if (a.kind !== 'pods' || b.kind !== 'pods') return false;
    if (a.serviceAccount && b.serviceAccount && a.serviceAccount !== b.serviceAccount) return false;
    return namespacesMayOverlap(a.namespaces, b.namespaces) && !selectorsDisjoint(a.pods, b.pods);
  }
  if (a.kind === 'cidr' && b.kind === 'cidr') return cidrsOverlap(a.cidr, b.cidr);
  return true; // the API server and NodeLocal DNSCache are matched by entity too: addresses unknown here
}

function cidrsOverlap(a: string, b: string): boolean {
  const [x, xp] = ipaddr.parseCIDR(a);
  const [y, yp] = ipaddr.parseCIDR(b);
  if (x.kind() !== y.kind()) return false;
  return xp <= yp ? y.match(x, xp) : x.match(y, yp);
}

function portsMayOverlap(a: PortModel, b: PortModel): boolean {
  if (a.protocol === 'ANY' || b.protocol === 'ANY') return true;
  if (a.protocol !== b.protocol) return false;
  if (a.port === undefined || b.port === undefined || typeof a.port === 'string' || typeof b.port === 'string') return true;
  const [a0, a1] = [a.port, a.endPort ?? a.port];
  const [b0, b1] = [b.port, b.endPort ?? b.port];
  return a0 <= b1 && b0 <= a1;
}
