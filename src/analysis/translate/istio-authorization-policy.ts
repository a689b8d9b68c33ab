import {
  istioHeaderMatch, istioNamespaceMatch, istioPathMatch, istioPrincipalMatch, istioServiceAccountMatch, MatcherResult,
} from './istio-matchers';
import { parseCidr } from '../ip/cidr';
import {
  AnalysisPolicy, HttpMatch, PeerMatch, PodSelection, PolicyRule, PolicyTier, PortMatch, RuleAction, StringCondition, StringMatch,
} from '../ir/analysis-policy';
import { SELECT_ALL, selectorFromLabelSelector } from '../ir/selector';
import { PLACEHOLDER_TRUST_DOMAIN } from '../ir/workload-identity';
import { IstioAuthorizationPolicyManifest, IstioOperationManifest, IstioSourceManifest } from '../parse/istio-security';

/** Istio's DENY policies run before its ALLOW policies; a DENY that matches nothing passes on. */
export const ISTIO_DENY_TIER: PolicyTier = { name: 'istio-deny', order: 0, defaultAction: 'pass' };
/** ALLOW policies: a workload that any ALLOW policy applies to denies what none of them allows. */
export const ISTIO_ALLOW_TIER: PolicyTier = { name: 'istio-allow', order: 1, defaultAction: 'deny' };

/** The mesh root namespace: its policies apply to every namespace. */
export const ISTIO_ROOT_NAMESPACE = 'istio-system';

/** What the translator needs to know about the mesh. */
export interface IstioTranslationOptions {
  /**
   * The mesh's trust domain (`meshConfig.trustDomain`, assumed without aliases).
   * @default - unknown: principals whose meaning depends on it are refused
   */
  readonly trustDomain?: string;
}

/** A construct the analysis IR cannot express, with where it is. */
export class UnsupportedIstioPolicy extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(problem);
    this.name = 'UnsupportedIstioPolicy';
  }
}

/**
 * Translates a validated AuthorizationPolicy into the analysis IR, layer `mesh`, per Istio's
 * semantics [IAPI, IST]: CUSTOM (refused by the reader) → DENY → ALLOW; no ALLOW policy for a
 * workload = allow, else allow iff one matches (ALLOW with no rules, `spec: {}`, matches nothing:
 * deny all); enforcement is server side only (ingress); AUDIT and dry-run policies enforce nothing.
 *
 * - `principals`, `namespaces`, `serviceAccounts` become pod peers that require mTLS (a plaintext
 *   flow has no identity, so they never match it) with the Envoy matchers istiod builds for them
 *   (`istio-matchers.ts`), evaluated on the client's SPIFFE ID; `ipBlocks` minus `notIpBlocks`
 *   match the connection's source address, pods included.
 * - operations: TCP `ports` minus `notPorts` as port ranges; `methods`/`notMethods` and
 *   `paths`/`notPaths` as string conditions (exact, `prefix*`, `*suffix`, `*`, path templates),
 *   paths compared with the URL path (query string and fragment removed).
 * - a flow without HTTP: istiod's TCP filter cannot evaluate HTTP fields, so an ALLOW rule with
 *   one in any operation is dropped whole (none of its operations matches), and a DENY operation
 *   loses them (it matches on its other fields) — `builder.go`, `model.go` `checkError`.
 * - Istio never intercepts UDP or SCTP: every policy gets a first rule that leaves them alone.
 */
export function translateIstioAuthorizationPolicy(m: IstioAuthorizationPolicyManifest, options: IstioTranslationOptions = {}): AnalysisPolicy {
  const action: RuleAction = m.action === 'ALLOW' ? 'allow' : m.action === 'DENY' ? 'deny' : 'log';
  const nonTcp: PolicyRule = {
    label: '(UDP and SCTP: not intercepted by Istio)',
    action: action === 'allow' ? 'allow' : 'pass',
    ports: [{ protocol: 'UDP' }, { protocol: 'SCTP' }],
  };
  const rules: PolicyRule[] = [nonTcp];
  m.rules.forEach((rule, i) => {
    const peers = rule.from === undefined ? undefined : rule.from.flatMap((s, j) => sourcePeers(s, m.namespace, options.trustDomain, `spec.rules[${i}].from[${j}].source`));
    const operations: readonly (IstioOperationManifest | undefined)[] = rule.to === undefined ? [undefined] : rule.to;
    const https = operations.map((op, j) => (op ? httpMatch(op, `spec.rules[${i}].to[${j}].operation`) : undefined));
    // istiod drops an ALLOW rule from the TCP filter when any of its operations needs HTTP.
    const httpOnly = action === 'allow' && https.some((http) => http !== undefined);
    operations.forEach((op, j) => {
      const ports = op ? tcpPorts(op) : undefined;
      const http = https[j] ?? (httpOnly ? {} : undefined);
      rules.push({
        label: rule.to === undefined ? `rules[${i}]` : `rules[${i}].to[${j}]`,
        action,
        ...(peers ? { peers } : {}),
        // No `ports` in Istio = every TCP port; the non-TCP rule above already decided UDP and SCTP.
        ...(ports ? { ports } : {}),
        ...(http ? { http: [http], nonHttpFlows: action === 'deny' ? 'match' as const : 'noMatch' as const } : {}),
      });
    });
  });
  // A waypoint policy (targetRefs) is never attached to a pod's sidecar or ztunnel
  // (`policyattachment.go` `ShouldAttachPolicy`, `ambient/authorization.go`): its subject is no pod.
  const subject: PodSelection = m.targets ? { namespaces: { kind: 'names', names: [] }, pods: SELECT_ALL } : {
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
    ...(m.targets ? { waypointTargets: m.targets } : {}),
  };
}

function sourcePeers(s: IstioSourceManifest, policyNamespace: string, trustDomain: string | undefined, path: string): PeerMatch[] {
  const identityFields = [s.principals, s.namespaces, s.serviceAccounts].filter(x => x !== undefined).length;
  const blocks = s.ipBlocks !== undefined || s.notIpBlocks !== undefined;
  if (identityFields + (blocks ? 1 : 0) > 1) {
    throw new UnsupportedIstioPolicy(path, 'a source that combines identities with each other or with IP blocks (AND) is not supported by the analyzer; use one field per source');
  }
  if (identityFields > 0) {
    const anyOf: StringMatch[] = [
      ...(s.principals ?? []).map((p, k) => matcher(istioPrincipalMatch(p, trustDomain), `${path}.principals[${k}]`)),
      ...(s.namespaces ?? []).map(istioNamespaceMatch),
      ...(s.serviceAccounts ?? []).map((sa) => istioServiceAccountMatch(policyNamespace, sa)),
    ];
    const identity = { trustDomain: trustDomain ?? PLACEHOLDER_TRUST_DOMAIN, anyOf };
    return [{ kind: 'pods', selection: { namespaces: { kind: 'selector', selector: SELECT_ALL }, pods: SELECT_ALL }, requiresMtls: true, identity }];
  }
  if (!s.ipBlocks) throw new UnsupportedIstioPolicy(`${path}.notIpBlocks`, 'notIpBlocks without ipBlocks is not supported by the analyzer');
  const except = (s.notIpBlocks ?? []).map(c => cidr(c, `${path}.notIpBlocks`));
  return s.ipBlocks.map(block => ({ kind: 'ipBlock', cidr: cidr(block, `${path}.ipBlocks`), except, podAddresses: 'always' }));
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

/** The operation's HTTP conditions (undefined: none); the methods and paths as istiod compiles them. */
function httpMatch(op: IstioOperationManifest, path: string): HttpMatch | undefined {
  const methodCondition = condition(op.methods?.map(istioHeaderMatch), op.notMethods?.map(istioHeaderMatch));
  const paths = (field: 'paths' | 'notPaths') => op[field]?.map((p, k) => matcher(istioPathMatch(p), `${path}.${field}[${k}]`));
  const urlPathCondition = condition(paths('paths'), paths('notPaths'));
  if (!methodCondition && !urlPathCondition) return undefined;
  return { ...(methodCondition ? { methodCondition } : {}), ...(urlPathCondition ? { urlPathCondition } : {}) };
}

function condition(anyOf: StringMatch[] | undefined, noneOf: StringMatch[] | undefined): StringCondition | undefined {
  if (!anyOf && !noneOf) return undefined;
  return { ...(anyOf ? { anyOf } : {}), ...(noneOf ? { noneOf } : {}) };
}

function matcher(result: MatcherResult, path: string): StringMatch {
  if ('problem' in result) throw new UnsupportedIstioPolicy(path, result.problem);
  return result.match;
}

/**
 * The TCP ports of an operation: `ports` (or every port) minus `notPorts`, as ranges; undefined
 * when the operation names no port. Port 0 never carries a connection.
 */
function tcpPorts(op: IstioOperationManifest): PortMatch[] | undefined {
  if (!op.ports && !op.notPorts) return undefined;
  const excluded = new Set(op.notPorts ?? []);
  const included = op.ports ? [...new Set(op.ports)].filter(p => p > 0).sort((a, b) => a - b) : undefined;
  if (included) return included.filter(p => !excluded.has(p)).map(port => ({ protocol: 'TCP' as const, port }));
  const ranges: PortMatch[] = [];
  let start = 1;
  for (const port of [...excluded].filter(p => p > 0).sort((a, b) => a - b).concat(65536)) {
    if (port > start) ranges.push(port - 1 === start ? { protocol: 'TCP', port: start } : { protocol: 'TCP', port: start, endPort: port - 1 });
    start = port + 1;
  }
  return ranges;
}
