import {
  AllowStatement, ClusterAllowStatement, coversNamespace, intersectPodSets, isEverything, PodSetModel, podSetToString, Statement,
} from '../../model';
import { AppStatement } from '../dialect';

/**
 * Cilium's `toFQDNs` only ever allows addresses that its DNS proxy saw in a
 * DNS answer for the pod, so an FQDN allowance is inert unless the pod's DNS
 * lookups go through the proxy: the egress rule towards the resolver must
 * carry `rules.dns` (cilium/cilium#11767). These helpers tie the two
 * statements together.
 */

/** Whether a statement allows egress to DNS names. */
export function hasFqdnPeers(s: Statement): s is AllowStatement | ClusterAllowStatement {
  return (s.kind === 'allow' || s.kind === 'allow-cluster') && s.direction === 'egress' && s.peers.some(p => p.kind === 'fqdn');
}

function isDnsAllowance(d: Statement): d is AllowStatement | ClusterAllowStatement {
  return (d.kind === 'allow' || d.kind === 'allow-cluster') && d.purpose === 'dns' && d.stage === 'enforce';
}

/** Whether an enforced DNS allowance covers every pod of `subject` (all pods of the namespace, or exactly the same pods). */
export function dnsAllowanceCovers(d: Statement, subject: PodSetModel): boolean {
  if (!isDnsAllowance(d)) return false;
  if (d.kind === 'allow-cluster') return coversNamespace(d, subject.namespace);
  return d.subject.namespace === subject.namespace
    && ((isEverything(d.subject.pods) && !d.subject.serviceAccount) || podSetToString(d.subject) === podSetToString(subject));
}

/** Whether two statements may select a common pod (decided conservatively). */
function mayOverlap(a: AllowStatement | ClusterAllowStatement, b: AllowStatement | ClusterAllowStatement): boolean {
  if (a.kind === 'allow' && b.kind === 'allow') return intersectPodSets(a.subject, b.subject) !== undefined;
  if (a.kind === 'allow-cluster' && b.kind === 'allow') return coversNamespace(a, b.subject.namespace);
  if (a.kind === 'allow' && b.kind === 'allow-cluster') return coversNamespace(b, a.subject.namespace);
  return true;
}

/**
 * Whether a DNS allowance rendered by `engine` must route lookups through the
 * DNS proxy: some FQDN allowance of the same engine may select the same pods.
 * Overlap is decided conservatively (same namespace, service accounts not in
 * conflict): the proxy rule allows every name, so adding it where no FQDN
 * allowance needs it changes nothing about what is allowed.
 */
export function needsDnsProxy(dns: AllowStatement | ClusterAllowStatement, all: readonly AppStatement[], engine: string): boolean {
  if (dns.purpose !== 'dns') return false;
  return ofEngine(all, engine).fqdn.some(f => mayOverlap(dns, f));
}

/** The synthesis error for an FQDN allowance that no DNS allowance of the same engine covers, if any. */
export function missingDnsProxyProblem(s: Statement, all: readonly AppStatement[], engine: string): string | undefined {
  if (!hasFqdnPeers(s) || s.stage !== 'enforce') return undefined;
  const dnsOfEngine = ofEngine(all, engine).statements;
  if (s.kind === 'allow-cluster') {
    if (dnsOfEngine.some(d => isDnsAllowance(d) && d.kind === 'allow-cluster' && d.exceptNamespaces.every(n => s.exceptNamespaces.includes(n)))) return undefined;
    return `egress of every namespace except ${s.exceptNamespaces.join(', ')} to DNS names needs the pods' DNS lookups to go through Cilium's DNS proxy (toFQDNs only allows addresses the proxy saw in a DNS answer), but no cluster-wide DNS allowance of the ${engine} engine covers those namespaces. `
      + 'Fix: add a cluster-wide DNS allowance with at most the same exceptions under the same engine.';
  }
  if (dnsOfEngine.some(d => dnsAllowanceCovers(d, s.subject))) return undefined;
  return `egress of ${podSetToString(s.subject)} to DNS names needs the pods' DNS lookups to go through Cilium's DNS proxy: toFQDNs only allows addresses the proxy saw in a DNS answer, so without it the allowance would allow nothing. `
    + `No AllowDns rendered by the ${engine} engine covers these pods (all pods of namespace ${s.subject.namespace}, or exactly the same pods). `
    + `Fix: add new AllowDns(scope, 'allow-dns', { namespace: '${s.subject.namespace}' }) under the same engine; the Cilium engine then adds the DNS proxy rule to it.`;
}

/** An app's statements of one engine, and its enforced FQDN allowances. */
interface EngineStatements {
  readonly statements: readonly Statement[];
  readonly fqdn: readonly (AllowStatement | ClusterAllowStatement)[];
}

const BY_APP = new WeakMap<readonly AppStatement[], Map<string, EngineStatements>>();

/** Filters the app's statements once per app and engine: every DNS allowance asks, and an estate has one per namespace. */
function ofEngine(all: readonly AppStatement[], engine: string): EngineStatements {
  let byEngine = BY_APP.get(all);
  if (!byEngine) {
    byEngine = new Map();
    BY_APP.set(all, byEngine);
  }
  let found = byEngine.get(engine);
  if (!found) {
    const statements = all.filter(a => a.engine === engine).map(a => a.statement);
    found = { statements, fqdn: statements.filter((x): x is AllowStatement | ClusterAllowStatement => x.stage === 'enforce' && hasFqdnPeers(x)) };
    byEngine.set(engine, found);
  }
  return found;
}
