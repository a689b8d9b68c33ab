import {
  istioHeaderMatch, istioNamespaceMatch, istioPathMatch, istioPrincipalMatch, istioServiceAccountMatch, MatcherResult,
  ztunnelPrincipalMatch, ztunnelStringMatch,
} from './istio-matchers';
import { Cidr, cidrContainsCidr, parseCidr } from '../ip/cidr';
import {
  AnalysisPolicy, HttpMatch, IdentityCondition, PeerMatch, PodSelection, PolicyRule, PolicyTier, PortMatch, RuleAction, StringCondition, StringMatch,
} from '../ir/analysis-policy';
import { SELECT_ALL, selectorFromLabelSelector } from '../ir/selector';
import { IdentityTest, PLACEHOLDER_TRUST_DOMAIN } from '../ir/workload-identity';
import {
  IstioAuthorizationPolicyManifest, IstioConditionManifest, IstioOperationManifest, IstioSourceManifest,
} from '../parse/istio-security';

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
 * A rule matches when one of its sources, one of its operations and every `when` condition match
 * (`model.go` `New`: each condition is ANDed into every source or operation).
 *
 * - identities — `principals`, `namespaces`, `serviceAccounts`, their `not…` twins and the `when`
 *   keys `source.principal`, `source.namespace`, `source.serviceAccount` — are conditions on the
 *   client's SPIFFE ID with the Envoy matchers istiod builds for them (`istio-matchers.ts`),
 *   ANDed. A positive one needs mTLS (a plaintext connection has no identity, so it never matches
 *   one); a source with only negative ones matches every client except the mTLS clients with such
 *   an identity (Envoy's `authenticated` matcher is false without TLS, so its negation is true).
 * - `ipBlocks` minus `notIpBlocks`, ANDed with `when` `source.ip`, match the connection's source
 *   address, pods included; `when` `destination.ip` the subject pod's own address.
 * - operations: TCP `ports` minus `notPorts` (ANDed with `when` `destination.port`) as port
 *   ranges; `methods`/`notMethods` and `paths`/`notPaths` as string conditions (exact, `prefix*`,
 *   `*suffix`, `*`, path templates), paths compared with the URL path (query string and fragment removed).
 * - a flow without HTTP: istiod's TCP filter cannot evaluate HTTP fields, so an ALLOW rule with
 *   one in any operation is dropped whole (none of its operations matches), and a DENY operation
 *   loses them (it matches on its other fields) — `builder.go`, `model.go` `checkError`.
 * - ztunnel (an ambient pod): istiod sends it the values, not Envoy's matchers (`ztunnelIdentity`),
 *   drops an ALLOW rule with an HTTP field or a `when` key ztunnel lacks (`source.serviceAccount`),
 *   and for DENY sends an operation without ports, or such a condition, as an empty match that
 *   ztunnel skips, so that rule never matches there (`ambient/authorization.go` `handleRule`,
 *   ztunnel `src/rbac.rs`) — the rule's `ztunnel: 'noMatch'`.
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
  const context: SourceContext = { policyNamespace: m.namespace, trustDomain: options.trustDomain };
  m.rules.forEach((rule, i) => {
    const when = readWhen(rule.when ?? [], `spec.rules[${i}].when`, context);
    if (when.destinationIps && m.targets) {
      throw new UnsupportedIstioPolicy(`spec.rules[${i}].when`, 'destination.ip in a policy bound with targetRefs is evaluated at a waypoint, where the destination address is the one the client dialled (a Service address), which the analyzer does not model');
    }
    const sources: readonly (IstioSourceManifest | undefined)[] = rule.from ?? [undefined];
    const sourcePath = (j: number) => (rule.from === undefined ? `spec.rules[${i}].when` : `spec.rules[${i}].from[${j}].source`);
    const sourceMatches = sources.map((source, j) => sourceMatch(source, when, context, sourcePath(j)));
    // Sources that are plain peers share one rule (their peers OR); one that excludes identities needs its own.
    const groups: { label: string; match: SourceMatch }[] = [];
    const plain = sourceMatches.filter((match) => match.notPeers === undefined);
    if (plain.length > 0) {
      const anyPeer = plain.some((match) => match.peers === undefined);
      groups.push({ label: '', match: anyPeer ? {} : { peers: plain.flatMap((match) => match.peers ?? []) } });
    }
    sourceMatches.forEach((match, j) => {
      if (match.notPeers !== undefined) groups.push({ label: rule.from === undefined ? '' : `.from[${j}]`, match });
    });
    const operations: readonly (IstioOperationManifest | undefined)[] = rule.to === undefined ? [undefined] : rule.to;
    const https = operations.map((op, j) => (op ? httpMatch(op, `spec.rules[${i}].to[${j}].operation`) : undefined));
    // istiod drops an ALLOW rule from the TCP filter when any of its operations needs HTTP.
    const httpOnly = action === 'allow' && https.some((http) => http !== undefined);
    for (const group of groups) {
      operations.forEach((op, j) => {
        const ports = tcpPorts(op, when);
        const http = https[j] ?? (httpOnly ? {} : undefined);
        // ztunnel: an ALLOW rule with HTTP (or a key it lacks) is dropped; a DENY operation without ports is an empty, skipped match.
        const ztunnelNever = when.ztunnelLacks || (action === 'allow' ? httpOnly : op !== undefined && op.ports === undefined && op.notPorts === undefined);
        const label = `rules[${i}]${group.label}${rule.to === undefined ? '' : `.to[${j}]`}`;
        rules.push({
          label,
          action,
          ...(group.match.peers ? { peers: group.match.peers } : {}),
          ...(group.match.notPeers ? { notPeers: group.match.notPeers } : {}),
          ...(when.destinationIps ? { subjectPeers: when.destinationIps } : {}),
          // No `ports` in Istio = every TCP port; the non-TCP rule above already decided UDP and SCTP.
          ...(ports ? { ports } : {}),
          ...(http ? { http: [http], nonHttpFlows: action === 'deny' ? 'match' as const : 'noMatch' as const } : {}),
          ...(ztunnelNever ? { ztunnel: 'noMatch' as const } : {}),
        });
      });
    }
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

interface SourceContext {
  readonly policyNamespace: string;
  readonly trustDomain: string | undefined;
}

/** One identity field or condition: its tests for Envoy and for ztunnel, and whether it is negated. */
interface IdentityPart {
  readonly negated: boolean;
  readonly envoy: IdentityTest;
  readonly ztunnel: IdentityTest;
}

/** An address condition: one of `blocks` (undefined = any address) and none of `except`. */
interface AddressCondition {
  readonly blocks?: readonly Cidr[];
  readonly except: readonly Cidr[];
}

/** What a rule's `when` conditions add to each source and operation. */
interface WhenConditions {
  readonly identity: readonly IdentityPart[];
  readonly sourceAddress?: AddressCondition;
  readonly destinationIps?: readonly PeerMatch[];
  readonly ports: readonly PortCondition[];
  /** A key ztunnel does not evaluate (`l4WhenAttributes` lacks it): the rule never matches at ztunnel. */
  readonly ztunnelLacks: boolean;
}

/** A destination port condition: one of `ports` (undefined = any) and none of `notPorts`. */
interface PortCondition {
  readonly ports?: readonly number[];
  readonly notPorts?: readonly number[];
}

/** How one source (with the rule's conditions) matches the client: `peers` (undefined = any) minus `notPeers`. */
interface SourceMatch {
  readonly peers?: readonly PeerMatch[];
  readonly notPeers?: readonly PeerMatch[];
}

function readWhen(whenConditions: readonly IstioConditionManifest[], path: string, context: SourceContext): WhenConditions {
  const identity: IdentityPart[] = [];
  let sourceAddress: AddressCondition | undefined;
  let destination: AddressCondition | undefined;
  const ports: PortCondition[] = [];
  let ztunnelLacks = false;
  whenConditions.forEach((c, k) => {
    const at = `${path}[${k}]`;
    switch (c.key) {
      case 'source.principal':
        identity.push(...identityParts('principals', c.values, c.notValues, `${at}.values`, `${at}.notValues`, context));
        break;
      case 'source.namespace':
        identity.push(...identityParts('namespaces', c.values, c.notValues, `${at}.values`, `${at}.notValues`, context));
        break;
      case 'source.serviceAccount':
        identity.push(...identityParts('serviceAccounts', c.values, c.notValues, `${at}.values`, `${at}.notValues`, context));
        ztunnelLacks = true; // not in `l4WhenAttributes`: dropped (ALLOW) or an empty, skipped match (DENY)
        break;
      case 'source.ip':
        sourceAddress = andAddress(sourceAddress, addressCondition(c.values, c.notValues, at));
        break;
      case 'destination.ip':
        destination = andAddress(destination, addressCondition(c.values, c.notValues, at));
        break;
      case 'destination.port':
        ports.push({ ...(c.values ? { ports: c.values.map(Number) } : {}), ...(c.notValues ? { notPorts: c.notValues.map(Number) } : {}) });
        break;
    }
  });
  return {
    identity,
    ...(sourceAddress ? { sourceAddress } : {}),
    ...(destination ? { destinationIps: addressPeers(destination) } : {}),
    ports,
    ztunnelLacks,
  };
}

type IdentityField = 'principals' | 'namespaces' | 'serviceAccounts';

/** The identity parts of a field and its `not…` twin: one test each, for Envoy and for ztunnel. */
function identityParts(
  field: IdentityField, values: readonly string[] | undefined, notValues: readonly string[] | undefined,
  path: string, notPath: string, context: SourceContext,
): IdentityPart[] {
  const parts: IdentityPart[] = [];
  for (const [list, negated, at] of [[values, false, path], [notValues, true, notPath]] as const) {
    if (!list) continue;
    parts.push({ negated, ...identityTests(field, list, at, context) });
  }
  return parts;
}

function identityTests(field: IdentityField, values: readonly string[], path: string, context: SourceContext): Omit<IdentityPart, 'negated'> {
  switch (field) {
    case 'principals':
      return {
        envoy: { attribute: 'spiffeId', condition: { anyOf: values.map((p, k) => matcher(istioPrincipalMatch(p, context.trustDomain), `${path}[${k}]`)) } },
        ztunnel: { attribute: 'spiffeId', condition: { anyOf: values.map(ztunnelPrincipalMatch) } },
      };
    case 'namespaces':
      return {
        envoy: { attribute: 'spiffeId', condition: { anyOf: values.map(istioNamespaceMatch) } },
        ztunnel: { attribute: 'namespace', condition: { anyOf: values.map(ztunnelStringMatch) } },
      };
    case 'serviceAccounts': {
      // Envoy's regex and ztunnel's namespace-and-account equality agree on every SPIFFE ID of the model.
      const test: IdentityTest = { attribute: 'spiffeId', condition: { anyOf: values.map((sa) => istioServiceAccountMatch(context.policyNamespace, sa)) } };
      return { envoy: test, ztunnel: test };
    }
  }
}

/** The source's match, with the rule's `when` conditions ANDed in. */
function sourceMatch(s: IstioSourceManifest | undefined, when: WhenConditions, context: SourceContext, path: string): SourceMatch {
  const identity: IdentityPart[] = [...when.identity];
  if (s) {
    identity.unshift(
      ...identityParts('principals', s.principals, s.notPrincipals, `${path}.principals`, `${path}.notPrincipals`, context),
      ...identityParts('namespaces', s.namespaces, s.notNamespaces, `${path}.namespaces`, `${path}.notNamespaces`, context),
      ...identityParts('serviceAccounts', s.serviceAccounts, s.notServiceAccounts, `${path}.serviceAccounts`, `${path}.notServiceAccounts`, context),
    );
  }
  const sourceBlocks = s && (s.ipBlocks || s.notIpBlocks) ? addressCondition(s.ipBlocks, s.notIpBlocks, path, 'ipBlocks', 'notIpBlocks') : undefined;
  const address = sourceBlocks && when.sourceAddress ? andAddress(sourceBlocks, when.sourceAddress) : sourceBlocks ?? when.sourceAddress;
  const positive = identity.filter((part) => !part.negated);
  const negative = identity.filter((part) => part.negated);
  if (positive.length > 0) {
    if (address) {
      throw new UnsupportedIstioPolicy(path, 'a source that requires an identity (principals, namespaces, serviceAccounts) and a source address (ipBlocks, notIpBlocks, source.ip) at once (AND) is not supported by the analyzer; split the policy so that each rule tests one of them');
    }
    // A positive identity needs mTLS, so the negative ones only narrow it further.
    return { peers: [identityPeer(identity, context)] };
  }
  const peers = address ? addressPeers(address) : undefined;
  if (negative.length === 0) return peers ? { peers } : {};
  // Every client except the mTLS clients that have one of the excluded identities.
  const notPeers = negative.map((part) => identityPeer([{ ...part, negated: false }], context));
  return { ...(peers ? { peers } : {}), notPeers };
}

/** An mTLS peer whose identity passes every part (a negated part: matches none of its values). */
function identityPeer(parts: readonly IdentityPart[], context: SourceContext): PeerMatch {
  const trustDomain = context.trustDomain ?? PLACEHOLDER_TRUST_DOMAIN;
  const test = (t: IdentityTest, negated: boolean): IdentityTest => (negated
    ? { attribute: t.attribute, condition: { noneOf: t.condition.anyOf ?? [] } } : t);
  const identity: IdentityCondition = { trustDomain, all: parts.map((part) => test(part.envoy, part.negated)) };
  const ztunnel: IdentityCondition = { trustDomain, all: parts.map((part) => test(part.ztunnel, part.negated)) };
  const same = JSON.stringify(ztunnel) === JSON.stringify(identity);
  return {
    kind: 'pods',
    selection: { namespaces: { kind: 'selector', selector: SELECT_ALL }, pods: SELECT_ALL },
    requiresMtls: true,
    identity,
    ...(same ? {} : { ztunnelIdentity: ztunnel }),
  };
}

/** `values`/`notValues` (or `ipBlocks`/`notIpBlocks`) as an address condition; single addresses are /32 or /128 (`AddrStrToCidrRange`). */
function addressCondition(
  values: readonly string[] | undefined, notValues: readonly string[] | undefined, path: string, field = 'values', notField = 'notValues',
): AddressCondition {
  return {
    ...(values ? { blocks: values.map((v, k) => cidr(v, `${path}.${field}[${k}]`)) } : {}),
    except: (notValues ?? []).map((v, k) => cidr(v, `${path}.${notField}[${k}]`)),
  };
}

/** Both conditions: the pairwise intersections of the blocks (two CIDRs meet only when one holds the other), every exception. */
function andAddress(a: AddressCondition | undefined, b: AddressCondition): AddressCondition {
  if (!a) return b;
  let blocks = a.blocks;
  if (b.blocks) {
    blocks = blocks === undefined ? b.blocks : blocks.flatMap((x) => b.blocks!.flatMap((y) => {
      if (cidrContainsCidr(x, y)) return [y];
      if (cidrContainsCidr(y, x)) return [x];
      return [];
    }));
  }
  return { ...(blocks ? { blocks } : {}), except: [...a.except, ...b.except] };
}

/** The peers of an address condition: its blocks (every address of both families when undefined) minus the exceptions. */
function addressPeers(address: AddressCondition): PeerMatch[] {
  const blocks = address.blocks ?? [parseCidr('0.0.0.0/0'), parseCidr('::/0')];
  return blocks.map((block) => ({ kind: 'ipBlock', cidr: block, except: address.except, podAddresses: 'always' }));
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
 * The TCP ports of an operation and the rule's `destination.port` conditions (ANDed): the ports
 * every condition names (or every port) minus every `notPorts`, as ranges; undefined when nothing
 * names a port. Port 0 never carries a connection.
 */
function tcpPorts(op: IstioOperationManifest | undefined, when: WhenConditions): PortMatch[] | undefined {
  const own: PortCondition[] = op && (op.ports || op.notPorts)
    ? [{ ...(op.ports ? { ports: op.ports } : {}), ...(op.notPorts ? { notPorts: op.notPorts } : {}) }] : [];
  const conditions: PortCondition[] = [...own, ...when.ports];
  if (conditions.length === 0) return undefined;
  const excluded = new Set(conditions.flatMap((c) => c.notPorts ?? []));
  let included: Set<number> | undefined;
  for (const c of conditions) {
    if (!c.ports) continue;
    const these = new Set(c.ports.filter((p) => p > 0));
    included = included === undefined ? these : new Set([...included].filter((p) => these.has(p)));
  }
  if (included) return [...included].filter((p) => !excluded.has(p)).sort((a, b) => a - b).map((port) => ({ protocol: 'TCP' as const, port }));
  const ranges: PortMatch[] = [];
  let start = 1;
  for (const port of [...excluded].filter((p) => p > 0).sort((a, b) => a - b).concat(65536)) {
    if (port > start) ranges.push(port - 1 === start ? { protocol: 'TCP', port: start } : { protocol: 'TCP', port: start, endPort: port - 1 });
    start = port + 1;
  }
  return ranges;
}
