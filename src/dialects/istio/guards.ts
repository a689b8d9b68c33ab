import { IstioAppView } from './app-view';
import { HBONE_PORT, IstioDialectOptions } from './options';
import { covers, mayOverlap } from './pod-sets';
import {
  AllowStatement, MtlsModeModel, MtlsStatement, PeerModel, peerToString, PodSetModel, podSetToString, PortModel, Statement,
  statementToString, isEverything,
} from '../../model';
import { AppStatement } from '../dialect';

/** TCP ports of a port list as a set, or `all`. */
export type TcpSet = 'all' | ReadonlySet<number>;

/** The TCP ports a port list allows (ranges included). */
export function tcpSet(ports: readonly PortModel[]): TcpSet {
  const out = new Set<number>();
  for (const p of ports) {
    if (p.protocol === 'ANY' || (p.protocol === 'TCP' && p.port === undefined)) return 'all';
    if (p.protocol !== 'TCP' || typeof p.port !== 'number') continue;
    for (let n = p.port; n <= (p.endPort ?? p.port); n++) out.add(n);
  }
  return out;
}

function minus(a: TcpSet, b: TcpSet): TcpSet {
  if (b === 'all') return new Set();
  if (a === 'all') return 'all';
  return new Set([...a].filter(n => !b.has(n)));
}

function intersect(a: TcpSet, b: TcpSet): TcpSet {
  if (a === 'all') return b;
  if (b === 'all') return a;
  return new Set([...a].filter(n => b.has(n)));
}

function isEmpty(a: TcpSet): boolean {
  return a !== 'all' && a.size === 0;
}

function show(a: TcpSet): string {
  return a === 'all' ? 'every TCP port' : `TCP ${[...a].sort((x, y) => x - y).join(', ')}`;
}

/** Peers that can never be in the mesh: their connections are plaintext. */
export function isPlaintextPeer(p: PeerModel): boolean {
  return p.kind === 'anyone' || p.kind === 'cidr' || p.kind === 'kube-apiserver' || p.kind === 'node-local-dns';
}

/** The mode an mTLS statement requires on a port (`all`: STRICT if any port is STRICT). */
function modeOn(m: MtlsStatement, port: number | 'all'): MtlsModeModel {
  if (port === 'all') return m.mode === 'STRICT' || m.portExceptions.some(e => e.mode === 'STRICT') ? 'STRICT' : 'PERMISSIVE';
  return m.portExceptions.find(e => e.port === port)?.mode ?? m.mode;
}

/**
 * STRICT mTLS rejects plaintext clients. An enforced allowance from a peer
 * outside the mesh (CIDR, anyone, the API server) into a port that may be
 * STRICT could never be used: the engine would drop intent, so it fails.
 * A workload-level statement that covers the whole subject overrides the
 * namespace-level one (Istio's precedence); partial overlaps count as STRICT.
 */
export function mtlsConflicts(s: AllowStatement, mtls: readonly MtlsStatement[]): string[] {
  if (s.direction !== 'ingress' || s.stage !== 'enforce') return [];
  const plain = s.peers.filter(isPlaintextPeer);
  if (!plain.length) return [];
  const ports = tcpSet(s.ports);
  if (isEmpty(ports)) return [];
  const here = mtls.filter(m => mayOverlap(m.subject, s.subject));
  if (!here.length) return [];
  const workload = here.filter(m => !isAllPods(m.subject));
  const nsLevel = here.filter(m => isAllPods(m.subject));
  const strictPorts: (number | 'all')[] = ports === 'all' ? ['all'] : [...ports];
  const out: string[] = [];
  for (const port of strictPorts) {
    const culprit = workload.find(m => modeOn(m, port) === 'STRICT')
      ?? (workload.some(m => covers(m.subject, s.subject) && modeOn(m, port) === 'PERMISSIVE') ? undefined : nsLevel.find(m => modeOn(m, port) === 'STRICT'));
    if (!culprit) continue;
    const portText = port === 'all' ? 'its ports' : `port ${port}`;
    const exception = port === 'all' ? '' : `give the pods a PERMISSIVE exception for that port (new MutualTls(scope, 'id', { workload, mode: MtlsMode.STRICT, portExceptions: [{ port: ${port}, mode: MtlsMode.PERMISSIVE }] })), `;
    out.push(`STRICT mutual TLS (${statementToString(culprit)}, from ${culprit.origin.path}) rejects every client outside the mesh, so ${plain.map(peerToString).join(' and ')} could never connect on ${portText}; in: ${statementToString(s)}. `
      + `Fix: ${exception}use MtlsMode.PERMISSIVE for these pods, or allow mesh identities (Peer.serviceAccount(), Peer.namespace()) instead.`);
  }
  return out;
}

function isAllPods(p: PodSetModel): boolean {
  return isEverything(p.pods) && !p.serviceAccount;
}

/**
 * Istio applies one PeerAuthentication per scope: of several namespace-wide
 * ones only the oldest, of several with the same selector an arbitrary one.
 * Reported on every statement after the first of a scope.
 */
export function mtlsDuplicates(s: MtlsStatement, mtls: readonly MtlsStatement[]): string[] {
  const key = (m: MtlsStatement) => `${m.subject.namespace}|${isAllPods(m.subject) ? '' : podSetToString(m.subject)}`;
  const first = mtls.find(m => key(m) === key(s));
  if (!first || first === s) return [];
  const scope = isAllPods(s.subject) ? `namespace ${s.subject.namespace}` : `the pods ${podSetToString(s.subject)}`;
  return [`${scope} already has an mTLS requirement (${statementToString(first)}, from ${first.origin.path}); Istio would apply only one of the two PeerAuthentications. In: ${statementToString(s)}. `
    + 'Fix: keep one requirement per namespace or workload (a workload-level MutualTls overrides the namespace\'s for its pods).'];
}

/** What the egress guard needs to know about the app. */
export interface EgressGuardContext {
  readonly options: IstioDialectOptions;
  readonly engineName: string;
  readonly cniName: string;
  /** Whether the CNI renders the statement's service account (else it renders the labels only). */
  readonly cniSelectsServiceAccounts: boolean;
  /** Every statement of the app rendered by this engine, indexed. */
  readonly view: IstioAppView;
  /** Service names bound to the waypoint, per namespace (ambient). */
  readonly waypointServices: (namespace: string) => ReadonlySet<string>;
}

/**
 * The CNI layer allows some egress more widely than the model when Istio is
 * layered on it: a source-side allowance for pods with a service account is
 * rendered for their labels when the CNI cannot select accounts, and in
 * ambient mode every mesh connection leaves the source on the HBONE port
 * (any application port, and through the waypoint to every Service bound to
 * it). That is exact only while the destination's Istio policy admits no
 * client that the model would stop at its own egress: a peer without an
 * egress side of its own (anyone, a CIDR block, the API server). Fails when
 * such a destination exists and no other egress allowance covers the ports.
 */
export function egressWidening(s: AllowStatement, g: EgressGuardContext): string[] {
  if (s.direction !== 'egress' || s.stage !== 'enforce' || s.purpose !== 'traffic') return [];
  // An isolating allowance to pods (AllowTo) is widened by HBONE only (ambient), towards its pod peers; a source side by both.
  if (s.isolating && g.options.mode !== 'ambient') return [];
  const dests: PodSetModel[] = [];
  for (const p of s.peers) {
    if (p.kind !== 'pods' || p.namespaces.kind !== 'name') {
      if (s.isolating) continue;
      return [];
    }
    dests.push({ namespace: p.namespaces.name, pods: p.pods, ...(p.serviceAccount ? { serviceAccount: p.serviceAccount } : {}) });
  }
  // An exclusive account is dropped exactly (the labels select the same pods): no widening.
  const dropSa = !s.isolating && !!s.subject.serviceAccount && !s.subject.exclusiveServiceAccount && !g.cniSelectsServiceAccounts;
  const hbone = g.options.mode === 'ambient';
  if (!dropSa && !hbone) return [];
  // Pod sets never span namespaces: only the enforced allowances of the namespaces involved matter.
  const ingressIn = (namespace: string) => g.view.enforcedAllowsIn('ingress', namespace);
  // Where the source can get to at L4: the destinations, and (ambient) every Service behind the same waypoint.
  const reach: { set: PodSetModel; extra: boolean }[] = dests.map(set => ({ set, extra: false }));
  if (hbone) {
    const bound = (x: AllowStatement) => x.subject.service !== undefined && g.waypointServices(x.subject.namespace).has(x.subject.service);
    const own = g.view.ingressOf(s.origin.path).find(x => x.stage === 'enforce' && bound(x));
    if (own) {
      for (const x of ingressIn(own.subject.namespace)) {
        const known = reach.some(r => podSetToString(r.set) === podSetToString(x.subject));
        if (bound(x) && !known) {
          reach.push({ set: x.subject, extra: true });
        }
      }
    }
  }
  const own = tcpSet(s.ports);
  // The pods the CNI really lets out: without the service account when it cannot select one.
  const source: PodSetModel = dropSa ? { namespace: s.subject.namespace, pods: s.subject.pods } : s.subject;
  const out: string[] = [];
  for (const r of reach) {
    for (const i of ingressIn(r.set.namespace)) {
      if (!mayOverlap(i.subject, r.set)) continue;
      for (const p of i.peers.filter(isPlaintextPeer)) {
        const theirs = tcpSet(i.ports);
        // Pods the CNI widens to (no account) reach every port HBONE carries, else only this allowance's ports.
        let open: TcpSet = dropSa ? (hbone ? theirs : intersect(theirs, own)) : r.extra ? theirs : minus(theirs, own);
        open = minus(open, coveredEgress(g.view.enforcedAllowsIn('egress', source.namespace), source, r.set));
        if (isEmpty(open)) continue;
        const why = hbone
          ? `in ambient mode the CNI sees every mesh connection as HBONE (TCP ${HBONE_PORT})${r.extra ? ' and through the waypoint it reaches every Service bound to it' : ''}, so it cannot limit which ports ${podSetToString(s.subject)} opens to ${podSetToString(r.set)}`
          : `the ${g.cniName} CNI cannot select pods by service account, so this egress allowance is rendered for every pod matching the labels of ${podSetToString(s.subject)}, whatever its account`;
        out.push(`${why}; ${podSetToString(i.subject)} also admits ${peerToString(p)} on ${show(open)} (${i.origin.path}), so those pods could connect there although the intent denies their egress; in: ${statementToString(s)}. `
          + `Fix: ${hbone ? 'allow those ports to these pods explicitly with an AllowFrom (whose egress side then covers them), or use IstioMode.SIDECAR' : 'layer Istio on Engine.cilium() or Engine.calico(), which select by service account, or opt into Engine.kubernetes({ serviceAccountLabel })'}, or admit mesh identities (Peer.serviceAccount(), Peer.namespace()) instead of ${peerToString(p)}.`);
      }
    }
  }
  return out;
}

/** TCP ports on which another enforced egress allowance lets `source` reach `dest`. */
function coveredEgress(allows: readonly AllowStatement[], source: PodSetModel, dest: PodSetModel): TcpSet {
  let out = new Set<number>() as TcpSet;
  for (const e of allows) {
    if (e.direction !== 'egress' || e.stage !== 'enforce' || !covers(e.subject, source)) continue;
    const reaches = e.peers.some(p => p.kind === 'anyone' || (p.kind === 'pods' && (p.namespaces.kind === 'all' || (p.namespaces.kind === 'name' && covers({ namespace: p.namespaces.name, pods: p.pods, ...(p.serviceAccount ? { serviceAccount: p.serviceAccount } : {}) }, dest)))));
    if (!reaches) continue;
    const ports = tcpSet(e.ports);
    out = ports === 'all' || out === 'all' ? 'all' : new Set([...out, ...ports]);
  }
  return out;
}

/** Statements of the app rendered by one engine. */
export function statementsOf(all: readonly AppStatement[], engine: string): Statement[] {
  return all.filter(a => a.engine === engine).map(a => a.statement);
}
