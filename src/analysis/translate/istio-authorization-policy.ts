import { parseCidr } from '../ip/cidr';
import {
  AnalysisPolicy, HttpMatch, PeerMatch, PodSelection, PolicyRule, PolicyTier, PortMatch, RuleAction, StringMatch,
} from '../ir/analysis-policy';
import { SELECT_ALL, selectorFromLabelSelector } from '../ir/selector';
import { IstioAuthorizationPolicyManifest, IstioOperationManifest, IstioSourceManifest } from '../parse/istio-security';

/** Istio's DENY policies run before its ALLOW policies; a DENY that matches nothing passes on. */
export const ISTIO_DENY_TIER: PolicyTier = { name: 'istio-deny', order: 0, defaultAction: 'pass' };
/** ALLOW policies: a workload that any ALLOW policy applies to denies what none of them allows. */
export const ISTIO_ALLOW_TIER: PolicyTier = { name: 'istio-allow', order: 1, defaultAction: 'deny' };

/** The mesh root namespace: its policies apply to every namespace. */
export const ISTIO_ROOT_NAMESPACE = 'istio-system';

/** A construct the analysis IR cannot express, with where it is. */
export class UnsupportedIstioPolicy extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(problem);
    this.name = 'UnsupportedIstioPolicy';
  }
}

/**
 * Translates a validated AuthorizationPolicy into the analysis IR, layer `mesh`, per Istio's
 * semantics [IAPI]: CUSTOM (refused by the reader) → DENY → ALLOW; no ALLOW policy for a workload =
 * allow, else allow iff one matches (ALLOW with no rules, `spec: {}`, matches nothing: deny all);
 * enforcement is server side only (ingress); AUDIT and dry-run policies enforce nothing.
 *
 * - `principals` (`<trust domain>/ns/<ns>/sa/<sa>`, any trust domain), `namespaces`, `serviceAccounts`
 *   become pod peers that require mTLS (a plaintext flow has no identity, so they never match it);
 *   `ipBlocks` minus `notIpBlocks` match the connection's source address, pods included.
 * - operations: TCP `ports`, and `methods` AND `paths` as HTTP matches; paths are compared without
 *   the query string (exact, `prefix*`, `*suffix`, `*` = present).
 * - HTTP fields on a non-HTTP flow: an ALLOW rule does not match, a DENY rule does.
 * - Istio never intercepts UDP or SCTP: every policy gets a first rule that leaves them alone.
 */
export function translateIstioAuthorizationPolicy(m: IstioAuthorizationPolicyManifest): AnalysisPolicy {
  const action: RuleAction = m.action === 'ALLOW' ? 'allow' : m.action === 'DENY' ? 'deny' : 'log';
  const nonTcp: PolicyRule = {
    label: '(UDP and SCTP: not intercepted by Istio)',
    action: action === 'allow' ? 'allow' : 'pass',
    ports: [{ protocol: 'UDP' }, { protocol: 'SCTP' }],
  };
  const rules: PolicyRule[] = [nonTcp];
  m.rules.forEach((rule, i) => {
    const peers = rule.from === undefined ? undefined : rule.from.flatMap((s, j) => sourcePeers(s, m.namespace, `spec.rules[${i}].from[${j}].source`));
    const operations: readonly (IstioOperationManifest | undefined)[] = rule.to === undefined ? [undefined] : rule.to;
    operations.forEach((op, j) => {
      const ports: PortMatch[] | undefined = op?.ports?.map(port => ({ protocol: 'TCP' as const, port }));
      const http = op ? httpMatches(op, `spec.rules[${i}].to[${j}].operation`) : undefined;
      rules.push({
        label: rule.to === undefined ? `rules[${i}]` : `rules[${i}].to[${j}]`,
        action,
        ...(peers ? { peers } : {}),
        // No `ports` in Istio = every TCP port; the non-TCP rule above already decided UDP and SCTP.
        ...(ports ? { ports } : {}),
        ...(http ? { http, nonHttpFlows: action === 'deny' ? 'match' as const : 'noMatch' as const } : {}),
      });
    });
  });
  const subject: PodSelection = {
    namespaces: m.namespace === ISTIO_ROOT_NAMESPACE ? { kind: 'selector', selector: SELECT_ALL } : { kind: 'names', names: [m.namespace] },
    pods: m.selector ? selectorFromLabelSelector(m.selector, undefined) : SELECT_ALL,
  };
  return {
    ref: { kind: 'AuthorizationPolicy', namespace: m.namespace, name: m.name },
    ...(m.source ? { source: m.source } : {}),
    layer: 'mesh',
    tier: m.action === 'ALLOW' ? ISTIO_ALLOW_TIER : ISTIO_DENY_TIER,
    enforced: !m.dryRun && m.action !== 'AUDIT',
    subject,
    ingress: { isolates: m.action === 'ALLOW', rules },
  };
}

const PRINCIPAL = /^[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/;

function sourcePeers(s: IstioSourceManifest, policyNamespace: string, path: string): PeerMatch[] {
  const identity = [s.principals, s.namespaces, s.serviceAccounts].filter(x => x !== undefined).length;
  const blocks = s.ipBlocks !== undefined || s.notIpBlocks !== undefined;
  if (identity + (blocks ? 1 : 0) > 1) {
    throw new UnsupportedIstioPolicy(path, 'a source that combines identities with each other or with IP blocks (AND) is not supported by the analyzer; use one field per source');
  }
  if (identity === 0 && !blocks) return [{ kind: 'entity', entity: 'all' }]; // an empty source matches every client
  const out: PeerMatch[] = [];
  for (const p of s.principals ?? []) {
    if (p === '*') {
      out.push({ kind: 'pods', selection: { namespaces: { kind: 'selector', selector: SELECT_ALL }, pods: SELECT_ALL }, requiresMtls: true });
      continue;
    }
    const m = PRINCIPAL.exec(p);
    if (!m || p.includes('*')) throw new UnsupportedIstioPolicy(`${path}.principals`, `principal ${JSON.stringify(p)}: only exact principals <trust domain>/ns/<namespace>/sa/<account> and "*" are supported by the analyzer`);
    out.push(identityPeer(m[1], m[2]));
  }
  for (const ns of s.namespaces ?? []) {
    if (ns.includes('*') && ns !== '*') throw new UnsupportedIstioPolicy(`${path}.namespaces`, `namespace pattern ${JSON.stringify(ns)} is not supported by the analyzer`);
    out.push({ kind: 'pods', selection: { namespaces: ns === '*' ? { kind: 'selector', selector: SELECT_ALL } : { kind: 'names', names: [ns] }, pods: SELECT_ALL }, requiresMtls: true });
  }
  for (const sa of s.serviceAccounts ?? []) {
    const [ns, name] = sa.includes('/') ? sa.split('/', 2) : [policyNamespace, sa];
    out.push(identityPeer(ns, name));
  }
  if (blocks) {
    if (!s.ipBlocks) throw new UnsupportedIstioPolicy(`${path}.notIpBlocks`, 'notIpBlocks without ipBlocks is not supported by the analyzer');
    const except = (s.notIpBlocks ?? []).map(c => cidr(c, `${path}.notIpBlocks`));
    for (const block of s.ipBlocks) out.push({ kind: 'ipBlock', cidr: cidr(block, `${path}.ipBlocks`), except, podAddresses: 'always' });
  }
  return out;
}

function identityPeer(namespace: string, serviceAccount: string): PeerMatch {
  return { kind: 'pods', selection: { namespaces: { kind: 'names', names: [namespace] }, pods: SELECT_ALL, serviceAccounts: [serviceAccount] }, requiresMtls: true };
}

function cidr(text: string, path: string) {
  // Istio accepts single addresses in ipBlocks.
  const withPrefix = text.includes('/') ? text : `${text}/${text.includes(':') ? 128 : 32}`;
  try {
    return parseCidr(withPrefix);
  } catch (e) {
    throw new UnsupportedIstioPolicy(path, `invalid address ${JSON.stringify(text)}: ${(e as Error).message}`);
  }
}

function httpMatches(op: IstioOperationManifest, path: string): HttpMatch[] | undefined {
  if (op.methods === undefined && op.paths === undefined) return undefined;
  const methods = op.methods?.map(m => m.toUpperCase());
  const paths = op.paths?.map(p => pathMatch(p, `${path}.paths`));
  if (!paths) return [{ methods }];
  return paths.map(p => ({ ...(methods ? { methods } : {}), path: p }));
}

/** Istio compares the path without its query string; the IR's request path includes it. */
function pathMatch(p: string, path: string): StringMatch {
  if (p.includes('{')) throw new UnsupportedIstioPolicy(path, `path template ${JSON.stringify(p)} is not supported by the analyzer`);
  const query = '(\\?.*)?';
  if (p === '*') return { kind: 'regex', value: `[^?]+${query}` };
  if (p.endsWith('*') && !p.slice(0, -1).includes('*')) return { kind: 'prefix', value: p.slice(0, -1) }; // a prefix without '?' never reaches into the query
  if (p.startsWith('*') && !p.slice(1).includes('*')) return { kind: 'regex', value: `[^?]*${escapeRegex(p.slice(1))}${query}` };
  if (p.includes('*')) throw new UnsupportedIstioPolicy(path, `path ${JSON.stringify(p)}: "*" is only allowed at the start or the end`);
  return { kind: 'regex', value: `${escapeRegex(p)}${query}` };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
