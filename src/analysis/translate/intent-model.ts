import {
  ClusterAllowStatement, ClusterRuleStatement, ClusterSubjectModel, HttpRuleModel, LabelSelectorModel, MtlsStatement, NamespaceScopeModel, PeerModel,
  PodSetModel, PortModel, Statement,
} from '../../model';
import { parseCidr } from '../ip/cidr';
import {
  AnalysisPolicy, DirectionalRules, HttpMatch, KUBERNETES_TIER, PeerMatch, PodSelection, PolicyRule, PortMatch,
} from '../ir/analysis-policy';
import { DnsNamePattern } from '../ir/dns-name';
import { ADMIN_TIER } from '../ir/network-policy-api-tiers';
import { SELECT_ALL, selectorFromLabelSelector, SelectorExpr } from '../ir/selector';

/**
 * What the intent itself means, as analysis policies: the reference every
 * dialect's rendered manifests are compared with. It follows the model's
 * semantics (docs/ARCHITECTURE.md): enforced statements isolate their subject
 * (IsolateStatement, isolating allows), allows are a union, non-isolating
 * allows only apply to pods isolated by something else, audit statements are
 * not enforced, HTTP rules match method AND path with the query string ignored.
 *
 * Cluster-wide admin rules (and the allowance of a cluster-wide allow) form an
 * admin tier before the namespace statements: by ascending priority, the
 * first matching rule decides (deny, allow) or hands the connection on
 * (delegate); they isolate nothing.
 *
 * DNS names (`EgressToFqdn`) are `dnsName` peers with the intent's own
 * meaning (`fqdnPattern`): an exact name, or `*.` = exactly one label. The
 * API server without addresses matches nothing (the cluster model cannot
 * decide it).
 */
export function translateIntent(statements: readonly Statement[]): AnalysisPolicy[] {
  // mTLS statements change no reachability between the pods the intent names (model/mtls.ts).
  return statements.map((s, i) => ({ s, i })).filter((x): x is { s: Exclude<Statement, MtlsStatement>; i: number } => x.s.kind !== 'mtls').flatMap(({ s, i }): AnalysisPolicy[] => {
    if (s.kind === 'cluster-rule' || s.kind === 'allow-cluster') return clusterPolicies(s, `${s.origin.path}#${i}`);
    const clusterWide = s.kind === 'isolate-cluster';
    const ref = clusterWide ? { kind: s.origin.intent, name: `${s.origin.path}#${i}` } : { kind: s.origin.intent, namespace: s.subject.namespace, name: `${s.origin.path}#${i}` };
    const subject: PodSelection = clusterWide ? everyNamespaceExcept(s.exceptNamespaces) : subjectSelection(s.subject);
    const base = { ref, layer: 'network' as const, tier: KUBERNETES_TIER, enforced: s.stage === 'enforce', subject };
    if (s.kind === 'isolate' || s.kind === 'isolate-cluster') {
      const none: DirectionalRules = { isolates: true, rules: [] };
      return [{ ...base, ...(s.directions.includes('ingress') ? { ingress: none } : {}), ...(s.directions.includes('egress') ? { egress: none } : {}) }];
    }
    const rule: PolicyRule = {
      label: `${s.direction}[0]`,
      action: 'allow',
      peers: s.peers.flatMap(peerMatches),
      ...(s.ports.some(p => p.protocol === 'ANY') ? {} : { ports: s.ports.map(portMatch) }),
      ...(s.http ? { http: s.http.map(httpMatch), nonHttpFlows: 'noMatch' as const } : {}),
    };
    const rules: DirectionalRules = { isolates: s.isolating, rules: [rule] };
    return [{ ...base, [s.direction]: rules }];
  });
}

const ADMIN_ACTIONS = { deny: 'deny', allow: 'allow', delegate: 'pass' } as const;

/**
 * An admin rule: one admin-tier policy at its priority, isolating nothing. A cluster-wide allow:
 * its allowance as an admin-tier allow, and its isolation of every covered pod.
 */
function clusterPolicies(s: ClusterRuleStatement | ClusterAllowStatement, name: string): AnalysisPolicy[] {
  const subject = s.kind === 'cluster-rule' ? clusterSubject(s.subject) : everyNamespaceExcept(s.exceptNamespaces);
  const rule: PolicyRule = {
    label: `${s.direction}[0]`,
    action: s.kind === 'cluster-rule' ? ADMIN_ACTIONS[s.action] : 'allow',
    peers: s.peers.flatMap(peerMatches),
    ...(s.ports.some(p => p.protocol === 'ANY') ? {} : { ports: s.ports.map(portMatch) }),
  };
  const enforced = s.stage === 'enforce';
  const admin: AnalysisPolicy = {
    ref: { kind: s.origin.intent, name }, layer: 'network', tier: ADMIN_TIER, order: s.priority, enforced, subject, [s.direction]: { isolates: false, rules: [rule] },
  };
  if (s.kind === 'cluster-rule') return [admin];
  const isolation: AnalysisPolicy = {
    ref: { kind: s.origin.intent, name: `${name}/isolation` }, layer: 'network', tier: KUBERNETES_TIER, enforced, subject, [s.direction]: { isolates: true, rules: [] },
  };
  return [admin, isolation];
}

/** The pods of a cluster subject: its namespaces (not excepted, matching its labels) and pod labels. */
function clusterSubject(s: ClusterSubjectModel): PodSelection {
  const notExcepted: SelectorExpr = { op: 'notIn', key: 'kubernetes.io/metadata.name', values: [...s.exceptNamespaces] };
  const covered: SelectorExpr = s.namespaces ? { op: 'and', terms: [notExcepted, selector(s.namespaces)] } : notExcepted;
  return { namespaces: { kind: 'selector', selector: covered }, pods: selector(s.pods) };
}

/** Every pod of every namespace whose name is not in the list (present or future namespaces). */
function everyNamespaceExcept(names: readonly string[]): PodSelection {
  return { namespaces: { kind: 'selector', selector: { op: 'notIn', key: 'kubernetes.io/metadata.name', values: [...names] } }, pods: SELECT_ALL };
}

function subjectSelection(p: PodSetModel): PodSelection {
  return { namespaces: { kind: 'names', names: [p.namespace] }, pods: selector(p.pods), ...(p.serviceAccount ? { serviceAccounts: [p.serviceAccount] } : {}) };
}

function selector(s: LabelSelectorModel): SelectorExpr {
  return selectorFromLabelSelector(s.matchLabels, s.matchExpressions.map(e => ({ key: e.key, operator: e.operator, values: e.values })));
}

function namespaces(scope: NamespaceScopeModel): PodSelection['namespaces'] {
  switch (scope.kind) {
    case 'name': return { kind: 'names', names: [scope.name] };
    case 'labels': return { kind: 'selector', selector: selector(scope.selector) };
    case 'all': return { kind: 'selector', selector: SELECT_ALL };
  }
}

function peerMatches(p: PeerModel): PeerMatch[] {
  switch (p.kind) {
    case 'anyone': return [{ kind: 'entity', entity: 'all' }];
    case 'pods': return [{
      kind: 'pods',
      selection: {
        namespaces: namespaces(p.namespaces),
        pods: selector(p.pods),
        ...(p.serviceAccount ? { serviceAccounts: [p.serviceAccount] } : {}),
      },
    }];
    case 'cidr': return [{ kind: 'ipBlock', cidr: parseCidr(p.cidr), except: p.except.map(parseCidr), podAddresses: 'option' }];
    case 'node-local-dns': return [{ kind: 'ipBlock', cidr: parseCidr(p.cidr), except: [], podAddresses: 'option' }];
    case 'kube-apiserver': return p.cidrs.map(c => ({ kind: 'ipBlock' as const, cidr: parseCidr(c), except: [], podAddresses: 'option' as const }));
    case 'fqdn': return [{ kind: 'dnsName', pattern: fqdnPattern(p.pattern) }];
  }
}

/**
 * What an `EgressToFqdn` name means (its TSDoc, `checkFqdnPattern`): the exact name, or with a
 * leftmost `*` exactly one label of DNS characters before the rest; compared with the canonical
 * name (lower case, trailing dot; `ir/dns-name.ts`). Written here from the intent's definition, not
 * from any dialect's pattern syntax, so that the equivalence tests compare two readings.
 */
function fqdnPattern(name: string): DnsNamePattern {
  const wildcard = name.startsWith('*.');
  const rest = (wildcard ? name.slice(2) : name).split('.').map(escapeRegex).join('\\.');
  return { field: wildcard ? 'matchPattern' : 'matchName', written: name, regex: `${wildcard ? '[-a-z0-9_]+\\.' : ''}${rest}\\.` };
}

function portMatch(p: PortModel): PortMatch {
  if (p.protocol === 'ANY') return { protocol: 'ANY' };
  return { protocol: p.protocol, ...(p.port !== undefined ? { port: p.port } : {}), ...(p.endPort !== undefined ? { endPort: p.endPort } : {}) };
}

/**
 * The model's semantics (model/http-rule.ts): the method compared exactly, case included (HTTP
 * methods are case-sensitive; `methods` would upper-case the request's), the path as a whole-string
 * regex over `:path` (which carries the query string).
 */
function httpMatch(h: HttpRuleModel): HttpMatch {
  const path = h.path === undefined ? undefined
    : h.path.kind === 'exact' ? `${escapeRegex(h.path.value)}(\\?.*)?` : `${escapeRegex(h.path.value)}.*`;
  return {
    ...(h.method ? { method: { kind: 'exact', value: h.method } } : {}),
    ...(path !== undefined ? { path: { kind: 'regex', value: path } } : {}),
  };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
